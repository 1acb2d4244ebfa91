import * as assert from "assert";
import { ofType, one, runStack } from "../../helpers";
import { assertValidK8s } from "../../k8s-schema";
import { jaegerPodLabels } from "../../../components/foundation/topology";
import { MockRun } from "../../../tools/mock-runtime";
import { jaegerIngressPolicy } from "../../../components/network/network-policies";

const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const COLLECTOR_PORTS = [{ protocol: "TCP", port: 4317 }, { protocol: "TCP", port: 4318 }, { protocol: "TCP", port: 9411 }];
const REPORTERS = ["auth", "character", "chat", "istio-system", "my", "scan"];

const ingressPolicy = (run: MockRun) => one(run, POLICY, "jaeger-ingress-policy");
/** Mesh namespaces by Istio's labels, whether listed or not (a gateway in istio-ingress, a team added later). */
const MESH_BY_LABEL = [
    { namespaceSelector: { matchLabels: { "istio-injection": "enabled" } } },
    { namespaceSelector: { matchExpressions: [{ key: "istio.io/rev", operator: "Exists" }] } },
];
const collectorRule = (namespaces: string[]) => ({
    from: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: namespaces }] } },
        ...MESH_BY_LABEL],
    ports: COLLECTOR_PORTS,
});

/** What both stack files admit to the metrics port: kube-prometheus-stack's Prometheus pods. */
const PROMETHEUS_RULE = {
    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
    ports: [{ protocol: "TCP", port: 8888 }],
};

