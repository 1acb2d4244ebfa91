/**
 * SDK baseline: the fixed cost of any run — a process that loads @pulumi/pulumi and @pulumi/kubernetes and registers one
 * resource under the same mock runtime synth uses.
 *
 *   node bin/bench/sdk-baseline.js      prints {"registered": 1}
 */
import * as k8s from "@pulumi/kubernetes";
import { runUnderMocks } from "../tools/mock-runtime";

runUnderMocks(() => new k8s.core.v1.ConfigMap("sdk-baseline", { metadata: { name: "sdk-baseline", namespace: "default" }, data: { key: "value" } }), {
    project: "sdk-baseline",
    stack: "bench",
    config: {},
}).then(
    (run) => process.stdout.write(`${JSON.stringify({ registered: run.resources.filter((r) => r.type.startsWith("kubernetes:")).length })}\n`),
    (e) => {
        process.stderr.write(`SDK baseline failed: ${e instanceof Error ? e.stack : String(e)}\n`);
        process.exitCode = 1;
    },
);
