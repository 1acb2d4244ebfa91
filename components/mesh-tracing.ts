/**
 * Istio tracing: the Zipkin extension provider (meshConfig fragment) and telemetry.istio.io/v1 Telemetry resources.
 * (skeleton: being implemented)
 */
import * as pulumi from "@pulumi/pulumi";
import { IstioConfig, TelemetryConfig } from "../lib/config";
import { Models } from "../lib/models";

export interface MeshTracingArgs {
    istio: IstioConfig;
    telemetry: TelemetryConfig;
    /** Mesh-wide sampling percentage. */
    sampling: number;
    /** Collector Service host and Zipkin port Envoy reports to. */
    collectorHost: string;
    zipkinPort: number;
    models: Models;
}

export class MeshTracing extends pulumi.ComponentResource {
    readonly meshConfigFragment: Record<string, unknown>;

    constructor(name: string, args: MeshTracingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eco2:tracing:MeshTracing", name, {}, opts);
        this.meshConfigFragment = {};
        void args;
        this.registerOutputs({ meshConfigFragment: this.meshConfigFragment });
    }
}
