/**
 * eco2-tracing: the distributed-tracing plane of the Eco² platform.
 *
 *   apps ── OTLP :4317/:4318 ──┐
 *   Envoy sidecars, gateways ── Zipkin :9411 ──► jaeger-collector-clusterip ─► Jaeger v2 (Helm) ─► memory (dev)
 *                                                                                            └─► Elasticsearch (prod)
 *   operators/Kiali ── jaeger-query-clusterip :16686 (in-cluster only)
 *
 * Config is validated first: a bad stack config fails here, before any resource is registered.
 */
import * as k8s from "@pulumi/kubernetes";
import { loadStackConfig } from "./lib/config";
import { loadModels } from "./lib/models";
import { PORTS } from "./lib/jaeger-topology";
import { OTEL_CONFIG_MAP_NAME } from "./lib/otel-env";
import { Jaeger } from "./components/jaeger";
import { MeshTracing } from "./components/mesh-tracing";
import { ExternalServices } from "./components/external-services";
import { AppNamespace } from "./components/app-namespace";
import { JaegerIngressPolicy } from "./components/jaeger-ingress-policy";
import { SmokeTest } from "./components/smoke-test";

export = async () => {
    const config = loadStackConfig();
    const models = await loadModels();

    const provider = new k8s.Provider("k8s", {
        renderYamlToDirectory: config.kubernetes.renderYamlToDirectory,
        context: config.kubernetes.context,
    });
    const opts = { provider };
    // A rendering (GitOps) provider cannot take Helm releases: charts are then rendered client-side instead.
    const renderYaml = config.kubernetes.renderYamlToDirectory !== undefined;

    const jaeger = new Jaeger("jaeger", { ...config.jaeger, storagePassword: config.storagePassword, renderYaml }, opts);

    const mesh = new MeshTracing("mesh-tracing", {
        istio: config.istio,
        telemetry: config.telemetry,
        sampling: config.sampling,
        collectorHost: jaeger.endpoints.collectorHost,
        zipkinPort: PORTS.zipkin,
        models,
        renderYaml,
    }, opts);

    new ExternalServices("external-services", { namespace: config.istio.rootNamespace, services: config.externalServices, models }, opts);

    const apps = config.appNamespaces.map((namespace) => new AppNamespace(`app-${namespace.name}`, {
        namespace,
        environment: config.environment,
        sampling: config.sampling,
        endpoints: jaeger.endpoints,
        jaegerNamespace: config.jaeger.namespace,
        jaegerPodLabels: jaeger.podLabels,
        networkPolicy: config.networkPolicy,
    }, opts));

    new JaegerIngressPolicy("jaeger-ingress", {
        namespace: config.jaeger.namespace,
        podLabels: jaeger.podLabels,
        appNamespaces: config.appNamespaces.map((n) => n.name),
        meshNamespaces: [config.istio.rootNamespace, ...config.istio.gatewayNamespaces],
        networkPolicy: config.networkPolicy,
    }, { ...opts, dependsOn: [jaeger] });

    if (config.smokeTest.enabled && config.smokeTest.namespace) {
        // The smoke pod needs its namespace's ConfigMap and egress policies, and Jaeger to be up.
        const app = apps.find((a) => a.namespaceName === config.smokeTest.namespace);
        new SmokeTest("tracing-smoke-test", {
            namespace: config.smokeTest.namespace,
            image: config.smokeTest.image,
            endpoints: jaeger.endpoints,
            otelConfigMapName: app?.otelConfigMapName ?? OTEL_CONFIG_MAP_NAME,
        }, { ...opts, dependsOn: app ? [jaeger, app] : [jaeger] });
    }

    return {
        environment: config.environment,
        sampling: config.sampling,
        endpoints: jaeger.endpoints,
        meshConfig: mesh.meshConfigFragment,
        // Per namespace, for app stacks' StackReferences (envFrom: configMapRef).
        otelConfigMaps: Object.fromEntries(apps.map((a) => [a.namespaceName, a.otelConfigMapName]).sort(([a], [b]) => (a < b ? -1 : 1))),
    };
};
