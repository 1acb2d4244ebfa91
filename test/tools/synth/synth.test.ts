/**
 * The pieces of `npm run synth` that run without the engine: the mock plan (resource tree with engine URNs and the
 * manifest writer, which the e2e suites use to know the program's objects), the schema validation and the exit
 * code. The command itself runs on the real engine: test/e2e/synth.e2e.ts.
 */
import * as assert from "assert";
import * as YAML from "yaml";
import { COMPUTED, REDACTED, renderHelmReleases, renderManifests, SECRET_SIG, SIG_KEY, stackObjects } from "../../../tools/synth/write-manifests";
import { validateAll } from "../../../tools/synth/schema-validation";
import { exitCode } from "../../../tools/synth/summary";
import { mockPlan, MockPlanResource } from "../../../tools/mock-plan";
import type { PolicyVerdict } from "../../../tools/synth/engine-plan";
import { ROOT } from "../../helpers";

describe("synth: the resource tree", () => {
    it("gives every resource the engine's URN (whole parent type chain), its parent and its provider", async () => {
        const run = await mockPlan({ root: ROOT, stack: "dev" });
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
const res = (type: string, name: string, inputs: Record<string, any>, custom = true): MockPlanResource => ({ type, name, urn: `${base}${type}::${name}`, custom, inputs });
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
    const objectsOf = (...rs: MockPlanResource[]) => stackObjects(rs);

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
            'Service x/svc (kubernetes:core/v1:Service "svc")': ["invalid", "spec.ports[0].port: must be integer", 'spec.type: must be equal to one of the allowed values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
            'ServiceEntry x/se (kubernetes:networking.istio.io/v1:ServiceEntry "se")': ["invalid", "spec.hosts: is required"],
            'Telemetry x/tel (kubernetes:telemetry.istio.io/v1:Telemetry "tel")': ["invalid", "spec.tracing[0].randomSamplingPercentage: must be <= 100"],
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
        const policy = (level: "advisory" | "mandatory") => ({ violations: [{ enforcementLevel: level }] }) as unknown as PolicyVerdict;
        const valid = [{ subject: "s", status: "valid" as const, issues: [], detail: "" }];
        assert.strictEqual(exitCode({ schema: valid, policy: policy("advisory") }), 0);
        assert.strictEqual(exitCode({ schema: valid, policy: policy("mandatory") }), 1);
        assert.strictEqual(exitCode({ schema: [{ ...valid[0], status: "invalid" }], policy: policy("advisory") }), 1);
        assert.strictEqual(exitCode({ schema: [{ ...valid[0], status: "not-validated" }], policy: policy("advisory") }), 0);
    });
});
