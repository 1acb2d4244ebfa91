/**
 * `npm run synth`: end to end as a child process (the mock runtime is process-global), plus the pieces it is built
 * from — the resource tree with engine URNs, the manifest writer and the schema validation — on their own.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { COMPUTED, REDACTED, renderHelmReleases, renderManifests, SECRET_SIG, SIG_KEY, stackObjects } from "../lib/manifests";
import { validateAll } from "../lib/schema-validation";
import { exitCode } from "../lib/synth-summary";
import { runProgramForSynth, StackResource } from "../lib/synth-run";
import type { PolicyGateResult } from "../lib/policy-gate";
import { ROOT, writeStackFile } from "./helpers";

const SYNTH = path.join(ROOT, "bin", "scripts", "synth.js");

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

function synth(...args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [SYNTH, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
        child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), "utf8");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-test-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const stackFile = (stack: string, name: string, set: Record<string, unknown>) => writeStackFile(tmp, stack, name, set);

describe("npm run synth (end to end)", function () {
    this.timeout(120_000);
    const runs: Record<string, [Run, Run]> = {};
    const out = (stack: string, i: number) => path.join(tmp, `${stack}-${i}`);

    before(async () => {
        const all = await Promise.all(["dev", "prod"].flatMap((stack) => [0, 1].map(async (i) => [stack, i, await synth(stack, "--out", out(stack, i))] as const)));
        for (const [stack, i, run] of all) (runs[stack] ??= [] as unknown as [Run, Run])[i] = run;
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: exit 0 with a summary, both files written`, () => {
            const run = runs[stack][0];
            assert.strictEqual(run.code, 0, run.stdout + run.stderr);
            assert.match(run.stdout, /^resources: \d+ registered, \d+ Kubernetes objects, 1 Helm release\(s\)$/m);
            assert.match(run.stdout, /^ +\d+ {2}Telemetry$/m);
            assert.match(run.stdout, /^schema: 26 valid, 0 invalid, 0 not validated$/m);
            assert.match(run.stdout, /^helm releases: 1 with name, chart and version set, 0 invalid; values are not schema-checked/m);
            assert.match(run.stdout, /^policy pack eco2-tracing@\S+: \d+ policies, /m);
            assert.match(run.stdout, /manifests\.yaml \(\d+ objects\)/);
            assert.match(run.stdout, /\nOK\n$/);
        });

        it(`${stack}: two runs write byte-identical files`, () => {
            for (const file of ["manifests.yaml", "helm-releases.yaml"]) assert.strictEqual(read(out(stack, 1), file), read(out(stack, 0), file), file);
        });

        it(`${stack}: manifests.yaml holds Kubernetes objects only, ordered by kind, namespace, name`, () => {
            const text = read(out(stack, 0), "manifests.yaml");
            assert.ok(!text.includes(SIG_KEY) && !/^\s*__/m.test(text), "no Pulumi wire markers or internal keys");
            const docs = YAML.parseAllDocuments(text).map((d) => d.toJS());
            assert.ok(docs.length > 0);
            const keys = docs.map((d) => [d.kind, d.metadata.namespace ?? "", d.metadata.name].join("\u0000"));
            assert.deepStrictEqual(keys, [...keys].sort());
            for (const d of docs) assert.ok(d.apiVersion && d.kind && d.metadata.name, JSON.stringify(d).slice(0, 200));
            assert.ok(docs.some((d) => d.apiVersion === "telemetry.istio.io/v1" && d.kind === "Telemetry"));
            assert.ok(docs.some((d) => d.apiVersion === "networking.istio.io/v1" && d.kind === "ServiceEntry"));
        });

        it(`${stack}: helm-releases.yaml has exactly name, namespace, repo, chart, version, values (with the generated userconfig)`, () => {
            const docs = YAML.parseAllDocuments(read(out(stack, 0), "helm-releases.yaml")).map((d) => d.toJS());
            assert.strictEqual(docs.length, 1);
            assert.deepStrictEqual(Object.keys(docs[0]).sort(), ["chart", "name", "namespace", "repo", "values", "version"]);
            const { values, ...release } = docs[0];
            assert.deepStrictEqual(release, { chart: "jaeger", name: "jaeger", namespace: "istio-system", repo: "https://jaegertracing.github.io/helm-charts", version: "4.11.1" });
            assert.ok(values.userconfig, "the Jaeger v2 config is part of the values");
        });
    }

    it("a config file with errors: exit 2, the config module's messages, nothing written", async () => {
        const file = stackFile("dev", "bad.yaml", { sampling: 250, appNamespaces: ["Bad_Name"] });
        const dir = path.join(tmp, "bad-out");
        const run = await synth("dev", "--config-file", file, "--out", dir);
        assert.strictEqual(run.code, 2, run.stdout + run.stderr);
        assert.match(run.stderr, /invalid configuration for stack "dev" \(2 problems\)/);
        assert.match(run.stderr, /stack "dev": eco2-tracing:sampling = "250": must be a percentage from 0 to 100/);
        assert.match(run.stderr, /stack "dev": eco2-tracing:appNamespaces\[0\](\.name)? = "Bad_Name": must be a DNS-1123 label/);
        assert.match(run.stderr, /nothing written/);
        assert.strictEqual(run.stdout, "");
        assert.ok(!fs.existsSync(dir), "nothing written");
    });

    it("a config that violates a mandatory policy: exit 1, the violation as the pack reported it", async () => {
        // Valid config (any DNS label), but the mesh defines no such tracing provider: the pack's
        // telemetry-provider-known policy rejects the Telemetry that names it.
        const file = stackFile("dev", "unknown-provider.yaml", { istio: { tracingProvider: "zipkin-legacy" } });
        const run = await synth("dev", "--config-file", file, "--out", path.join(tmp, "violation-out"));
        assert.strictEqual(run.code, 1, run.stdout + run.stderr);
        assert.match(run.stdout, /^ {2}\[mandatory\] telemetry-provider-known on urn:pulumi:dev::eco2-tracing::eco2:tracing:MeshTracing\$kubernetes:telemetry\.istio\.io\/v1:Telemetry::/m);
        assert.match(run.stdout, /"zipkin-legacy"/);
        assert.match(run.stdout, /FAILED: 0 schema failure\(s\), 1 mandatory policy violation\(s\)\n$/);
        assert.ok(fs.existsSync(path.join(tmp, "violation-out", "manifests.yaml")), "files are still written for inspection");
    });

    it("bad arguments: exit 2 with the usage", async () => {
        const run = await synth("dev", "--bogus");
        assert.strictEqual(run.code, 2);
        assert.match(run.stderr, /usage: npm run synth -- <stack>/);
    });
});

describe("synth: the resource tree", () => {
    it("gives every resource the engine's URN (whole parent type chain), its parent and its provider", async () => {
        const run = await runProgramForSynth({ root: ROOT, stack: "dev" });
        const stack = run.resources.find((r) => r.type === "pulumi:pulumi:Stack")!;
        assert.strictEqual(stack.urn, "urn:pulumi:dev::eco2-tracing::pulumi:pulumi:Stack::eco2-tracing-dev");
        const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
        assert.strictEqual(byUrn.size, run.resources.length, "URNs are unique");
        for (const r of run.resources.filter((x) => x !== stack)) {
            const parent = byUrn.get(r.parentUrn!);
            assert.ok(parent, `${r.urn}: parent ${r.parentUrn}`);
            const qualified = r.urn.split("::")[2];
            const expected = parent === stack ? r.type : `${parent.urn.split("::")[2]}$${r.type}`;
            assert.strictEqual(qualified, expected);
        }
        const telemetry = run.resources.find((r) => r.type === "kubernetes:telemetry.istio.io/v1:Telemetry")!;
        assert.match(telemetry.urn, /::eco2:tracing:MeshTracing\$kubernetes:telemetry\.istio\.io\/v1:Telemetry::/);
        assert.strictEqual(telemetry.providerUrn, "urn:pulumi:dev::eco2-tracing::pulumi:providers:kubernetes::k8s");
    });
});

const base = "urn:pulumi:t::p::";
const res = (type: string, name: string, inputs: Record<string, any>, custom = true): StackResource => ({ type, name, urn: `${base}${type}::${name}`, custom, inputs });
const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

describe("synth: manifests", () => {
    const unknown = require("@pulumi/pulumi/output").unknown;
    const resources = [
        res("pulumi:pulumi:Stack", "p-t", {}, false),
        res("kubernetes:core/v1:Service", "b", { apiVersion: "v1", kind: "Service", metadata: { name: "b", namespace: "x", __internal: 1 }, spec: { clusterIP: unknown } }),
        res("kubernetes:core/v1:Secret", "s", { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "x" }, stringData: secret({ password: "hunter2" }), data: { plain: "aHVudGVyMg==" } }),
        res("kubernetes:core/v1:ConfigMap", "a", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "y" }, data: { token: secret("t0k3n"), k: "v" } }),
        res("kubernetes:core/v1:NamespacePatch", "ns", { apiVersion: "v1", kind: "Namespace", metadata: { name: "x", labels: { "istio-injection": "enabled" } } }),
        res("kubernetes:helm.sh/v3:Release", "rel", { name: "jaeger", namespace: "x", chart: "jaeger", version: "4.11.1", repositoryOpts: { repo: "https://r" }, values: { pw: secret("p"), n: 1 }, compat: "true", atomic: true }),
        res("kubernetes:yaml/v2:ConfigGroup", "cg", { files: ["a.yaml"] }, false),
        res("kubernetes:yaml:ConfigFile", "local", {}, false),
        { ...res("kubernetes:core/v1:ConfigMap", "local-cm", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "local-cm", namespace: "z" } }), parentUrn: `${base}kubernetes:yaml:ConfigFile::local` },
    ];

    it("writes objects without secrets, wire markers or internal keys, ordered by kind, namespace, name", () => {
        const objects = stackObjects(resources);
        assert.deepStrictEqual(objects.objects.map((o) => `${o.kind}/${o.name}${o.patch ? " (patch)" : ""}`), ["ConfigMap/a", "ConfigMap/local-cm", "Namespace/x (patch)", "Secret/s", "Service/b"]);
        const text = renderManifests(objects.objects);
        for (const leak of ["hunter2", "aHVudGVyMg==", "t0k3n", SIG_KEY, "__internal"]) assert.ok(!text.includes(leak), leak);
        const docs = YAML.parseAllDocuments(text).map((d) => d.toJS());
        assert.deepStrictEqual(docs[0].data, { k: "v", token: REDACTED });
        assert.deepStrictEqual([docs[3].data, docs[3].stringData], [{ plain: REDACTED }, { password: REDACTED }]);
        assert.strictEqual(docs[4].spec.clusterIP, COMPUTED);
        assert.match(text, /^# patch \(server-side apply onto an existing object\) from kubernetes:core\/v1:NamespacePatch "ns"\napiVersion: v1\n/m);
        // The clear-text body stays available for schema validation only.
        assert.deepStrictEqual(objects.objects[3].body.stringData, { password: "hunter2" });
    });

    it("writes one document per Helm install with exactly the six fields, and lists what it cannot render offline", () => {
        const objects = stackObjects(resources);
        assert.deepStrictEqual(YAML.parse(renderHelmReleases(objects.releases)), { name: "jaeger", namespace: "x", repo: "https://r", chart: "jaeger", version: "4.11.1", values: { n: 1, pw: REDACTED } });
        // A component whose objects were registered here (v1 ConfigFile) is not listed; one the provider expands is.
        assert.deepStrictEqual(objects.unrendered.map((u) => u.type), ["kubernetes:yaml/v2:ConfigGroup"]);
    });

    it("does not depend on registration order", () => {
        const a = stackObjects(resources);
        const b = stackObjects([...resources].reverse());
        assert.strictEqual(renderManifests(b.objects), renderManifests(a.objects));
    });
});

describe("synth: schema validation", () => {
    const objectsOf = (...rs: StackResource[]) => stackObjects(rs);

    it("names the object and the JSON path of each failure (kubernetes-models and @kubernetes-models/istio)", async () => {
        const { objects, releases } = objectsOf(
            res("kubernetes:core/v1:Service", "svc", { apiVersion: "v1", kind: "Service", metadata: { name: "svc", namespace: "x" }, spec: { type: "Public", ports: [{ port: "80" }] } }),
            res("kubernetes:telemetry.istio.io/v1:Telemetry", "tel", { apiVersion: "telemetry.istio.io/v1", kind: "Telemetry", metadata: { name: "tel", namespace: "x" }, spec: { tracing: [{ randomSamplingPercentage: 500 }] } }),
            res("kubernetes:networking.istio.io/v1:ServiceEntry", "se", { apiVersion: "networking.istio.io/v1", kind: "ServiceEntry", metadata: { name: "se", namespace: "x" }, spec: { resolution: "DNS" } }),
            res("kubernetes:networking.k8s.io/v1:NetworkPolicy", "np", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "np", namespace: "x" }, spec: { podSelector: {}, egress: [{ ports: [{ port: 9411 }] }] } }),
        );
        const results = await validateAll(objects, releases);
        const issues = Object.fromEntries(results.map((r) => [r.subject, [r.status, ...r.issues.map((i) => `${i.path}: ${i.message}`)]]));
        assert.deepStrictEqual(issues, {
            'NetworkPolicy x/np (kubernetes:networking.k8s.io/v1:NetworkPolicy "np")': ["valid"],
            'Service x/svc (kubernetes:core/v1:Service "svc")': ["invalid", ".spec.ports[0].port: must be integer", '.spec.type: must be equal to one of the allowed values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
            'ServiceEntry x/se (kubernetes:networking.istio.io/v1:ServiceEntry "se")': ["invalid", ".spec.hosts: is required"],
            'Telemetry x/tel (kubernetes:telemetry.istio.io/v1:Telemetry "tel")': ["invalid", ".spec.tracing[0].randomSamplingPercentage: must be <= 100"],
        });
    });

    it("reports kinds without a model as not validated, skips required fields of patches, flags duplicates and unnamed releases", async () => {
        const { objects, releases } = objectsOf(
            res("kubernetes:example.com/v1:Widget", "w", { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }),
            res("kubernetes:networking.k8s.io/v1:NetworkPolicyPatch", "npp", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "np", namespace: "x" }, spec: { policyTypes: ["Egress"] } }),
            res("kubernetes:core/v1:ConfigMap", "one", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "x" } }),
            res("kubernetes:core/v1:ConfigMap", "two", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "x" } }),
            res("kubernetes:helm.sh/v3:Release", "r", { chart: "jaeger", version: "4.11.1" }),
        );
        const results = await validateAll(objects, releases);
        const byStatus = (s: string) => results.filter((r) => r.status === s).map((r) => [r.subject, ...r.issues.map((i) => `${i.path}: ${i.message}`), ...(s === "not-validated" ? [r.detail] : [])]);
        assert.deepStrictEqual(byStatus("not-validated"), [['Widget w (kubernetes:example.com/v1:Widget "w")', "no schema model for example.com/v1 Widget"]]);
        assert.deepStrictEqual(byStatus("invalid"), [
            ['ConfigMap x/c (kubernetes:core/v1:ConfigMap "two")', '.metadata.name: the same object is also declared by kubernetes:core/v1:ConfigMap "one"'],
            ['HelmRelease (provider namespace)/(unnamed) (kubernetes:helm.sh/v3:Release "r")', ".name: is required: without it the provider names the release with a random suffix"],
        ]);
        assert.ok(results.some((r) => r.subject.startsWith("NetworkPolicy x/np") && r.status === "valid"), "a patch may leave podSelector out");
    });

    it("fails the run on a schema failure or a mandatory violation, not on advisories", () => {
        const policy = (level: "advisory" | "mandatory") => ({ violations: [{ enforcementLevel: level }] }) as unknown as PolicyGateResult;
        const valid = [{ subject: "s", status: "valid" as const, issues: [], detail: "" }];
        assert.strictEqual(exitCode({ schema: valid, policy: policy("advisory") }), 0);
        assert.strictEqual(exitCode({ schema: valid, policy: policy("mandatory") }), 1);
        assert.strictEqual(exitCode({ schema: [{ ...valid[0], status: "invalid" }], policy: policy("advisory") }), 1);
        assert.strictEqual(exitCode({ schema: [{ ...valid[0], status: "not-validated" }], policy: policy("advisory") }), 0);
    });
});
