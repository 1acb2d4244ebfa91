/** jaeger-collector-not-headless and jaeger-ui-not-public. */
import * as assert from "assert";
import { assertCompliant, assertViolation, run, violations, yaml } from "./helpers";

const HEADLESS = "jaeger-collector-not-headless";
const PUBLIC = "jaeger-ui-not-public";
const JAEGER = "{app.kubernetes.io/name: jaeger, app.kubernetes.io/instance: jaeger, app.kubernetes.io/component: all-in-one}";

const svc = (name: string, spec: string) => yaml(`
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: istio-system}
spec: ${spec}
`);

describe("policy jaeger-collector-not-headless", () => {
    it("a headless Service selecting Jaeger on a collector or query port is a violation", async () => {
        await assertViolation(HEADLESS, svc("jaeger-collector", `{clusterIP: None, selector: ${JAEGER}, ports: [{name: http-zipkin, port: 9411}, {name: grpc-otlp, port: 4317}]}`), [
            /Service istio-system\/jaeger-collector/,
            /exposes port 4317, 9411 but is headless/,
        ]);
        // The target port counts too; a selector that is a subset of the Jaeger labels selects Jaeger.
        await assertViolation(HEADLESS, svc("query", `{clusterIP: None, selector: {app.kubernetes.io/name: jaeger}, ports: [{port: 80, targetPort: 16686}]}`), [/port 16686/]);
        await assertViolation(HEADLESS, svc("query-grpc", `{clusterIP: None, selector: {app.kubernetes.io/name: jaeger}, ports: [{port: 16685}]}`), [/port 16685/]);
        await assertViolation(HEADLESS, svc("dual", `{clusterIPs: [None], selector: ${JAEGER}, ports: [{port: 4318}]}`), [/port 4318/]);
    });

    it("compliant: a cluster IP, other ports only, or pods that are not Jaeger", async () => {
        await assertCompliant(HEADLESS, svc("jaeger-collector-clusterip", `{type: ClusterIP, selector: ${JAEGER}, ports: [{port: 9411}]}`));
        await assertCompliant(HEADLESS, svc("jaeger-headless-metrics", `{clusterIP: None, selector: ${JAEGER}, ports: [{port: 8888}]}`));
        await assertCompliant(HEADLESS, svc("zipkin", `{clusterIP: None, selector: {app: zipkin}, ports: [{port: 9411}]}`));
        await assertCompliant(HEADLESS, svc("mixed", `{clusterIP: None, selector: {app.kubernetes.io/name: jaeger, app: other}, ports: [{port: 9411}]}`));
        await assertCompliant(HEADLESS, svc("no-selector", `{clusterIP: None, ports: [{port: 9411}]}`));
    });

    it("the router tier's backend Service may be headless on OTLP gRPC alone (its resolver reads the EndpointSlices)", async () => {
        const backends = (ports: string) => yaml(`
apiVersion: v1
kind: Service
metadata: {name: jaeger-router-backends, namespace: istio-system, labels: {app.kubernetes.io/component: router-backends}}
spec: {clusterIP: None, selector: ${JAEGER}, ports: ${ports}}
`);
        await assertCompliant(HEADLESS, backends("[{name: grpc-otlp, port: 4317}]"));
        await assertViolation(HEADLESS, backends("[{port: 4317}, {port: 9411}]"), [/exposes port 4317, 9411 but is headless/]);
    });

    it("which pods are Jaeger comes from config", async () => {
        const custom = svc("tempo", `{clusterIP: None, selector: {app: tempo}, ports: [{port: 4317}]}`);
        await assertCompliant(HEADLESS, custom);
        await assertViolation(HEADLESS, custom, [/port 4317/], { config: { jaegerPodLabels: { app: "tempo" } } });
    });
});

describe("policy jaeger-ui-not-public", () => {
    it("LoadBalancer and NodePort Services selecting Jaeger are violations; so are external IPs", async () => {
        await assertViolation(PUBLIC, svc("jaeger-ui", `{type: LoadBalancer, selector: ${JAEGER}, ports: [{port: 80, targetPort: 16686}]}`), [/Service istio-system\/jaeger-ui/, /type LoadBalancer/]);
        await assertViolation(PUBLIC, svc("jaeger-np", `{type: NodePort, selector: {app.kubernetes.io/instance: jaeger}, ports: [{port: 16686}]}`), [/type NodePort/]);
        await assertViolation(PUBLIC, svc("jaeger-ext", `{type: ClusterIP, externalIPs: [203.0.113.10], selector: ${JAEGER}, ports: [{port: 16686}]}`), [/externalIPs 203.0.113.10/]);
    });

    it("ClusterIP Services, and public Services of other apps, are fine", async () => {
        await assertCompliant(PUBLIC, svc("jaeger-query-clusterip", `{type: ClusterIP, selector: ${JAEGER}, ports: [{port: 16686}]}`));
        await assertCompliant(PUBLIC, svc("ingress", `{type: LoadBalancer, selector: {app: istio-ingressgateway}, ports: [{port: 443}]}`));
    });

    it("the jaeger Helm chart's own Service type is checked on the release", async () => {
        const release = (chart: string, type: string) => [{
            type: "kubernetes:helm.sh/v3:Release",
            name: "jaeger-release",
            urn: "urn:pulumi:dev::eco2-tracing::kubernetes:helm.sh/v3:Release::jaeger-release",
            props: { chart, name: "jaeger", namespace: "istio-system", values: { jaeger: { service: { type } } } },
        }];
        await assertViolation(PUBLIC, release("jaeger", "NodePort"), [/Release istio-system\/jaeger: values jaeger.service.type is NodePort/]);
        await assertViolation(PUBLIC, release("oci://ghcr.io/jaegertracing/charts/jaeger", "LoadBalancer"), [/LoadBalancer/]);
        await assertCompliant(PUBLIC, release("jaeger", "ClusterIP"));
        const other = await run(PUBLIC, release("bitnami/nginx", "LoadBalancer"));
        assert.deepStrictEqual([other.diagnostics.length, other.notApplicable.length], [0, 1]);
        assert.deepStrictEqual(await violations(PUBLIC, release("jaeger", "NodePort").map((r) => ({ ...r, type: "kubernetes:helm.sh/v4:Chart" }))).then((v) => v.length), 1);
    });
});
