/**
 * The program under the mock runtime writing its plan (tools/mock-plan.ts, tools/synth/write-manifests.ts): manifests.yaml and
 * helm-releases.yaml as the mock plan has them, without schema validation or a policy pack. This is the figure
 * compared with the plain baseline.
 *
 *   node bin/bench/program.js <stack> --config-file FILE --out DIR
 *
 * Prints `{"registered": R, "objects": O, "releases": H, "unrendered": U}`.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { renderHelmReleases, renderManifests, stackObjects } from "../tools/synth/write-manifests";
import { mockPlan } from "../tools/mock-plan";
import { PROJECT_DIR } from "../toolchain/kit/paths";

async function main(): Promise<void> {
    const { positionals, values } = parseArgs({ allowPositionals: true, options: { "config-file": { type: "string" }, out: { type: "string" } } });
    const [stack] = positionals;
    if (!stack || !values.out) throw new Error("usage: node bin/bench/program.js <stack> [--config-file FILE] --out DIR");
    const root = PROJECT_DIR;
    const run = await mockPlan({ root, stack, configFile: values["config-file"] && path.resolve(values["config-file"]) });
    const objects = stackObjects(run.resources);
    fs.mkdirSync(values.out, { recursive: true });
    fs.writeFileSync(path.join(values.out, "manifests.yaml"), renderManifests(objects.objects));
    fs.writeFileSync(path.join(values.out, "helm-releases.yaml"), renderHelmReleases(objects.releases));
    const counts = { registered: run.resources.length, objects: objects.objects.length, releases: objects.releases.length, unrendered: objects.unrendered.length };
    process.stdout.write(`${JSON.stringify(counts)}\n`);
}

main().catch((e) => {
    process.stderr.write(`program failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
});
