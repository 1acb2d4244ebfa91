/**
 * Jaeger v2 from the official chart, plus the stable ClusterIP Services the mesh and apps use.
 *
 * Installed through helm-install.ts (a Helm Release, or a Chart for a rendering provider; the reasons are there).
 *
 * The release name is set explicitly (no auto-suffix): the chart derives the pod label app.kubernetes.io/instance
 * from it, and the ClusterIP Services select on that label.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { COLLECTOR_SERVICE, jaegerEndpoints, JaegerEndpoints, jaegerPodLabels, PORTS, QUERY_SERVICE } from "../foundation/topology";
import { chartSource, helmInstall } from "../helm/helm-install";
import { PART_OF } from "../foundation/k8s";
import type { JaegerArgs, SecretKeyRef } from "./args";
export type { JaegerArgs } from "./args";
import { jaegerChartValues, STORAGE_SECRET_KEY, storageSecretName } from "./values";

type ServicePort = k8s.types.input.core.v1.ServicePort;

/** Port names carry the protocol prefix and appProtocol is set, so Istio's protocol selection never guesses. */
const COLLECTOR_PORTS: ServicePort[] = [
    { name: "http-zipkin", port: PORTS.zipkin, targetPort: PORTS.zipkin, protocol: "TCP", appProtocol: "http" },
    { name: "grpc-otlp", port: PORTS.otlpGrpc, targetPort: PORTS.otlpGrpc, protocol: "TCP", appProtocol: "grpc" },
    { name: "http-otlp", port: PORTS.otlpHttp, targetPort: PORTS.otlpHttp, protocol: "TCP", appProtocol: "http" },
];
/** The UI/HTTP API, and the gRPC API Kiali queries by default (`external_services.tracing.use_grpc: true`). */
const QUERY_PORTS: ServicePort[] = [
    { name: "http-query", port: PORTS.query, targetPort: PORTS.query, protocol: "TCP", appProtocol: "http" },
    { name: "grpc-query", port: PORTS.queryGrpc, targetPort: PORTS.queryGrpc, protocol: "TCP", appProtocol: "grpc" },
];

export class Jaeger extends pulumi.ComponentResource {
    readonly endpoints: JaegerEndpoints;
    /** Exactly the labels the chart puts on the Jaeger pods for this release (selectors, NetworkPolicies). */
    readonly podLabels: Record<string, string>;
    readonly release: k8s.helm.v3.Release | k8s.helm.v4.Chart;
    readonly collectorService: k8s.core.v1.Service;
    readonly queryService: k8s.core.v1.Service;

    constructor(name: string, args: JaegerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eco2:tracing:Jaeger", name, {}, opts);
        this.endpoints = jaegerEndpoints(args.namespace);
        this.podLabels = jaegerPodLabels(args.releaseName);

        const storage = args.mode === "production" ? args.storage : undefined;
        let password: SecretKeyRef | undefined = storage?.passwordSecretRef;
        const dependsOn: pulumi.Resource[] = [];
        if (storage && !password && args.storagePassword !== undefined) {
            // stringData from the secret Output: encrypted in state, and the chart values only name the Secret.
            password = { name: storageSecretName(args.releaseName), key: STORAGE_SECRET_KEY };
            dependsOn.push(new k8s.core.v1.Secret(`${name}-storage-credentials`, {
                metadata: { name: password.name, namespace: args.namespace, labels: this.labels("storage") },
                type: "Opaque",
                stringData: { [password.key]: pulumi.secret(args.storagePassword) },
            }, { parent: this }));
        }

        this.release = helmInstall(`${name}-release`, {
            releaseName: args.releaseName,
            ...chartSource(args.chart),
            namespace: args.namespace,
            values: jaegerChartValues(args, args.pipeline, password),
            renderYaml: args.renderYaml,
        }, { parent: this, dependsOn });

        // Beside the release, not after it: the provider holds a Service until its endpoints are ready and then 10 s
        // longer (endpoints settle), so the first `pulumi up` still ends with working routes, and that wait overlaps
        // the chart's rollout instead of following it (3 s of the 16 s dev create, bench --real-engine --traces).
        const service = (suffix: string, serviceName: string, component: string, ports: ServicePort[], selector: Record<string, string>) =>
            new k8s.core.v1.Service(`${name}-${suffix}`, {
                metadata: { name: serviceName, namespace: args.namespace, labels: this.labels(component) },
                spec: { type: "ClusterIP", selector, ports },
            }, { parent: this });
        // Sidecars and apps keep this address whether the routers or Jaeger itself take their spans.
        const collectorPods = args.collectorPodLabels ?? this.podLabels;
        this.collectorService = service("collector-clusterip", COLLECTOR_SERVICE, "collector", COLLECTOR_PORTS, collectorPods);
        this.queryService = service("query-clusterip", QUERY_SERVICE, "query", QUERY_PORTS, this.podLabels);

        // Two replicas and a node drain: without a budget the eviction API takes both at once (no spans, no UI).
        if (args.replicas > 1) {
            new k8s.policy.v1.PodDisruptionBudget(`${name}-disruption-budget`, {
                metadata: { name: `${args.releaseName}-disruption-budget`, namespace: args.namespace, labels: this.labels("collector") },
                spec: { maxUnavailable: 1, selector: { matchLabels: this.podLabels } },
            }, { parent: this });
        }

        this.registerOutputs({ endpoints: this.endpoints, podLabels: this.podLabels });
    }

    private labels(component: string): Record<string, string> {
        return {
            "app.kubernetes.io/component": component,
            "app.kubernetes.io/managed-by": "pulumi",
            ...PART_OF,
        };
    }
}
