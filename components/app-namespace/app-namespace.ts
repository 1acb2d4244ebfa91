/**
 * One application namespace's tracing wiring: the OTEL env ConfigMap apps load with `envFrom`, the egress
 * allows to the collector (and DNS) when the namespace denies egress by default, and optionally the namespace itself.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppNamespace as AppNamespaceConfig, NetworkPolicyConfig } from "../config";
import { JaegerEndpoints } from "../foundation/topology";
import { PART_OF, sortKeys } from "../foundation/k8s";
import { dnsEgressPolicy, jaegerEgressPolicy } from "../network/network-policies";
import { OTEL_CONFIG_MAP_NAME, otelEnv } from "./otel-env";

export interface AppNamespaceArgs {
    namespace: AppNamespaceConfig;
    environment: string;
    sampling: number;
    endpoints: JaegerEndpoints;
    jaegerNamespace: string;
    jaegerPodLabels: Record<string, string>;
    networkPolicy: NetworkPolicyConfig;
}

export class AppNamespace extends pulumi.ComponentResource {
    readonly namespaceName: string;
    readonly otelConfigMapName: string;

    constructor(name: string, args: AppNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eco2:tracing:AppNamespace", name, {}, opts);
        const ns = args.namespace.name;
        this.namespaceName = ns;
        this.otelConfigMapName = OTEL_CONFIG_MAP_NAME;

        // A referenced namespace (the default) is owned by the app team's stack: objects just name it, so nothing
        // is read or required at preview. A created one is kept on delete: it holds the apps' workloads.
        const namespace = args.namespace.create
            ? new k8s.core.v1.Namespace(`${name}-namespace`, {
                metadata: { name: ns, labels: sortKeys({ ...args.namespace.labels, "istio-injection": "enabled" }) },
            }, { parent: this, retainOnDelete: true })
            : undefined;
        const childOpts: pulumi.CustomResourceOptions = { parent: this, dependsOn: namespace ? [namespace] : [] };

        new k8s.core.v1.ConfigMap(`${name}-otel-env`, {
            metadata: { name: OTEL_CONFIG_MAP_NAME, namespace: ns, labels: { ...PART_OF } },
            data: otelEnv({
                environment: args.environment,
                namespace: ns,
                sampling: args.sampling,
                otlpGrpcEndpoint: args.endpoints.otlpGrpc,
                healthCheckPaths: args.namespace.healthCheckPaths,
            }),
        }, childOpts);

        // Only where egress is denied by default: in an open namespace an Egress policy would isolate every pod.
        if (args.networkPolicy.defaultDenyEgress) {
            new k8s.networking.v1.NetworkPolicy(`${name}-jaeger-egress`, jaegerEgressPolicy(ns, args.jaegerNamespace, args.jaegerPodLabels), childOpts);
            new k8s.networking.v1.NetworkPolicy(`${name}-dns-egress`, dnsEgressPolicy(ns, args.networkPolicy.dnsNamespace, args.networkPolicy.dnsPodLabels), childOpts);
        }

        this.registerOutputs({ namespaceName: this.namespaceName, otelConfigMapName: this.otelConfigMapName });
    }
}
