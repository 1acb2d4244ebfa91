/**
 * eco2-tracing: the distributed-tracing plane of the Eco² platform.
 *
 *   apps (OTLP :4317) ─┐
 *   Envoy sidecars /    ├─► jaeger-collector-clusterip ─► Jaeger v2 (Helm) ─► memory (dev) | Elasticsearch (prod)
 *   gateways (Zipkin :9411)                                   ▲
 *                                     jaeger-query-clusterip :16686 (UI, in-cluster only)
 *
 * Config is validated first: a bad stack config fails here, before any resource is registered.
 */
import * as k8s from "@pulumi/kubernetes";
import { loadStackConfig } from "./lib/config";
import { loadModels } from "./lib/models";
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

    const jaeger = new Jaeger("jaeger", { config }, opts);
    const mesh = new MeshTracing("mesh-tracing", { config, models }, opts);
    new ExternalServices("external-services", { config, models }, opts);

    const apps = config.appNamespaces.map((ns) => new AppNamespace(`app-${ns.name}`, { config, namespace: ns }, opts));
    new JaegerIngressPolicy("jaeger-ingress", { config }, { ...opts, dependsOn: [jaeger] });

    if (config.smokeTest.enabled) {
        new SmokeTest("tracing-smoke-test", { config }, { ...opts, dependsOn: [jaeger, ...apps] });
    }

    return {
        environment: config.environment,
        sampling: config.sampling,
        endpoints: jaeger.endpoints,
        meshConfig: mesh.meshConfigFragment,
        otelConfigMaps: Object.fromEntries(apps.map((a) => [a.namespaceName, a.otelConfigMapName])),
    };
};
