/**
 * Clients must not choose what is sampled: Envoy's Zipkin tracer honours an inbound `x-b3-sampled: 1` (or `b3`,
 * `x-b3-flags: 1` for debug, `traceparent` with Istio's W3C option), so any internet client could push prod to 100 %
 * past its 1–10 % rule. An EnvoyFilter on the ingress gateways removes those headers with the HTTP manager's early
 * header mutation, which runs before the tracing decision (a route-level removal would run after it). The trace
 * IDs a client sends stay (`x-b3-traceid`/`x-b3-spanid`); the gateway then decides at the mesh's rate.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { sortKeys } from "../foundation/k8s";
import { Models, schemaError } from "./models";

/** The inbound headers that carry a sampling decision Envoy would follow. */
export const CLIENT_SAMPLING_HEADERS = ["b3", "traceparent", "x-b3-flags", "x-b3-sampled"] as const;

export interface IngressSamplingGuardArgs {
    /** The mesh root namespace: an EnvoyFilter there applies to the matching workloads of every namespace. */
    namespace: string;
    /** The ingress gateways' pod labels (Istio's charts: `istio: ingressgateway`). */
    gatewayLabels: Record<string, string>;
    models: Models;
}

/** The EnvoyFilter's spec: a MERGE into every HTTP manager of the selected gateways. */
export function ingressSamplingFilterSpec(gatewayLabels: Record<string, string>): Record<string, unknown> {
    const mutation = {
        name: "envoy.http.early_header_mutation.header_mutation",
        typed_config: {
            "@type": "type.googleapis.com/envoy.extensions.http.early_header_mutation.header_mutation.v3.HeaderMutation",
            mutations: CLIENT_SAMPLING_HEADERS.map((remove) => ({ remove })),
        },
    };
    return {
        workloadSelector: { labels: sortKeys(gatewayLabels) },
        configPatches: [{
            applyTo: "NETWORK_FILTER",
            match: { context: "GATEWAY", listener: { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager" } } } },
            patch: {
                operation: "MERGE",
                value: {
                    typed_config: {
                        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                        early_header_mutation_extensions: [mutation],
                    },
                },
            },
        }],
    };
}

export class IngressSamplingGuard extends pulumi.ComponentResource {
    readonly filterName: string;

    constructor(name: string, args: IngressSamplingGuardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eco2:tracing:IngressSamplingGuard", name, {}, opts);
        if (Object.keys(args.gatewayLabels).length === 0) {
            throw new pulumi.ResourceError("gatewayLabels must not be empty: the filter would apply to every gateway", this, true);
        }
        this.filterName = `${name}-client-sampling`;
        const metadata = { name: this.filterName, namespace: args.namespace };
        const spec = ingressSamplingFilterSpec(args.gatewayLabels);
        const error = schemaError(new args.models.EnvoyFilter({ metadata, spec }));
        if (error) throw new pulumi.ResourceError(error, this, true);
        const filter = { apiVersion: "networking.istio.io/v1alpha3", kind: "EnvoyFilter", metadata, spec };
        new k8s.apiextensions.CustomResource(`${name}-filter`, filter, { parent: this });
        this.registerOutputs({ filterName: this.filterName });
    }
}
