/**
 * What one proxy's Envoy would do about tracing and access logs, read from the listeners istiod sent it: the tracing
 * block of its HTTP connection managers (the tracer, its collector cluster, the sampling, the span tags, the
 * trace-context option) and whether they log access. Pure functions of the xDS JSON.
 */
import type { Json, XdsSnapshot } from "../../toolchain/istiod/probe";

const HCM = "envoy.filters.network.http_connection_manager";

export interface ProxyTracing {
    /** The Envoy tracer istiod configured (envoy.tracers.zipkin); the report names the mesh config's provider. */
    provider: string;
    /** The cluster spans go to, e.g. outbound|9411||jaeger-collector-clusterip.istio-system.svc.cluster.local. */
    cluster: string;
    samplingPercent: number;
    /** Every span tag name, sorted (Istio adds its own istio.* ones). */
    customTags: string[];
    /** ZipkinConfig.trace_context_option; USE_B3 is the proto's default (not sent). */
    traceContextOption: string;
}

export interface ProxySummary {
    tracing: ProxyTracing | null;
    accessLog: boolean;
    /** How many HTTP connection managers the proxy got; 0 means nothing HTTP to trace. */
    httpManagers: number;
    /** The managers do not all trace the same way (the first one's is reported). */
    inconsistent: boolean;
}

const filterChains = (listener: Json): Json[] =>
    [...(listener.filterChains ?? []), ...(listener.defaultFilterChain ? [listener.defaultFilterChain] : [])];

/** Every HTTP connection manager's typed config in a listener (its filter chains and its default chain). */
export function httpManagers(listener: Json): Json[] {
    const filters: Json[] = filterChains(listener).flatMap((fc) => fc.filters ?? []);
    return filters.filter((f) => f.name === HCM && f.typedConfig).map((f) => f.typedConfig as Json);
}

export function tracingOf(hcm: Json): ProxyTracing | null {
    const t = hcm.tracing;
    if (!t?.provider) return null;
    const zipkin = t.provider.typedConfig ?? {};
    return {
        provider: String(t.provider.name),
        cluster: String(zipkin.collectorCluster ?? ""),
        // Envoy's default for an unset random_sampling is 100 %.
        samplingPercent: t.randomSampling?.value ?? 100,
        customTags: (t.customTags ?? []).map((c: Json) => String(c.tag)).sort(),
        traceContextOption: zipkin.traceContextOption ?? "USE_B3",
    };
}

export function summarize(snapshot: XdsSnapshot): ProxySummary {
    const managers = snapshot.listeners.flatMap(httpManagers);
    const tracings = managers.map(tracingOf);
    const distinct = new Set(tracings.map((t) => JSON.stringify(t)));
    return {
        tracing: tracings[0] ?? null,
        accessLog: managers.length > 0 && managers.every((m) => (m.accessLog ?? []).length > 0),
        httpManagers: managers.length,
        inconsistent: distinct.size > 1,
    };
}

/** Cluster name → Envoy discovery type (STATIC is the proto default, not sent). */
export function clusterTypes(snapshot: XdsSnapshot): Map<string, string> {
    return new Map(snapshot.clusters.map((c) => [String(c.name), String(c.type ?? (c.clusterType ? "CUSTOM" : "STATIC"))]));
}

/** The network filter that ends each filter chain routing to `cluster` (tcp_proxy for TLS, the HCM for HTTP). */
export function terminalFilters(snapshot: XdsSnapshot, cluster: string): string[] {
    const chains = snapshot.listeners.flatMap(filterChains);
    return chains.flatMap((fc) => {
        const last: Json | undefined = fc.filters?.[fc.filters.length - 1];
        return last?.typedConfig?.cluster === cluster ? [String(last.name)] : [];
    });
}
