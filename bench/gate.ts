/**
 * The policy gate alone, as synth runs it: the real policy-pack/ in its own process, over the analyzer gRPC
 * protocol (lib/policy-gate.ts), with the pack's default config.
 *
 *   node bin/bench/gate.js <resources.json> [<pack dir>]     (StackResource[], e.g. fixtures.fleetResources;
 *                                                             the pack defaults to policy-pack/)
 *
 * Prints `{"analyzed": N, "policies": P, "mandatory": M, "advisory": A}`.
 */
import * as fs from "fs";
import * as path from "path";
import { runPolicyPack } from "../lib/policy-gate";
import type { StackResource } from "../lib/synth-run";
import { PROJECT } from "./fixtures";

async function main(): Promise<void> {
    const file = process.argv[2];
    if (!file) throw new Error("usage: node bin/bench/gate.js <resources.json> [<pack dir>]");
    const resources = JSON.parse(fs.readFileSync(file, "utf8")) as StackResource[];
    const result = await runPolicyPack({
        packDir: process.argv[3] ?? path.resolve(__dirname, "..", "..", "policy-pack"),
        project: { name: PROJECT, runtime: "nodejs" },
        stack: "bench",
        config: { [`${PROJECT}:environment`]: "prod" },
        secretKeys: [],
        resources,
    });
    const mandatory = result.violations.filter((v) => v.enforcementLevel === "mandatory").length;
    const summary = { analyzed: resources.length, policies: result.policies.length, mandatory, advisory: result.violations.length - mandatory };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    for (const v of result.violations.slice(0, 5)) process.stderr.write(`${v.enforcementLevel} ${v.policyName} ${v.urn}: ${v.message}\n`);
}

main().catch((e) => {
    process.stderr.write(`gate failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
});
