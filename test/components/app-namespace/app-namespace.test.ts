import * as assert from "assert";
import { configProblems, ofType, one, runStack } from "../../helpers";
import { assertValidK8s } from "../../k8s-schema";
import { jaegerEndpoints, jaegerPodLabels } from "../../../components/foundation/topology";
import { MockRun, RegisteredResource } from "../../../tools/mock-runtime";
import { DEFAULT_HEALTH_CHECK_PATHS } from "../../../components/foundation/health";
import { excludedUrls, otelEnv, otelEnvChecksum, samplerRatio } from "../../../components/app-namespace/otel-env";

const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const APPS = ["auth", "character", "chat", "scan", "my"];
const OTLP_GRPC = "http://jaeger-collector-clusterip.istio-system.svc.cluster.local:4317";

const policiesNamed = (run: MockRun, name: string) => ofType(run, POLICY).filter((p) => p.inputs.metadata.name === name);


/** Resources keyed by type and name, inputs as JSON. */
function snapshot(run: MockRun): Map<string, string> {
    return new Map(run.resources.map((r) => [`${r.type} ${r.name}`, JSON.stringify(r.inputs)]));
}

function diff(before: MockRun, after: MockRun) {
    const a = snapshot(before);
    const b = snapshot(after);
    return {
        added: [...b.keys()].filter((k) => !a.has(k)).sort(),
        removed: [...a.keys()].filter((k) => !b.has(k)).sort(),
        changed: [...a.keys()].filter((k) => b.has(k) && a.get(k) !== b.get(k)).sort(),
    };
}

function assertEgressPolicy(p: RegisteredResource, namespace: string): void {
    assert.strictEqual(p.inputs.metadata.namespace, namespace);
    assert.deepStrictEqual(p.inputs.spec, {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{
            to: [{
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } },
                podSelector: { matchLabels: jaegerPodLabels("jaeger") },
            }],
            ports: [{ protocol: "TCP", port: 4317 }, { protocol: "TCP", port: 4318 }, { protocol: "TCP", port: 9411 }],
        }],
    });
}

