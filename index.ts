/**
 * eco2-tracing: the distributed-tracing plane of the Eco² platform.
 *
 *   apps ── OTLP :4317/:4318 ──┐
 *   Envoy sidecars, gateways ── Zipkin :9411 ──► jaeger-collector-clusterip ─► Jaeger v2 (Helm) ─► memory (dev)
 *                                                                                            └─► Elasticsearch (prod)
 *   operators/Kiali ── jaeger-query-clusterip :16686 UI, :16685 gRPC (in-cluster only)
 *
 * With tailSampling.routerReplicas the ClusterIP fronts OpenTelemetry Collector routers, which send each trace whole
 * to one Jaeger replica (components/collector-tier).
 *
 * Config is validated first: a bad stack config fails here, before any resource is registered. Then one component
 * per concern, each from its folder under components/ (the README's component table), each given its own args:
 * this file is where the stack config becomes them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./components/config";
import { sortKeys } from "./components/foundation/k8s";
import { Jaeger } from "./components/jaeger/jaeger";
import { PORTS, zipkinCollector } from "./components/foundation/topology";
import { spanPipeline } from "./components/jaeger/span-pipeline";
import { MeshTracing } from "./components/mesh/mesh-tracing";
import { ExternalServices } from "./components/mesh/external-services";
import { IngressSamplingGuard } from "./components/mesh/ingress-sampling-guard";
import { loadModels } from "./components/mesh/models";
import { verifyLiveMeshConfig } from "./components/mesh/mesh-config-guard";
import { AppNamespace } from "./components/app-namespace/app-namespace";
import { JaegerIngressPolicy } from "./components/network/jaeger-ingress-policy";
import { SmokeTest } from "./components/smoke-test/smoke-test";
import { CollectorTier, routerPodLabels } from "./components/collector-tier/collector-tier";
import { ROUTER_RESOURCES } from "./components/collector-tier/values";

export = async () => {
    const config = loadStackConfig();
    for (const warning of config.warnings) pulumi.log.warn(warning);
    const models = await loadModels();

    const provider = new k8s.Provider("k8s", {
        renderYamlToDirectory: config.kubernetes.renderYamlToDirectory,
        context: config.kubernetes.context,
        // The OTEL ConfigMaps change with the sampling rate: update them in place (the provider's default replaces a
        // changed ConfigMap, which for these fixed names means deleting what running apps' envFrom refers to).
        enableConfigMapMutable: true,
    });
    const opts = { provider };
    // A rendering (GitOps) provider cannot take Helm releases: charts are then rendered client-side instead.
    const renderYaml = config.kubernetes.renderYamlToDirectory !== undefined;
    const { istio, telemetry, networkPolicy } = config;

    // A Telemetry naming a provider istiod lacks switches tracing off mesh-wide, and istiod at most logs it: on a mesh
    // this stack does not manage, the live mesh config is read first, so a failure here has created nothing.
    if (!istio.istiod && istio.verifyMeshConfig) {
        const collector = zipkinCollector(config.jaeger.namespace);
        if (renderYaml) pulumi.log.info("live mesh config not checked: a rendering provider reaches no cluster");
        else await verifyLiveMeshConfig("live-mesh-config", { istio, configMapName: istio.meshConfigMap, collector }, opts);
    }

    // Tail sampling on several replicas: routers take every span and send each trace whole to one replica.
    const { routerReplicas, routerChart } = config.tailSampling;
    const routerRelease = `${config.jaeger.releaseName}-router`;
    const routers = routerReplicas === undefined ? undefined : routerPodLabels(routerRelease);
    const jaeger = new Jaeger("jaeger", {
        ...config.jaeger,
        collectorPodLabels: routers,
        storagePassword: config.storagePassword,
        pipeline: spanPipeline({ tailSampling: config.tailSampling, scrubAttributes: config.scrubAttributes }, config.smokeTest.enabled),
        renderYaml,
    }, opts);

    if (routerReplicas !== undefined) {
        new CollectorTier("collector-tier", {
            namespace: config.jaeger.namespace,
            releaseName: routerRelease,
            replicas: routerReplicas,
            chart: routerChart,
            jaegerPodLabels: jaeger.podLabels,
            resources: ROUTER_RESOURCES,
            renderYaml,
        }, opts);
    }

    const mesh = new MeshTracing("mesh-tracing", {
        istio,
        telemetry: {
            accessLogging: telemetry.accessLogging,
            customTags: telemetry.customTags,
            // `traceRoot` only matters to the config rules: Istio has no such field.
            workloadOverrides: telemetry.workloadOverrides.map((w) => ({
                name: w.name, namespace: w.namespace, matchLabels: w.matchLabels, samplingPercent: w.sampling,
            })),
        },
        samplingPercent: config.samplingPercent,
        collectorHost: jaeger.endpoints.collectorHost,
        zipkinPort: PORTS.zipkin,
        models,
        renderYaml,
    }, opts);

    // Clients must not force sampling past the stack's rate (the pack's prod-sampling-range).
    if (!istio.trustClientSampling) {
        const gatewayLabels = istio.ingressGatewayLabels;
        new IngressSamplingGuard("ingress-sampling-guard", { namespace: istio.rootNamespace, gatewayLabels, models }, opts);
    }

    new ExternalServices("external-services", { namespace: istio.rootNamespace, services: config.externalServices, models }, opts);

    // Egress allows only where egress is denied by default: in an open namespace an Egress policy would isolate every pod.
    const egress = networkPolicy.defaultDenyEgress ? {
        jaeger: { namespace: config.jaeger.namespace, podLabels: routers ?? jaeger.podLabels },
        dns: { namespace: networkPolicy.dnsNamespace, podLabels: networkPolicy.dnsPodLabels },
    } : undefined;
    const apps = config.appNamespaces.map((namespace) => new AppNamespace(`app-${namespace.name}`, {
        ...namespace,
        environment: config.environment,
        samplingPercent: config.samplingPercent,
        otlpGrpcEndpoint: jaeger.endpoints.otlpGrpc,
        egress,
    }, opts));

    // Not after Jaeger: nothing in it needs the pods, and beside the release it is in place as they come up, not
    // after the Services have settled.
    new JaegerIngressPolicy("jaeger-ingress", {
        namespace: config.jaeger.namespace,
        podLabels: jaeger.podLabels,
        appNamespaces: config.appNamespaces.map((n) => n.name),
        meshNamespaces: [istio.rootNamespace, ...istio.gatewayNamespaces],
        queryFrom: networkPolicy.queryIngressFrom,
        metricsFrom: networkPolicy.metricsIngressFrom,
        routerPodLabels: routers,
    }, opts);

    // The config guarantees the smoke namespace is an app namespace: its ConfigMap and egress policies come first.
    // After Jaeger's pods are ready (the release), not its Services' endpoint settling: the check's curl retries.
    const smokeApp = apps.find((a) => a.namespaceName === config.smokeTest.namespace);
    if (config.smokeTest.enabled && smokeApp) {
        new SmokeTest("tracing-smoke-test", {
            namespace: smokeApp.namespaceName,
            image: config.smokeTest.image,
            endpoints: jaeger.endpoints,
            otelConfigMapName: smokeApp.otelConfigMapName,
        }, { ...opts, dependsOn: [jaeger.release, smokeApp] });
    }

    return {
        environment: config.environment,
        sampling: config.samplingPercent,
        endpoints: jaeger.endpoints,
        meshConfig: mesh.meshConfigFragment,
        // Per namespace, for app stacks' StackReferences (envFrom: configMapRef).
        otelConfigMaps: sortKeys(Object.fromEntries(apps.map((a) => [a.namespaceName, a.otelConfigMapName]))),
        // Per namespace, for instrumentedDeployment's otelEnvChecksum: app pods roll when the environment changes.
        otelEnvChecksums: sortKeys(Object.fromEntries(apps.map((a) => [a.namespaceName, a.otelEnvChecksum]))),
    };
};
