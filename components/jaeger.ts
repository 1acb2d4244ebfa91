/**
 * Jaeger v2 from the official chart, plus the stable ClusterIP Services the mesh and apps use.
 * (skeleton: being implemented)
 */
import * as pulumi from "@pulumi/pulumi";
import { JaegerConfig } from "../lib/config";
import { jaegerEndpoints, JaegerEndpoints, jaegerPodLabels } from "../lib/jaeger-topology";

export interface JaegerArgs extends JaegerConfig {
    /** Storage password from a Pulumi secret, when not taken from an existing Kubernetes Secret. */
    storagePassword?: pulumi.Input<string>;
}

export class Jaeger extends pulumi.ComponentResource {
    readonly endpoints: JaegerEndpoints;
    readonly podLabels: Record<string, string>;

    constructor(name: string, args: JaegerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eco2:tracing:Jaeger", name, {}, opts);
        this.endpoints = jaegerEndpoints(args.namespace);
        this.podLabels = jaegerPodLabels(args.releaseName);
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
