/**
 * The benchmark's pure parts (npm run bench itself is not a test and asserts no timings): the generated stack
 * configs are valid configs, the fleet fixture is schema-valid and passes the pack, plain baseline registers exactly what
 * synth writes, and the peak-memory preload reports every process, including a pack stopped with SIGTERM.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import * as k8s from "@pulumi/kubernetes";
import { parseConfig } from "../../components/config";
import { renderHelmReleases, renderManifests, stackObjects } from "../../tools/synth/write-manifests";
import { runUnderMocks } from "../../tools/mock-runtime";
import { analyze } from "../../tools/policy-check/analyzer";
import { validateAll } from "../../tools/synth/schema-validation";
import { readStackFile } from "../../tools/stack-file";
import { mockPlan, MockPlanResource } from "../../tools/mock-plan";
import { policies } from "../../policy-pack/policies";
import { externalServices, fleetObjects, fleetResources, generatedStackFile, manifestYaml, PROJECT } from "../../bench/fixtures";
import { plainBaselinePlan } from "../../bench/plain-baseline-plan";
import { registerPlain, resourceClass } from "../../bench/plain-baseline";
import { measure, median } from "../../bench/measure";
import { ROOT } from "../helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-test-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function generatedConfig(namespaces: number, services: number) {
    const file = path.join(tmp, `Pulumi.fleet-${namespaces}-${services}.yaml`);
    fs.writeFileSync(file, generatedStackFile(path.join(ROOT, "Pulumi.dev.yaml"), namespaces, services));
    const { config, secretKeys } = readStackFile(file, PROJECT);
    const raw = Object.fromEntries(Object.entries(config).map(([k, v]) => [k.slice(PROJECT.length + 1), v]));
    return parseConfig(raw, { stack: "fleet", secretKeys: new Set(secretKeys.map((k) => k.slice(PROJECT.length + 1))) });
}

describe("bench", function () {
    this.timeout(60_000);

    describe("generated stack configs", () => {
        it("are valid configs with N app namespaces (half created) and S external services", () => {
            const c = generatedConfig(10, 200);
            assert.deepStrictEqual(c.appNamespaces.map((n) => n.name), Array.from({ length: 10 }, (_, i) => `ns-${String(i + 1).padStart(4, "0")}`));
            assert.strictEqual(c.appNamespaces.filter((n) => n.create).length, 5);
            assert.strictEqual(c.externalServices.length, 200);
            assert.strictEqual(new Set(c.externalServices.flatMap((s) => s.hosts)).size, c.externalServices.reduce((n, s) => n + s.hosts.length, 0), "hosts are unique");
            // A mix of shapes: wildcard hosts resolve NONE, exact ones DNS, some with two ports.
            assert.deepStrictEqual(new Set(c.externalServices.map((s) => s.resolution)), new Set(["DNS", "NONE"]));
            assert.ok(c.externalServices.some((s) => s.ports.length === 2));
            assert.strictEqual(c.smokeTest.namespace, "ns-0001");
        });

        it("stay valid at fleet scale (1,000 namespaces, 1,000 services) and are deterministic", () => {
            const c = generatedConfig(1000, 1000);
            assert.strictEqual(c.appNamespaces.length, 1000);
            assert.strictEqual(c.externalServices.length, 1000);
            const base = path.join(ROOT, "Pulumi.dev.yaml");
            assert.strictEqual(generatedStackFile(base, 3, 4), generatedStackFile(base, 3, 4));
            assert.deepStrictEqual(externalServices(4), externalServices(4));
        });
    });

    describe("fleet resource set (analyzed resources, policy:check)", () => {
        const objects = fleetObjects(1000);

        it("has exactly N objects of every kind the fleet fixture promises, deterministically", () => {
            assert.strictEqual(objects.length, 1000);
            assert.strictEqual(fleetObjects(57).length, 57);
            const kinds = new Set(objects.map((o) => o.kind));
            for (const kind of ["Namespace", "NetworkPolicy", "Deployment", "Service", "ConfigMap", "Telemetry", "ServiceEntry"]) assert.ok(kinds.has(kind), kind);
            assert.ok(objects.filter((o) => o.kind === "Namespace").every((o) => o.metadata.labels?.["istio-injection"] === "enabled"));
            assert.deepStrictEqual(fleetObjects(1000), objects);
            assert.throws(() => fleetObjects(4), /at least 5/);
        });

        it("is valid against the upstream schemas, with unique objects", async () => {
            const kube = objects.map((o) => ({ ...o, type: "bench", resourceName: o.metadata.name, urn: "", namespace: o.metadata.namespace, name: o.metadata.name, patch: false, body: o, redacted: o }));
            const invalid = (await validateAll(kube, [])).filter((r) => r.status !== "valid");
            assert.deepStrictEqual(invalid, []);
        });

        it("passes every policy of the pack (as analyzed resources and as YAML)", async () => {
            const resources = fleetResources(objects);
            assert.strictEqual(resources.length, 1002);
            assert.strictEqual(new Set(resources.map((r) => r.urn)).size, resources.length);
            const asAnalyzed = resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs }));
            const { diagnostics } = await analyze(policies, asAnalyzed);
            assert.deepStrictEqual(diagnostics, []);
            const docs = YAML.parseAllDocuments(manifestYaml(objects)).map((d) => d.toJS());
            assert.deepStrictEqual(docs, objects);
        });
    });

    describe("plain baseline", () => {
        it("maps type tokens to the plain @pulumi/kubernetes classes", () => {
            assert.strictEqual(resourceClass("kubernetes:core/v1:ConfigMap"), k8s.core.v1.ConfigMap);
            assert.strictEqual(resourceClass("kubernetes:networking.k8s.io/v1:NetworkPolicy"), k8s.networking.v1.NetworkPolicy);
            assert.strictEqual(resourceClass("kubernetes:apps/v1:Deployment"), k8s.apps.v1.Deployment);
            assert.strictEqual(resourceClass("kubernetes:core/v1:NamespacePatch"), k8s.core.v1.NamespacePatch);
            assert.strictEqual(resourceClass("kubernetes:rbac.authorization.k8s.io/v1:Role"), k8s.rbac.v1.Role);
            assert.strictEqual(resourceClass("kubernetes:helm.sh/v3:Release"), k8s.helm.v3.Release);
            assert.strictEqual(resourceClass("kubernetes:networking.istio.io/v1:ServiceEntry"), k8s.apiextensions.CustomResource);
            assert.throws(() => resourceClass("kubernetes:apps/v1:NoSuchKind"), /no class/);
            assert.throws(() => resourceClass("eco2:tracing:AppNamespace"), /not a Kubernetes type token/);
        });

        it("registers exactly the objects synth writes for the dev stack, and nothing else", async () => {
            const run = await mockPlan({ root: ROOT, stack: "dev" });
            const synth = stackObjects(run.resources);
            const manifests = renderManifests(synth.objects);
            const releases = renderHelmReleases(synth.releases);
            const plan = plainBaselinePlan(manifests, releases);
            assert.strictEqual(plan.length, synth.objects.length + synth.releases.length);

            const baseline = await runUnderMocks(() => registerPlain(plan), { project: "plain-baseline", stack: "bench", config: {} });
            const registered = baseline.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
            assert.strictEqual(registered.length, plan.length, "no components, providers or other resources");
            // Written again from what plain baseline registered, the files are byte for byte synth's.
            const asStack: MockPlanResource[] = registered.map((r) => ({ ...r, urn: `urn:pulumi:bench::plain-baseline::${r.type}::${r.name}` }));
            const again = stackObjects(asStack);
            assert.strictEqual(renderManifests(again.objects), manifests);
            assert.strictEqual(renderHelmReleases(again.releases), releases);
        });
    });

    describe("measure", () => {
        it("reports the peak memory of the process and of a child stopped with SIGTERM, which still dies of it", async () => {
            const script = path.join(tmp, "parent.js");
            fs.writeFileSync(script, [
                "const { spawn } = require('child_process');",
                "const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' });",
                // Long enough for the sampler to see the child on a loaded machine (300 ms missed it under load).
                "setTimeout(() => child.kill('SIGTERM'), 1500);",
                "child.on('exit', (code, signal) => console.log(JSON.stringify({ code, signal })));",
            ].join("\n"));
            const sample = await measure(script, [], tmp);
            assert.deepStrictEqual(JSON.parse(sample.stdout), { code: null, signal: "SIGTERM" });
            assert.ok(sample.peakMiB > 10, `peak ${sample.peakMiB} MiB`);
            assert.strictEqual(sample.children.length, 1);
            assert.ok(sample.children[0].peakMiB > 10);
            assert.ok(sample.wallS >= 1.5);
        });

        it("rejects a run that fails, with its stderr", async () => {
            const script = path.join(tmp, "fail.js");
            fs.writeFileSync(script, "console.error('boom'); process.exit(3);");
            await assert.rejects(measure(script, [], tmp), /exit 3\nboom/);
        });

        it("takes the median", () => {
            assert.strictEqual(median([3, 1, 2]), 2);
            assert.strictEqual(median([4, 1, 3, 2]), 2.5);
        });
    });
});
