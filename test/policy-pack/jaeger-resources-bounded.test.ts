/** jaeger-resources-bounded: the Helm install (values) and rendered Jaeger workloads (containers + --config). */
import * as assert from "assert";
import { AnalyzedResource } from "../../tools/policy-check/analyzer";
import { assertCompliant, assertViolation, run, violations, yaml } from "./helpers";

const NAME = "jaeger-resources-bounded";

function release(values: Record<string, unknown>, chart = "jaeger", type = "kubernetes:helm.sh/v3:Release"): AnalyzedResource {
    return {
        type,
        name: "jaeger-release",
        urn: `urn:pulumi:dev::eco2-tracing::${type}::jaeger-release`,
        props: { chart, name: "jaeger", namespace: "istio-system", repositoryOpts: { repo: "https://jaegertracing.github.io/helm-charts" }, values },
    };
}
const LIMITS = { resources: { limits: { memory: "512Mi" }, requests: { cpu: "100m", memory: "256Mi" } } };
const memoryConfig = (memory: Record<string, unknown>) => ({ extensions: { jaeger_storage: { backends: { primary_store: { memory } } } } });

/** The chart's rendered Deployment + user-config ConfigMap, with knobs. */
function rendered(opts: { limits?: string; config?: string; args?: string; mount?: string; withConfigMap?: boolean } = {}): AnalyzedResource[] {
    const { limits = "{memory: 512Mi}", config = "max_traces: 50000", args = `["--config", "/etc/jaeger/user-config.yaml"]`, withConfigMap = true } = opts;
    const mount = opts.mount ?? "{name: user-config, mountPath: /etc/jaeger/user-config.yaml, subPath: user-config.yaml}";
    const cm = `
apiVersion: v1
kind: ConfigMap
metadata: {name: user-config, namespace: istio-system}
data:
  user-config.yaml: |
    extensions:
      jaeger_storage:
        backends:
          some_store:
            memory:
              ${config}
---`;
    return yaml(`${withConfigMap ? cm : ""}
apiVersion: apps/v1
kind: Deployment
metadata: {name: jaeger, namespace: istio-system}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: jaeger}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: jaeger, app.kubernetes.io/instance: jaeger, app.kubernetes.io/component: all-in-one}
    spec:
      containers:
        - name: jaeger
          image: jaegertracing/jaeger:2.12.0
          args: ${args}
          resources: {limits: ${limits}}
          volumeMounts: [${mount}]
      volumes: [{name: user-config, configMap: {name: user-config}}]
`);
}

