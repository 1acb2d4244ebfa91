/**
 * One application namespace's tracing wiring: the OTEL env ConfigMap apps load with `envFrom`, the egress
 * allows to the collector (and DNS) when the namespace denies egress by default, and optionally the namespace itself.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PART_OF, sortKeys } from "../foundation/k8s";
import { dnsEgressPolicy, jaegerEgressPolicy, Peer } from "../network";
import { OTEL_CONFIG_MAP_NAME, otelEnv, otelEnvChecksum } from "./otel-env";

export interface AppNamespaceArgs {
    /** The namespace the ConfigMap and egress policies go to. */
    readonly name: string;
    /** Create the Namespace (sidecar injection on, kept on delete) with `labels`; otherwise it is only referenced. */
    readonly create: boolean;
    readonly labels: Readonly<Record<string, string>>;
    /** The OTEL environment: the environment attribute, the SDKs' sampling percentage, the collector, paths not traced. */
    readonly environment: string;
    readonly samplingPercent: number;
    readonly otlpGrpcEndpoint: string;
    readonly healthCheckPaths: readonly string[];
    /** Egress allows to the collector pods and to DNS, for a namespace that denies egress by default; none otherwise. */
    readonly egress?: { readonly jaeger: Required<Peer>; readonly dns: Required<Peer> };
}

export class AppNamespace extends pulumi.ComponentResource {
    readonly namespaceName: string;
    readonly otelConfigMapName: string;
    /** For instrumentedDeployment's `otelEnvChecksum`: apps roll when their environment changes. */
    readonly otelEnvChecksum: string;

    constructor(name: string, args: AppNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eco2:tracing:AppNamespace", name, {}, opts);
        const ns = args.name;
        this.namespaceName = ns;
        this.otelConfigMapName = OTEL_CONFIG_MAP_NAME;

        // A referenced namespace (the default) is owned by the app team's stack: objects just name it, so nothing
        // is read or required at preview. A created one is kept on delete: it holds the apps' workloads.
        const namespace = args.create
            ? new k8s.core.v1.Namespace(`${name}-namespace`, {
                metadata: { name: ns, labels: sortKeys({ ...args.labels, "istio-injection": "enabled" }) },
            }, { parent: this, retainOnDelete: true })
            : undefined;
        const childOpts: pulumi.CustomResourceOptions = { parent: this, dependsOn: namespace ? [namespace] : [] };

        const data = otelEnv({
            environment: args.environment,
            namespace: ns,
            samplingPercent: args.samplingPercent,
            otlpGrpcEndpoint: args.otlpGrpcEndpoint,
            healthCheckPaths: args.healthCheckPaths,
        });
        this.otelEnvChecksum = otelEnvChecksum(data);
        new k8s.core.v1.ConfigMap(`${name}-otel-env`, {
            metadata: { name: OTEL_CONFIG_MAP_NAME, namespace: ns, labels: { ...PART_OF } },
            data,
        }, childOpts);

        // Only where egress is denied by default: in an open namespace an Egress policy would isolate every pod.
        if (args.egress) {
            const { jaeger, dns } = args.egress;
            const toJaeger = jaegerEgressPolicy(ns, jaeger.namespace, jaeger.podLabels);
            new k8s.networking.v1.NetworkPolicy(`${name}-jaeger-egress`, toJaeger, childOpts);
            new k8s.networking.v1.NetworkPolicy(`${name}-dns-egress`, dnsEgressPolicy(ns, dns.namespace, dns.podLabels), childOpts);
        }

        this.registerOutputs({
            namespaceName: this.namespaceName,
            otelConfigMapName: this.otelConfigMapName,
            otelEnvChecksum: this.otelEnvChecksum,
        });
    }
}
