/**
 * Ingress NetworkPolicy on the Jaeger pods: collector ports from app and mesh namespaces, query port from config.
 * (skeleton: being implemented)
 */
import * as pulumi from "@pulumi/pulumi";
import { NetworkPolicyConfig } from "../lib/config";

export interface JaegerIngressPolicyArgs {
    namespace: string;
    podLabels: Record<string, string>;
    appNamespaces: string[];
    /** The mesh's own namespaces (istiod, gateways) whose proxies report spans. */
    meshNamespaces: string[];
    networkPolicy: NetworkPolicyConfig;
}

export class JaegerIngressPolicy extends pulumi.ComponentResource {
    constructor(name: string, args: JaegerIngressPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eco2:tracing:JaegerIngressPolicy", name, {}, opts);
        void args;
        this.registerOutputs({});
    }
}