describe("policy jaeger-resources-bounded", () => {
    describe("Helm install of the jaeger chart", () => {
        it("a memory limit and a bounded memory store pass; so does the built-in config (no userconfig)", async () => {
            await assertCompliant(NAME, [release({ jaeger: LIMITS, userconfig: memoryConfig({ max_traces: 50000 }) })]);
            await assertCompliant(NAME, [release({ jaeger: LIMITS })]);
        });

        it("no memory limit is a violation on the release", async () => {
            const r = release({ jaeger: { resources: { requests: { memory: "256Mi" } } } });
            const result = await run(NAME, [r]);
            assert.deepStrictEqual(result.diagnostics.map((d) => [d.urn, d.enforcementLevel]), [[r.urn, "mandatory"]]);
            assert.match(result.diagnostics[0].detail, /Release istio-system\/jaeger \(values jaeger.resources\) sets no memory limit/);
            await assertViolation(NAME, [release({ jaeger: { resources: { limits: { memory: "lots" } } } })], [/"lots", which is not a positive quantity/]);
            await assertViolation(NAME, [release({ jaeger: { resources: { limits: { memory: "0" } } } })], [/not a positive quantity/]);
        });

        it("a memory store without a positive max_traces is a violation; Elasticsearch needs none", async () => {
            await assertViolation(NAME, [release({ jaeger: LIMITS, userconfig: memoryConfig({}) })], [/memory backend "primary_store" has no max_traces/]);
            await assertViolation(NAME, [release({ jaeger: LIMITS, userconfig: memoryConfig({ max_traces: 0 }) })], [/max_traces 0/]);
            await assertViolation(NAME, [release({ jaeger: LIMITS, userconfig: memoryConfig({ max_traces: "${env:MAX}" }) })], [/max_traces "\$\{env:MAX\}"/]);
            const es = { extensions: { jaeger_storage: { backends: { primary_store: { elasticsearch: { server_urls: ["https://es:9200"] } } } } } };
            await assertCompliant(NAME, [release({ jaeger: LIMITS, userconfig: es })]);
        });

        it("userconfig given as a YAML string is parsed; invalid YAML is reported", async () => {
            await assertViolation(NAME, [release({ jaeger: LIMITS, userconfig: "extensions:\n  jaeger_storage:\n    backends:\n      m:\n        memory: {}\n" })], [/backend "m" has no max_traces/]);
            await assertViolation(NAME, [release({ jaeger: LIMITS, userconfig: "extensions: [\n" })], [/userconfig is not valid YAML/]);
        });

        it("Helm v4 Chart resources and chart references (repo/jaeger, .tgz) count; other charts do not", async () => {
            await assertViolation(NAME, [release({}, "jaeger", "kubernetes:helm.sh/v4:Chart")], [/Chart istio-system\/jaeger/]);
            await assertViolation(NAME, [release({}, "jaegertracing/jaeger")], [/no memory limit/]);
            await assertViolation(NAME, [release({}, "./charts/jaeger-4.11.1.tgz")], [/no memory limit/]);
            const other = await run(NAME, [release({}, "bitnami/redis")]);
            assert.deepStrictEqual([other.diagnostics.length, other.notApplicable.map((n) => n.reason)], [0, ["no Jaeger install (jaeger Helm chart or Jaeger workload) in the checked resources"]]);
        });
    });

    describe("rendered Jaeger workload", () => {
        it("limits set and --config from a ConfigMap with max_traces: compliant", async () => {
            await assertCompliant(NAME, rendered());
            await assertCompliant(NAME, rendered({ args: `["--config=file:/etc/jaeger/user-config.yaml"]` }));
            await assertCompliant(NAME, rendered({ args: "[]", withConfigMap: false }), {});
        });

        it("no memory limit, or a memory store without max_traces, is a violation", async () => {
            await assertViolation(NAME, rendered({ limits: "{cpu: 500m}" }), [/Deployment istio-system\/jaeger container "jaeger" sets no memory limit/]);
            await assertViolation(NAME, rendered({ config: "{}" }), [/ConfigMap istio-system\/user-config key "user-config.yaml"\): memory backend "some_store" has no max_traces/]);
        });

        it("a directory mount resolves the key; a missing ConfigMap or a non-file config cannot be proven", async () => {
            await assertCompliant(NAME, rendered({ args: `["--config", "/etc/jaeger/user-config.yaml"]`, mount: "{name: user-config, mountPath: /etc/jaeger}" }));
            await assertViolation(NAME, rendered({ withConfigMap: false }), [/ConfigMap istio-system\/user-config key "user-config.yaml", which is not in the checked resources/]);
            await assertViolation(NAME, rendered({ args: `["--config", "/other/config.yaml"]` }), [/\/other\/config.yaml, which is not mounted from a ConfigMap/]);
            await assertViolation(NAME, rendered({ args: `["--config=yaml:extensions::jaeger_storage::backends::m::memory::max_traces: 5"]` }), [/cannot be checked for max_traces/]);
        });

        it("only the Jaeger containers need the limit when the pod has others (e.g. an auth proxy)", async () => {
            const withSidecar = rendered().map((r) => {
                if (r.type !== "kubernetes:apps/v1:Deployment") return r;
                const props = JSON.parse(JSON.stringify(r.props));
                props.spec.template.spec.containers.push({ name: "oauth-proxy", image: "quay.io/oauth2-proxy/oauth2-proxy:v7.6.0" });
                return { ...r, props };
            });
            await assertCompliant(NAME, withSidecar);
        });

        it("recognised by the Jaeger pod labels or the jaegertracing image", async () => {
            const byImage = rendered({ limits: "{}" }).map((r) => {
                if (r.type !== "kubernetes:apps/v1:Deployment") return r;
                const props = JSON.parse(JSON.stringify(r.props));
                props.spec.template.metadata.labels = { app: "tracing" };
                return { ...r, props };
            });
            assert.strictEqual((await violations(NAME, byImage)).length, 1);
        });
    });
});
