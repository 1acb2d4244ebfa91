/**
 * Plain baseline, the bare SDK cost: registers, as plain @pulumi/kubernetes resources (no components, no logic, no
 * validation), exactly the objects synth wrote for a config, under the same mock runtime synth uses.
 *
 *   node bin/bench/plain-baseline.js <plan.json>      (plan: PlainItem[] from plain-baseline-plan.ts)
 *
 * Prints `{"registered": N}`: the Kubernetes resources the mock runtime recorded.
 */
import * as fs from "fs";
import { runUnderMocks } from "../tools/mock-runtime";
import type { PlainItem } from "./plain-baseline-plan";
import { registerPlain } from "./plain-register";

export { registerPlain, resourceClass } from "./plain-register";

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