describe("JaegerIngressPolicy", () => {
    it("prod: on the Jaeger pods, collector ports from app + mesh namespaces, query ports (HTTP, gRPC) only from Kiali", async () => {
        const run = await runStack("prod");
        const ingress = ofType(run, POLICY).filter((p) => p.inputs.spec.policyTypes.includes("Ingress"));
        assert.deepStrictEqual(ingress.map((p) => p.name), ["jaeger-ingress-policy"], "exactly one ingress policy");
        const p = ingressPolicy(run);
        assert.deepStrictEqual(p.inputs.metadata, { name: "allow-jaeger-ingress", namespace: "istio-system", labels: { "app.kubernetes.io/part-of": "eco2-tracing" } });
        assert.deepStrictEqual(p.inputs.spec, {
            podSelector: { matchLabels: jaegerPodLabels("jaeger") },
            policyTypes: ["Ingress"],
            ingress: [
                collectorRule(REPORTERS),
                {
                    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } }, podSelector: { matchLabels: { app: "kiali" } } }],
                    ports: [{ protocol: "TCP", port: 16686 }, { protocol: "TCP", port: 16685 }],
                },
                PROMETHEUS_RULE,
            ],
        });
        await assertValidK8s(p);
    });

    it("dev: Prometheus in monitoring may scrape 8888 too (the chart annotates the pods for it)", async () => {
        const ingress = ingressPolicy(await runStack("dev")).inputs.spec.ingress;
        assert.deepStrictEqual(ingress[ingress.length - 1], PROMETHEUS_RULE);
    });

    it("no query peers configured: no query rule (an empty `from` would admit everyone)", async () => {
        const run = await runStack("dev", { set: { networkPolicy: { defaultDenyEgress: true } } });
        const p = ingressPolicy(run);
        assert.deepStrictEqual(p.inputs.spec.ingress, [collectorRule(REPORTERS)]);
        for (const port of ["16686", "16685", "8888"]) assert.ok(!JSON.stringify(p.inputs.spec).includes(port), port);
        await assertValidK8s(p);
    });

    it("metricsIngressFrom opens the metrics port 8888 to exactly those peers, in a rule of its own", async () => {
        const metricsIngressFrom = [{ namespace: "monitoring", podLabels: { "app.kubernetes.io/name": "prometheus" } }];
        const run = await runStack("prod", { set: { networkPolicy: { defaultDenyEgress: true, queryIngressFrom: [{ namespace: "istio-system", podLabels: { app: "kiali" } }], metricsIngressFrom } } });
        const p = ingressPolicy(run);
        assert.strictEqual(p.inputs.spec.ingress.length, 3);
        assert.deepStrictEqual(p.inputs.spec.ingress[2], {
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
            ports: [{ protocol: "TCP", port: 8888 }],
        });
        // The port Jaeger's Prometheus exporter really listens on (userconfig), not just a number in the policy.
        const release = one(run, "kubernetes:helm.sh/v3:Release", "jaeger-release");
        assert.strictEqual(release.inputs.values.userconfig.service.telemetry.metrics.readers[0].pull.exporter.prometheus.port, 8888);
        await assertValidK8s(p);
        // Without query peers the metrics rule stands alone next to the collector rule.
        const alone = ingressPolicy(await runStack("dev", { set: { networkPolicy: { metricsIngressFrom: [{ namespace: "monitoring" }] } } }));
        assert.deepStrictEqual(alone.inputs.spec.ingress.slice(1), [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 8888 }] }]);
    });

    it("gateway namespaces join the collector rule once, sorted; a peer without podLabels admits its whole namespace", async () => {
        const run = await runStack("dev", {
            set: {
                istio: { gatewayNamespaces: ["istio-ingress", "auth", "istio-system"] },
                networkPolicy: { queryIngressFrom: [{ namespace: "istio-ingress", podLabels: { istio: "ingressgateway", app: "gw" } }, { namespace: "monitoring" }] },
            },
        });
        const p = ingressPolicy(run);
        assert.deepStrictEqual(p.inputs.spec.ingress[0], collectorRule(["auth", "character", "chat", "istio-ingress", "istio-system", "my", "scan"]));
        assert.deepStrictEqual(p.inputs.spec.ingress[1].from, [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-ingress" } }, podSelector: { matchLabels: { app: "gw", istio: "ingressgateway" } } },
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
        ]);
        assert.deepStrictEqual(Object.keys(p.inputs.spec.ingress[1].from[0].podSelector.matchLabels), ["app", "istio"], "labels sorted");
        await assertValidK8s(p);
    });

    it("follows the Jaeger namespace, release name and mesh root namespace", async () => {
        const run = await runStack("dev", { set: { jaeger: { namespace: "tracing", releaseName: "traces" }, istio: { rootNamespace: "mesh-root" } } });
        const p = ingressPolicy(run);
        assert.strictEqual(p.inputs.metadata.namespace, "tracing");
        assert.deepStrictEqual(p.inputs.spec.podSelector.matchLabels, jaegerPodLabels("traces"));
        assert.deepStrictEqual(p.inputs.spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values, ["auth", "character", "chat", "mesh-root", "my", "scan"]);
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: opens exactly the target ports of the collector and query Services, on the pods they select`, async () => {
            const run = await runStack(stack);
            const p = ingressPolicy(run);
            const service = (name: string) => one(run, "kubernetes:core/v1:Service", name).inputs.spec;
            const targets = (name: string) => service(name).ports.map((port: { targetPort: number; protocol: string }) => `${port.protocol}/${port.targetPort}`).sort();
            const opened = (rule: { ports: { protocol: string; port: number }[] }) => rule.ports.map((port) => `${port.protocol}/${port.port}`).sort();
            // NetworkPolicy matches the pod port the Service forwards to, not the Service port.
            assert.deepStrictEqual(opened(p.inputs.spec.ingress[0]), targets("jaeger-collector-clusterip"));
            if (stack === "prod") assert.deepStrictEqual(opened(p.inputs.spec.ingress[1]), targets("jaeger-query-clusterip"));
            for (const name of ["jaeger-collector-clusterip", "jaeger-query-clusterip"]) assert.deepStrictEqual(service(name).selector, p.inputs.spec.podSelector.matchLabels, name);
        });
    }

    it("without app namespaces the mesh namespaces still report", () => {
        const p = jaegerIngressPolicy({ namespace: "istio-system", podLabels: { b: "2", a: "1" }, collectorFrom: ["istio-system"], queryFrom: [] });
        assert.deepStrictEqual(p.spec.ingress, [collectorRule(["istio-system"])]);
        assert.deepStrictEqual(Object.keys(p.spec.podSelector.matchLabels!), ["a", "b"]);
    });

    it("the schema check used here does reject a bad policy", async () => {
        const bad = jaegerIngressPolicy({ namespace: "istio-system", podLabels: { a: "1" }, collectorFrom: ["x"], queryFrom: [] });
        (bad.spec.ingress![0].ports![0] as { protocol: string }).protocol = "HTTP";
        await assert.rejects(assertValidK8s({ type: POLICY, name: "bad", inputs: bad, custom: true }), /protocol: must be equal to one of the allowed values/);
    });
});
