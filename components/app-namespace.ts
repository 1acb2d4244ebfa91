/**
 * One application namespace's tracing wiring: egress NetworkPolicy to the collector and the OTEL env ConfigMap.
 * (skeleton: being implemented)
 */
import * as pulumi from "@pulumi/pulumi";
import { AppNamespace as AppNamespaceConfig, NetworkPolicyConfig } from "../lib/config";
import { JaegerEndpoints } from "../lib/jaeger-topology";

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
        this.namespaceName = args.namespace.name;
        this.otelConfigMapName = "otel-tracing-env";
        this.registerOutputs({ namespaceName: this.namespaceName, otelConfigMapName: this.otelConfigMapName });
    }
}
