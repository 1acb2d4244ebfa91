/**
 * Ingress NetworkPolicy on the Jaeger pods: the collector ports from the app and mesh namespaces (listed, or in the
 * mesh by Istio's namespace labels, so an unlisted gateway or team namespace keeps its spans; with the router tier
 * those go to the routers, and Jaeger takes OTLP gRPC from the routers alone), the query port only from the
 * configured peers (none: the UI is reachable by `kubectl port-forward` alone).
 *
 * It isolates the Jaeger pods, so their other ports are closed to other pods as well: metrics 8888 opens only to
 * `networkPolicy.metricsIngressFrom` (Prometheus), health 13133 to nobody.
 * Kubelet probes come from the pod's own node, which NetworkPolicy always admits.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { jaegerIngressPolicy, Peer, routerIngressPolicy } from "./network-policies";

export interface JaegerIngressPolicyArgs {
    namespace: string;
    podLabels: Record<string, string>;
    appNamespaces: string[];
    /** The mesh's own namespaces (istiod, gateways) whose proxies report spans. */
    meshNamespaces: string[];
    /** Who may reach the query UI and APIs (none: `kubectl port-forward` only). */
    queryFrom: readonly Peer[];
    /** Who may scrape the metrics port (none: closed). */
    metricsFrom: readonly Peer[];
    /** The router tier's pods, when it is on: they take the reporting namespaces' spans and alone reach Jaeger. */
    routerPodLabels?: Record<string, string>;
}

export class JaegerIngressPolicy extends pulumi.ComponentResource {
    readonly policyName: string;

    constructor(name: string, args: JaegerIngressPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eco2:tracing:JaegerIngressPolicy", name, {}, opts);
        const collectorFrom = [...args.appNamespaces, ...args.meshNamespaces];
        const policy = jaegerIngressPolicy({
            namespace: args.namespace,
            podLabels: args.podLabels,
            collectorFrom,
            queryFrom: args.queryFrom,
            metricsFrom: args.metricsFrom,
            routerPodLabels: args.routerPodLabels,
        });
        new k8s.networking.v1.NetworkPolicy(`${name}-policy`, policy, { parent: this });
        if (args.routerPodLabels) {
            const routers = routerIngressPolicy(args.namespace, args.routerPodLabels, collectorFrom);
            new k8s.networking.v1.NetworkPolicy(`${name}-routers`, routers, { parent: this });
        }
        this.policyName = policy.metadata.name;
        this.registerOutputs({ policyName: this.policyName });
    }
}