describe("AppNamespace", () => {
    describe("sampler argument", () => {
        it("is sampling / 100 as a plain decimal string", () => {
            const cases: [number, string][] = [[100, "1.0"], [10, "0.1"], [5, "0.05"], [1, "0.01"], [42.5, "0.425"], [0, "0.0"], [0.001, "0.00001"], [7, "0.07"]];
            for (const [percent, arg] of cases) assert.strictEqual(samplerRatio(percent), arg, `${percent} %`);
        });
        it("never shows float noise or exponent notation", () => {
            // 0.07 / 100 is 0.0007000000000000001 in binary floating point; 1e-7 would print as "1e-7".
            assert.strictEqual(0.07 / 100 === 0.0007, false, "precondition: the division is inexact");
            assert.strictEqual(samplerRatio(0.07), "0.0007");
            assert.strictEqual(samplerRatio(0.00001), "0.0000001");
            for (let tenth = 0; tenth <= 1000; tenth++) assert.match(samplerRatio(tenth / 10), /^[01]\.\d{1,10}$/, `${tenth / 10}`);
        });
        it("rejects values outside 0–100", () => {
            assert.throws(() => samplerRatio(101), RangeError);
            assert.throws(() => samplerRatio(-1), RangeError);
        });
    });

    describe("OTEL env", () => {
        it("omits the exclusion variable when there are no paths", () => {
            const env = otelEnv({ environment: "dev", namespace: "auth", samplingPercent: 100, otlpGrpcEndpoint: OTLP_GRPC, healthCheckPaths: [] });
            assert.ok(!("OTEL_PYTHON_EXCLUDED_URLS" in env));
        });
    });

    for (const [stack, samplerArg] of [["dev", "1.0"], ["prod", "0.05"]] as const) {
        describe(stack, () => {
            let run: MockRun;
            before(async () => (run = await runStack(stack)));

            it("one otel-tracing-env ConfigMap per app namespace with the full OTEL environment", async () => {
                const maps = ofType(run, CONFIG_MAP).filter((c) => c.inputs.metadata.name === "otel-tracing-env");
                assert.deepStrictEqual(maps.map((c) => c.inputs.metadata.namespace), APPS);
                for (const ns of APPS) {
                    const cm = one(run, CONFIG_MAP, `app-${ns}-otel-env`);
                    assert.deepStrictEqual(cm.inputs.data, {
                        OTEL_EXPORTER_OTLP_ENDPOINT: OTLP_GRPC,
                        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
                        OTEL_LOGS_EXPORTER: "none",
                        OTEL_METRICS_EXPORTER: "none",
                        OTEL_PROPAGATORS: "tracecontext,baggage,b3multi",
                        OTEL_PYTHON_EXCLUDED_URLS: excludedUrls(DEFAULT_HEALTH_CHECK_PATHS),
                        OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=${stack},k8s.namespace.name=${ns}`,
                        OTEL_TRACES_EXPORTER: "otlp",
                        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
                        OTEL_TRACES_SAMPLER_ARG: samplerArg,
                    });
                    assert.deepStrictEqual(Object.keys(cm.inputs.data), Object.keys(cm.inputs.data).sort(), "keys sorted");
                    assert.strictEqual(cm.inputs.data.OTEL_EXPORTER_OTLP_ENDPOINT, jaegerEndpoints("istio-system").otlpGrpc);
                    await assertValidK8s(cm);
                }
                if (stack === "prod") {
                    const ratio = Number(maps[0].inputs.data.OTEL_TRACES_SAMPLER_ARG);
                    assert.ok(ratio >= 0.01 && ratio <= 0.1, `prod ratio ${ratio}`);
                }
            });

            it("exports each namespace's ConfigMap name for stack references", () => {
                assert.deepStrictEqual(run.outputs?.otelConfigMaps, Object.fromEntries([...APPS].sort().map((ns) => [ns, "otel-tracing-env"])));
                assert.deepStrictEqual(Object.keys(run.outputs?.otelConfigMaps), [...APPS].sort());
            });

            it("exports each namespace's environment checksum: that of the ConfigMap's data, changing with the sampler", async () => {
                const sums = run.outputs?.otelEnvChecksums;
                assert.deepStrictEqual(Object.keys(sums), [...APPS].sort());
                for (const cm of ofType(run, "kubernetes:core/v1:ConfigMap").filter((c) => c.inputs.metadata.name === "otel-tracing-env")) {
                    assert.strictEqual(sums[cm.inputs.metadata.namespace], otelEnvChecksum(cm.inputs.data));
                }
                const other = await runStack(stack, { set: { sampling: stack === "dev" ? 50 : 2 } });
                for (const ns of APPS) assert.notStrictEqual(other.outputs?.otelEnvChecksums[ns], sums[ns], ns);
            });

            it("references the namespaces (no Namespace resource by default)", () => {
                assert.deepStrictEqual(ofType(run, NAMESPACE), []);
            });
        });
    }

    describe("egress policies", () => {
        it("prod (default-deny egress): exactly one allow-jaeger-egress per app namespace, three ports, chart selectors", async () => {
            const run = await runStack("prod");
            const policies = policiesNamed(run, "allow-jaeger-egress");
            assert.deepStrictEqual(policies.map((p) => p.inputs.metadata.namespace), APPS);
            for (const ns of APPS) {
                const p = one(run, POLICY, `app-${ns}-jaeger-egress`);
                assertEgressPolicy(p, ns);
                await assertValidK8s(p);
            }
        });

        it("prod: DNS egress to kube-dns on UDP and TCP 53 in every app namespace", async () => {
            const run = await runStack("prod");
            assert.deepStrictEqual(policiesNamed(run, "allow-dns-egress").map((p) => p.inputs.metadata.namespace), APPS);
            const p = one(run, POLICY, "app-auth-dns-egress");
            assert.deepStrictEqual(p.inputs.spec, {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [{
                    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                    ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
                }],
            });
            await assertValidK8s(p);
        });

        it("egress open (defaultDenyEgress false): no Egress policy at all, since one would isolate every pod of the namespace", async () => {
            const run = await runStack("dev", { set: { networkPolicy: { defaultDenyEgress: false } } });
            assert.deepStrictEqual(ofType(run, POLICY).filter((p) => p.inputs.spec.policyTypes.includes("Egress")), []);
        });

        it("dev with defaultDenyEgress: the same per-namespace policies, DNS from the configured namespace and labels", async () => {
            const run = await runStack("dev", { set: { networkPolicy: { defaultDenyEgress: true, dnsNamespace: "dns", dnsPodLabels: { "k8s-app": "coredns" } } } });
            assert.deepStrictEqual(policiesNamed(run, "allow-jaeger-egress").map((p) => p.inputs.metadata.namespace), APPS);
            for (const ns of APPS) assertEgressPolicy(one(run, POLICY, `app-${ns}-jaeger-egress`), ns);
            const dns = one(run, POLICY, "app-scan-dns-egress");
            assert.deepStrictEqual(dns.inputs.spec.egress[0].to, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "dns" } }, podSelector: { matchLabels: { "k8s-app": "coredns" } } }]);
        });

        it("follow the Jaeger namespace and release name", async () => {
            const run = await runStack("prod", { set: { jaeger: { namespace: "tracing", releaseName: "traces", mode: "production", replicas: 2, storage: { type: "opensearch", serverUrls: ["https://os:9200"], tlsSystemCAs: true } } } });
            const to = one(run, POLICY, "app-my-jaeger-egress").inputs.spec.egress[0].to[0];
            assert.deepStrictEqual(to.namespaceSelector.matchLabels, { "kubernetes.io/metadata.name": "tracing" });
            assert.deepStrictEqual(to.podSelector.matchLabels, jaegerPodLabels("traces"));
            assert.strictEqual(one(run, CONFIG_MAP, "app-my-otel-env").inputs.data.OTEL_EXPORTER_OTLP_ENDPOINT, "http://jaeger-collector-clusterip.tracing.svc.cluster.local:4317");
        });
    });

    describe("created namespaces", () => {
        it("create: true adds a Namespace named exactly, injection enabled plus the configured labels, sorted", async () => {
            const run = await runStack("dev", { set: { appNamespaces: ["auth", { name: "billing", create: true, labels: { team: "payments", "a.example.com/tier": "1" } }] } });
            const namespaces = ofType(run, NAMESPACE);
            assert.deepStrictEqual(namespaces.map((n) => n.name), ["app-billing-namespace"]);
            const ns = namespaces[0];
            assert.deepStrictEqual(ns.inputs.metadata, { name: "billing", labels: { "a.example.com/tier": "1", "istio-injection": "enabled", team: "payments" } });
            assert.deepStrictEqual(Object.keys(ns.inputs.metadata.labels), Object.keys(ns.inputs.metadata.labels).sort());
            await assertValidK8s(ns);
            // The namespaced children are registered after it (they depend on it).
            const order = run.resources.map((r) => r.name);
            assert.ok(order.indexOf("app-billing-namespace") < order.indexOf("app-billing-otel-env"));
        });

        it("per-namespace healthCheckPaths override the telemetry default", async () => {
            const run = await runStack("dev", { set: { appNamespaces: ["auth", { name: "chat", healthCheckPaths: ["livez", "readyz"] }] } });
            const excluded = (ns: string) => one(run, CONFIG_MAP, `app-${ns}-otel-env`).inputs.data.OTEL_PYTHON_EXCLUDED_URLS;
            assert.strictEqual(excluded("chat"), excludedUrls(["livez", "readyz"]));
            assert.strictEqual(excluded("auth"), excludedUrls(DEFAULT_HEALTH_CHECK_PATHS));
        });

        it("config rejects labels on a referenced namespace, a disabled injection label and commas in paths", () => {
            const problems = configProblems({ environment: "dev", appNamespaces: [{ name: "a", labels: { team: "x" } }, { name: "b", create: true, labels: { "istio-injection": "disabled" } }, { name: "c", healthCheckPaths: ["a,b"] }] });
            const expect = (...fragments: string[]) =>
                assert.ok(problems.some((p) => fragments.every((f) => p.includes(f))), `expected ${JSON.stringify(fragments)} in:\n${problems.join("\n")}`);
            expect('stack "dev"', "eco2-tracing:appNamespaces[0].labels", '{"team":"x"}', "allowed: create: true");
            expect("eco2-tracing:appNamespaces[1].labels.istio-injection", '"disabled"', 'allowed: "enabled"');
            expect("eco2-tracing:appNamespaces[2].healthCheckPaths[0]", '"a,b"', "no query string, fragment, whitespace or ','");
            assert.strictEqual(problems.length, 3, problems.join("\n"));
        });
    });

    describe("adding a namespace", () => {
        for (const stack of ["dev", "prod"]) {
            it(`${stack}: adds exactly its ConfigMap and egress policies; only the Jaeger ingress namespace list changes`, async () => {
                const before = await runStack(stack);
                // Inserted in the middle: resource names derive from the namespace, not its position.
                const after = await runStack(stack, { set: { appNamespaces: ["auth", "character", "billing", "chat", "scan", "my"] } });
                const d = diff(before, after);
                // Both Eco² stacks run default-deny egress, so each namespace brings its two egress policies.
                const perNamespace = ["kubernetes:core/v1:ConfigMap app-billing-otel-env", "kubernetes:networking.k8s.io/v1:NetworkPolicy app-billing-dns-egress", "kubernetes:networking.k8s.io/v1:NetworkPolicy app-billing-jaeger-egress"];
                assert.deepStrictEqual(d.added, ["eco2:tracing:AppNamespace app-billing", ...perNamespace].sort());
                assert.deepStrictEqual(d.removed, []);
                assert.deepStrictEqual(d.changed, ["kubernetes:networking.k8s.io/v1:NetworkPolicy jaeger-ingress-policy"]);
                const values = (run: MockRun) => one(run, POLICY, "jaeger-ingress-policy").inputs.spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values;
                assert.deepStrictEqual(values(after), [...values(before), "billing"].sort());
                // Everything else about the ingress policy is unchanged.
                const strip = (run: MockRun) => JSON.stringify({ ...one(run, POLICY, "jaeger-ingress-policy").inputs, spec: { ...one(run, POLICY, "jaeger-ingress-policy").inputs.spec, ingress: one(run, POLICY, "jaeger-ingress-policy").inputs.spec.ingress.slice(1) } });
                assert.strictEqual(strip(after), strip(before));
                assert.deepStrictEqual(one(after, POLICY, "jaeger-ingress-policy").inputs.spec.ingress[0].ports, one(before, POLICY, "jaeger-ingress-policy").inputs.spec.ingress[0].ports);
                assert.strictEqual(after.outputs?.otelConfigMaps.billing, "otel-tracing-env");
            });
        }

        it("two runs of the same config give identical objects", async () => {
            const [a, b] = [await runStack("prod"), await runStack("prod")];
            assert.deepStrictEqual(diff(a, b), { added: [], removed: [], changed: [] });
        });
    });
});
