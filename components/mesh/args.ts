/**
 * What the mesh components are given, owned here and mirroring the Istio objects they create (index.ts maps the
 * stack config onto it): the mesh's tracing provider and an optional istiod, the Telemetry resources, the
 * ServiceEntries. `istiod.values` is the istiod chart's escape hatch.
 */

export interface IstiodArgs {
    readonly repo: string;
    readonly version: string;
    /** The rest of the mesh config to keep: the tracing provider is merged in, never replaces it. */
    readonly meshConfig: Record<string, unknown>;
    /** Other istiod chart values. */
    readonly values: Record<string, unknown>;
}

export interface IstioArgs {
    /** Where the mesh-wide Telemetry and the ServiceEntries live. */
    readonly rootNamespace: string;
    /** The Zipkin extension provider's name in the mesh config; every Telemetry selects it. */
    readonly tracingProvider: string;
    /** Envoy also emits W3C `traceparent` (Istio ≥ 1.28). */
    readonly w3cPropagation: boolean;
    readonly maxPathTagLength: number;
    /** Keep inbound sampling headers at the ingress gateways (default: removed, IngressSamplingGuard). */
    readonly trustClientSampling: boolean;
    readonly ingressGatewayLabels: Readonly<Record<string, string>>;
    /** Install or upgrade istiod with the provider merged into its mesh config. */
    readonly istiod?: IstiodArgs;
}

/** Istio's CustomTag: exactly one of the three. */
export interface CustomTag {
    readonly literal?: { readonly value: string };
    readonly environment?: { readonly name: string; readonly defaultValue?: string };
    readonly header?: { readonly name: string; readonly defaultValue?: string };
}

/** A Telemetry of its own for the workloads `matchLabels` selects in `namespace`. */
export interface WorkloadOverride {
    readonly name: string;
    readonly namespace: string;
    readonly matchLabels: Readonly<Record<string, string>>;
    readonly samplingPercent: number;
}

export interface TelemetryArgs {
    /** Envoy access logs in the mesh-wide Telemetry. */
    readonly accessLogging: boolean;
    /** Span tags on every Telemetry, by tag name. */
    readonly customTags: Readonly<Record<string, CustomTag>>;
    readonly workloadOverrides: readonly WorkloadOverride[];
}

/** One MESH_EXTERNAL ServiceEntry. */
export interface ExternalServiceArgs {
    readonly name: string;
    readonly hosts: readonly string[];
    readonly ports: readonly { readonly number: number; readonly name: string; readonly protocol: string }[];
    readonly resolution: "DNS" | "NONE";
}
