/**
 * Floor A: the fixed cost of any run — a process that loads @pulumi/pulumi and @pulumi/kubernetes and registers one
 * resource under the same mock runtime synth uses.
 *
 *   node bin/bench/floor-a.js      prints {"registered": 1}
 */
import * as k8s from "@pulumi/kubernetes";
import { runUnderMocks } from "../tools/mock-runtime";

runUnderMocks(() => new k8s.core.v1.ConfigMap("floor-a", { metadata: { name: "floor-a", namespace: "default" }, data: { key: "value" } }), {
    project: "floor-a",
    stack: "bench",
    config: {},
}).then(
    (run) => process.stdout.write(`${JSON.stringify({ registered: run.resources.filter((r) => r.type.startsWith("kubernetes:")).length })}\n`),
    (e) => {
        process.stderr.write(`floor A failed: ${e instanceof Error ? e.stack : String(e)}\n`);
        process.exitCode = 1;
    },
);
