/**
 * Plain baseline, the bare SDK cost: registers, as plain @pulumi/kubernetes resources (no components, no logic, no
 * validation), exactly the objects synth wrote for a config, under the same mock runtime synth uses.
 *
 *   node bin/bench/plain-baseline.js <plan.json>      (plan: PlainItem[] from plain-baseline-plan.ts)
 *
 * Prints `{"registered": N}`: the Kubernetes resources the mock runtime recorded.
 */
import * as fs from "fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks } from "../tools/mock-runtime";
import type { PlainItem } from "./plain-baseline-plan";

type Ctor = new (name: string, args: any) => pulumi.CustomResource | pulumi.ComponentResource;

/**
 * The SDK's class for a type token: `kubernetes:<group>/<version>:<Kind>` is `k8s.<module>.<version>.<Kind>` with
 * the module the group's first label (`networking.k8s.io` → networking, `rbac.authorization.k8s.io` → rbac,
 * `helm.sh` → helm); groups the SDK has no class for (Istio's) are `apiextensions.CustomResource`.
 */
export function resourceClass(type: string): Ctor {
    const m = /^kubernetes:([^/:]+)\/([^/:]+):([A-Za-z0-9]+)$/.exec(type);
    if (!m) throw new Error(`not a Kubernetes type token: ${type}`);
    const [, group, version, kind] = m;
    const builtIn = group === "core" || group === "helm.sh" || !group.includes(".") || group.endsWith(".k8s.io");
    const module = builtIn ? (k8s as any)[group.split(".")[0]] : undefined;
    const ctor = module?.[version]?.[kind] as Ctor | undefined;
    if (ctor) return ctor;
    if (builtIn) throw new Error(`@pulumi/kubernetes has no class for ${type}`);
    return k8s.apiextensions.CustomResource as unknown as Ctor;
}

/** Registers every item; call under the mock runtime. */
export function registerPlain(plan: readonly PlainItem[]): void {
    for (const item of plan) new (resourceClass(item.type))(item.name, item.args);
}

// A measured child process: kept to the SDK and the mock runtime (no shared command helpers, which load more).
const planFile = process.argv[2];
if (require.main === module && !planFile) {
    process.stderr.write("usage: node bin/bench/plain-baseline.js <plan.json>\n");
    process.exitCode = 2;
} else if (require.main === module) {
    const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as PlainItem[];
    runUnderMocks(() => registerPlain(plan), { project: "plain-baseline", stack: "bench", config: {} }).then(
        (run) => process.stdout.write(`${JSON.stringify({ registered: run.resources.filter((r) => r.type.startsWith("kubernetes:")).length })}\n`),
        (e) => {
            process.stderr.write(`plain baseline failed: ${e instanceof Error ? e.stack : String(e)}\n`);
            process.exitCode = 1;
        },
    );
}
