/**
 * `npm run synth` on the real engine (its main function, in-process; it runs the toolchain's CLI in a throwaway
 * state directory): one run per exit code and what each promises — both stacks clean, byte-identical, the chart's
 * own objects rendered by the provider, secrets redacted; a mandatory violation (exit 1) with files still written;
 * a bad config (exit 2) with the config module's message, nothing written and the previous run's files removed.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { REDACTED } from "../../tools/synth/write-manifests";
import { SECRET_PLACEHOLDER } from "../../tools/stack-file";
import { main as synth } from "../../tools/synth/main";
import { CommandRun, ROOT, runCommand, writeStackFile } from "../helpers";
import { allTools, cluster, tmpDir } from "./harness";

const tmp = tmpDir("synth");
const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), "utf8");
const docs = (text: string) => YAML.parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>);
/** stderr without the local runner's progress lines. */
const warnings = (run: CommandRun) => run.stderr.split("\n").filter((l) => l && !l.startsWith("[local]"));
const LOCAL_CHART = path.resolve(ROOT, "..", "shared", "charts", "jaeger-4.11.1.tgz");

async function timed(args: string[]): Promise<CommandRun> {
    const started = Date.now();
    const run = await runCommand(synth, args);
    process.stderr.write(`      npm run synth -- ${args.join(" ")}: exit ${run.code}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return run;
}

describe("npm run synth on the real engine", function () {
    before(async () => {
        await allTools();
        await cluster();
    });

    for (const stack of ["dev", "prod"]) {
        describe(stack, () => {
            const out = (i: number) => path.join(tmp, `${stack}-${i}`);
            const runs: CommandRun[] = [];
            before(async () => {
                for (const i of [0, 1]) runs.push(await timed([stack, "--out", out(i)]));
            });

            it("exits 0 with the engine's plan and the pack's verdict", () => {
                const run = runs[0];
                assert.strictEqual(run.code, 0, run.stdout + run.stderr);
                // The program's own warnings, from the engine's diagnostics: prod's payment override (README, sampling).
                const expected = stack === "prod" ? [/^warning: stack "prod": eco2-tracing:telemetry\.workloadOverrides\[0\]\.sampling = 100: is above the mesh rate 5 %/] : [];
                const seen = warnings(run);
                assert.strictEqual(seen.length, expected.length, run.stderr);
                expected.forEach((pattern, i) => assert.match(seen[i], pattern));
                assert.match(run.stdout, /^resources: \d+ registered, \d+ Kubernetes objects, 1 Helm release\(s\)$/m);
                assert.match(run.stdout, /^schema: (\d+) valid, 0 invalid, 0 not validated$/m);
                assert.match(run.stdout, /^policy pack eco2-tracing@0\.1\.0: 8 policies, no violations \(config: policy-pack\/config\/\w+\.json\)$/m);
                assert.match(run.stdout, /\nOK\n$/);
            });

            it("two runs write byte-identical files", () => {
                for (const file of ["manifests.yaml", "helm-releases.yaml"]) assert.strictEqual(read(out(1), file), read(out(0), file), file);
            });

            it("manifests.yaml holds the program's objects and the chart's, rendered by the provider, sorted by kind, namespace, name", () => {
                const objects = docs(read(out(0), "manifests.yaml"));
                const keys = objects.map((d) => [d.kind, d.metadata.namespace ?? "", d.metadata.name].join("\u0000"));
                assert.deepStrictEqual(keys, [...keys].sort());
                const has = (kind: string, name: string) => objects.some((d) => d.kind === kind && d.metadata.name === name && d.metadata.namespace === "istio-system");
                // The chart's own objects: only a real render has them (the mock plan stops at the release).
                for (const [kind, name] of [["Deployment", "jaeger"], ["Service", "jaeger"], ["ServiceAccount", "jaeger"], ["ConfigMap", "user-config"]]) assert.ok(has(kind, name), `${kind} ${name} from the chart`);
                for (const [kind, name] of [["Service", "jaeger-collector-clusterip"], ["Service", "jaeger-query-clusterip"], ["Telemetry", "mesh-default"]]) assert.ok(has(kind, name), `${kind} ${name}`);
                const text = read(out(0), "manifests.yaml");
                assert.match(text, /^# from kubernetes:apps\/v1:Deployment "jaeger-release:istio-system\/jaeger"$/m, "attributed to the release that rendered it");
            });

            it("helm-releases.yaml: name, namespace, the local chart's path (or the repo), chart, version, values from the engine's plan", () => {
                const [release, ...more] = docs(read(out(0), "helm-releases.yaml"));
                assert.deepStrictEqual(more, []);
                const { values, ...fields } = release;
                const where = fs.existsSync(LOCAL_CHART) ? { path: "../shared/charts/jaeger-4.11.1.tgz" } : { repo: "https://jaegertracing.github.io/helm-charts" };
                assert.deepStrictEqual(fields, { name: "jaeger", namespace: "istio-system", ...where, chart: "jaeger", version: "4.11.1" });
                assert.ok(values.userconfig?.service?.pipelines?.traces, "the generated Jaeger userconfig is in the values");
            });
        });
    }

    it("a Pulumi secret: the Secret's data redacted, the value nowhere in either file", async () => {
        const file = writeStackFile(tmp, "prod", "secret.yaml", {});
        const doc = YAML.parse(fs.readFileSync(file, "utf8"));
        delete doc.config["eco2-tracing:jaeger"].storage.passwordSecretRef;
        doc.config["eco2-tracing:jaegerStoragePassword"] = { secure: "v1:c2FsdA==:ZW5jcnlwdGVkIGVsc2V3aGVyZQ==" };
        fs.writeFileSync(file, YAML.stringify(doc));
        const out = path.join(tmp, "secret-out");
        const run = await timed(["prod", "--config-file", file, "--out", out]);
        assert.strictEqual(run.code, 0, run.stdout + run.stderr);
        const secret = docs(read(out, "manifests.yaml")).find((d) => d.kind === "Secret");
        assert.deepStrictEqual(secret?.data ?? secret?.stringData, { password: REDACTED });
        for (const f of ["manifests.yaml", "helm-releases.yaml"]) assert.ok(!read(out, f).includes(SECRET_PLACEHOLDER), f);
    });

    it("a mandatory violation: exit 1 with the violation as the engine reported it, files still written; a renamed release is warned about", async () => {
        // Valid config; prod's sampling range judges dev's 100 %. The release rename is what the pack must be told.
        const file = writeStackFile(tmp, "dev", "renamed.yaml", { jaeger: { namespace: "tracing", releaseName: "traces" } });
        const out = path.join(tmp, "violation-out");
        const run = await timed(["dev", "--config-file", file, "--policy-pack-config", "policy-pack/config/prod.json", "--out", out]);
        assert.strictEqual(run.code, 1, run.stdout + run.stderr);
        assert.match(run.stdout, /^policy pack eco2-tracing@0\.1\.0: 8 policies, 1 mandatory \(config: policy-pack\/config\/prod\.json\)$/m);
        assert.match(run.stdout, /^ {2}\[mandatory\] prod-sampling-range on urn:pulumi:dev::eco2-tracing::eco2:tracing:MeshTracing\$kubernetes:telemetry\.istio\.io\/v1:Telemetry::/m);
        assert.match(run.stdout, /FAILED: 0 schema failure\(s\), 1 mandatory policy violation\(s\)\n$/);
        for (const f of ["manifests.yaml", "helm-releases.yaml"]) assert.ok(fs.existsSync(path.join(out, f)), `${f} written for inspection`);
        const warned = warnings(run).map((l) => /^warning: ([a-z-]+)\.jaegerPodLabels .*instance=jaeger.* \(policy-pack\/config\/prod\.json\) do not cover the stack's Jaeger pods .*instance=traces.* in "tracing"/.exec(l)?.[1]);
        assert.deepStrictEqual(warned, ["jaeger-collector-not-headless", "jaeger-resources-bounded", "jaeger-ui-not-public"], run.stderr);
    });

    it("a bad config: exit 2 with the config module's message from the CLI, nothing written, the previous run's files removed", async () => {
        const out = path.join(tmp, "stale");
        // A previous run's files (the stack describes run after these tests, so not theirs).
        fs.mkdirSync(out);
        for (const f of ["manifests.yaml", "helm-releases.yaml"]) fs.writeFileSync(path.join(out, f), "# an earlier plan\n");
        // prod's rules under the dev stack name: also the environment warning.
        const file = writeStackFile(tmp, "prod", "bad.yaml", { sampling: 50 });
        const run = await timed(["dev", "--config-file", file, "--out", out]);
        assert.strictEqual(run.code, 2, run.stdout + run.stderr);
        assert.strictEqual(run.stdout, "");
        assert.deepStrictEqual(warnings(run), [
            `warning: ${file} sets eco2-tracing:environment "prod" but the stack is "dev"; the policy config is chosen by stack name (policy-pack/config/dev.json), so pass --policy-pack-config for the "prod" rules`,
            'invalid configuration for stack "dev" (1 problem):',
            '  - stack "dev": eco2-tracing:sampling = "50": prod samples 1–10 % of requests (inclusive)',
            `nothing written; removed the previous run's ${out}/manifests.yaml, ${out}/helm-releases.yaml.`,
        ]);
        assert.deepStrictEqual(fs.readdirSync(out), []);
    });

    it("an interrupt (Ctrl-C: the whole process group) stops the run and leaves no temporary state behind", async () => {
        const tmpdir = fs.mkdtempSync(path.join(tmp, "interrupt-"));
        const child = spawn(process.execPath, [path.join(ROOT, "bin/tools/synth/main.js"), "dev", "--out", path.join(tmp, "interrupt-out")],
            { cwd: ROOT, env: { ...process.env, TMPDIR: tmpdir }, detached: true, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
        await new Promise<void>((resolve) => child.stderr!.on("data", (chunk) => {
            stderr += chunk;
            if (stderr.includes("initialising local stack")) resolve();
        }));
        assert.deepStrictEqual(fs.readdirSync(tmpdir).filter((f) => f.startsWith("eco2-synth-")).length, 1, "the run's state exists");
        process.kill(-child.pid!, "SIGINT");
        assert.strictEqual(await exited, 130, stderr);
        assert.deepStrictEqual(fs.readdirSync(tmpdir).filter((f) => f.startsWith("eco2-synth-")), []);
    });

    it("numbers JSON cannot hold reach the config module as written (the CLI alone refuses such a stack file)", async () => {
        const file = path.join(tmp, "numbers.yaml");
        fs.writeFileSync(file, "config:\n  eco2-tracing:environment: dev\n  eco2-tracing:sampling: 1e999\n  eco2-tracing:jaeger:\n    replicas: .nan\n");
        const run = await timed(["dev", "--config-file", file, "--out", path.join(tmp, "numbers-out")]);
        assert.strictEqual(run.code, 2, run.stdout + run.stderr);
        assert.match(run.stderr, /eco2-tracing:sampling = "1e999": must be a percentage from 0 to 100/);
        assert.match(run.stderr, /eco2-tracing:jaeger\.replicas = "\.nan": is not a number/);
    });
});
