/** The router tier under mocks: what prod with tailSampling.routerReplicas registers, and what the tier changes around it. */
import * as assert from "assert";
import { MockRun } from "../../../tools/mock-runtime";
import { routerConfig } from "../../../components/collector-tier/router-config";
import { ofType, one, runStack } from "../../helpers";
import { chartPodLabels } from "../jaeger/jaeger-helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SERVICE = "kubernetes:core/v1:Service";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const ROUTERS = { "app.kubernetes.io/instance": "jaeger-router", "app.kubernetes.io/name": "opentelemetry-collector" };

/** prod in tail mode: the mesh at 100 % and no workload overrides (the config rules' terms), 2 routers, 3 Jaegers. */
const tailProd = (routerReplicas?: number) => runStack("prod", {
    set: {
        sampling: undefined,
        telemetry: { accessLogging: true },
        tailSampling: { enabled: true, probabilisticPercent: 5, ...(routerReplicas ? { routerReplicas } : {}) },
        jaeger: {
            mode: "production", replicas: routerReplicas ? 3 : 1,
            storage: { type: "elasticsearch", serverUrls: ["https://es:9200"], tlsSystemCAs: true },
        },
        networkPolicy: { defaultDenyEgress: true },
    },
});

const routerValues = (run: MockRun) => one(run, RELEASE, "collector-tier-release").inputs.values;

describe("collector tier (tailSampling.routerReplicas)", () => {
    it("installs the chart in deployment mode with the pinned image, routerReplicas replicas and the k8s resolver", async () => {
        const run = await tailProd(2);
        const release = one(run, RELEASE, "collector-tier-release");
        assert.strictEqual(release.inputs.chart, "opentelemetry-collector");
        assert.strictEqual(release.inputs.version, "0.170.0");
        assert.strictEqual(release.inputs.name, "jaeger-router");
        const v = routerValues(run);
        assert.strictEqual(v.mode, "deployment");
        assert.strictEqual(v.replicaCount, 2);
        assert.deepStrictEqual(v.image, { repository: "otel/opentelemetry-collector-k8s", tag: "0.158.0" });
        const lb = v.alternateConfig.exporters.load_balancing;
        assert.strictEqual(lb.routing_key, "traceID");
        assert.deepStrictEqual(lb.resolver, { k8s: { service: "jaeger-router-backends.istio-system", ports: [4317] } });
        assert.deepStrictEqual(v.alternateConfig.service.pipelines.traces,
            { receivers: ["otlp", "zipkin"], processors: ["memory_limiter", "batch"], exporters: ["load_balancing"] });
        assert.deepStrictEqual(v.clusterRole, { create: false });
        // An export must stay under the 4 MiB a Jaeger receiver takes: 2,048 spans of up to 2 KiB (bench/tier.ts).
        assert.ok(v.alternateConfig.processors.batch.send_batch_max_size * 2048 <= 4 * 2 ** 20);
        assert.strictEqual(lb.protocol.otlp.compression, "snappy");
        // The Jaeger pipeline still tail-samples, on 3 replicas.
        assert.strictEqual(one(run, RELEASE, "jaeger-release").inputs.values.jaeger.replicas, 3);
    });

    it("the headless Service selects the Jaeger pods on 4317, the Role reads only EndpointSlices", async () => {
        const run = await tailProd(2);
        const backends = one(run, SERVICE, "collector-tier-backends").inputs;
        assert.strictEqual(backends.spec.clusterIP, "None");
        assert.deepStrictEqual(backends.spec.selector, chartPodLabels("jaeger"));
        assert.deepStrictEqual(backends.spec.ports.map((p: { port: number }) => p.port), [4317]);
        const role = one(run, "kubernetes:rbac.authorization.k8s.io/v1:Role", "collector-tier-resolver").inputs;
        assert.strictEqual(role.metadata.namespace, "istio-system");
        const readSlices = { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] };
        assert.deepStrictEqual(role.rules, [readSlices]);
        const binding = one(run, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "collector-tier-resolver").inputs;
        assert.deepStrictEqual(binding.subjects, [{ kind: "ServiceAccount", name: "jaeger-router", namespace: "istio-system" }]);
        assert.strictEqual(routerValues(run).serviceAccount.name, "jaeger-router");
    });

    it("the stable collector Service fronts the routers; NetworkPolicies follow the new hop", async () => {
        const run = await tailProd(2);
        assert.deepStrictEqual(one(run, SERVICE, "jaeger-collector-clusterip").inputs.spec.selector, ROUTERS);
        assert.deepStrictEqual(one(run, SERVICE, "jaeger-query-clusterip").inputs.spec.selector, chartPodLabels("jaeger"));
        const jaegerIngress = one(run, POLICY, "jaeger-ingress-policy").inputs.spec;
        const fromRouters = { from: [{ podSelector: { matchLabels: ROUTERS } }], ports: [{ protocol: "TCP", port: 4317 }] };
        assert.deepStrictEqual(jaegerIngress.ingress[0], fromRouters);
        const routerIngress = one(run, POLICY, "jaeger-ingress-routers").inputs.spec;
        assert.deepStrictEqual(routerIngress.podSelector, { matchLabels: ROUTERS });
        assert.deepStrictEqual(routerIngress.ingress[0].ports.map((p: { port: number }) => p.port), [4317, 4318, 9411]);
        assert.ok(routerIngress.ingress[0].from[0].namespaceSelector.matchExpressions[0].values.includes("auth"));
        const egress = ofType(run, POLICY).filter((p) => p.inputs.metadata.name === "allow-jaeger-egress");
        assert.strictEqual(egress.length, 5);
        for (const p of egress) assert.deepStrictEqual(p.inputs.spec.egress[0].to[0].podSelector, { matchLabels: ROUTERS });
    });

    it("without routerReplicas there is no tier and everything selects the Jaeger pods", async () => {
        const run = await tailProd();
        assert.strictEqual(ofType(run, RELEASE).length, 1);
        assert.deepStrictEqual(one(run, SERVICE, "jaeger-collector-clusterip").inputs.spec.selector, chartPodLabels("jaeger"));
        assert.strictEqual(ofType(run, POLICY).filter((p) => p.name === "jaeger-ingress-routers").length, 0);
    });

    it("the static resolver and routing by service (the e2e's control) are the same config otherwise", () => {
        const base = { listenHost: "127.0.0.1" };
        const k8s = routerConfig({ ...base, resolver: { k8s: { service: "b", namespace: "n" } } });
        const control = routerConfig({ ...base, resolver: { static: { hostnames: ["127.0.0.1:1"] } }, routingKey: "service" });
        const lb = (c: Record<string, any>) => c.exporters.load_balancing;
        assert.deepStrictEqual(lb(control).resolver, { static: { hostnames: ["127.0.0.1:1"] } });
        assert.strictEqual(lb(control).routing_key, "service");
        assert.deepStrictEqual({ ...k8s, exporters: {} }, { ...control, exporters: {} });
    });
});
