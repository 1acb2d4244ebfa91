/**
 * Names, ports and labels of the tracing plane that several concerns share: the Jaeger component creates them,
 * the mesh and app namespaces point at them, and the policy pack defaults to them. Pure functions of config.
 */

/** Container env var carrying the storage password; userconfig only holds a `${env:...}` reference to it. */
export const STORAGE_PASSWORD_ENV = "STORAGE_PASSWORD";

/**
 * The Jaeger release the suites run (toolchain/go/jaeger builds it from its Go module): the stacks deploy this image
 * tag, not the chart's appVersion 2.19.0, which the module proxy here does not serve and so was never tested.
 */
export const JAEGER_VERSION = "2.12.0";

export const COLLECTOR_SERVICE = "jaeger-collector-clusterip";
export const QUERY_SERVICE = "jaeger-query-clusterip";

/**
 * Ports of the Jaeger pods: the receivers, the query UI/HTTP API, the query gRPC API (Kiali's default transport) and
 * the Prometheus metrics the chart annotates its pods with.
 */
export const PORTS = Object.freeze({ zipkin: 9411, otlpGrpc: 4317, otlpHttp: 4318, query: 16686, queryGrpc: 16685, metrics: 8888 });

/**
 * Labels the jaeger chart (4.x) puts on its pods (templates/_helpers.tpl selectorLabels plus the component the
 * deployment sets). nameOverride is not used by this program, so the name is always "jaeger".
 */
export function jaegerPodLabels(releaseName: string): Record<string, string> {
    return {
        "app.kubernetes.io/component": "all-in-one",
        "app.kubernetes.io/instance": releaseName,
        "app.kubernetes.io/name": "jaeger",
    };
}

export interface JaegerEndpoints {
    /** Where Envoy (sidecars, gateways) sends Zipkin spans. */
    zipkin: string;
    /** OTLP gRPC endpoint for app SDKs (OTEL_EXPORTER_OTLP_ENDPOINT). */
    otlpGrpc: string;
    otlpHttp: string;
    query: string;
    /** Query gRPC API (api_v2/api_v3), what Kiali uses with `use_grpc: true`. */
    queryGrpc: string;
    collectorHost: string;
    queryHost: string;
}

export function jaegerEndpoints(namespace: string): JaegerEndpoints {
    const collectorHost = `${COLLECTOR_SERVICE}.${namespace}.svc.cluster.local`;
    const queryHost = `${QUERY_SERVICE}.${namespace}.svc.cluster.local`;
    return {
        zipkin: `http://${collectorHost}:${PORTS.zipkin}/api/v2/spans`,
        otlpGrpc: `http://${collectorHost}:${PORTS.otlpGrpc}`,
        otlpHttp: `http://${collectorHost}:${PORTS.otlpHttp}`,
        query: `http://${queryHost}:${PORTS.query}`,
        queryGrpc: `http://${queryHost}:${PORTS.queryGrpc}`,
        collectorHost,
        queryHost,
    };
}

/** Where Envoy's Zipkin tracer reports: the mesh's extension provider (service and port) for a Jaeger namespace. */
export function zipkinCollector(namespace: string): { host: string; zipkinPort: number } {
    return { host: jaegerEndpoints(namespace).collectorHost, zipkinPort: PORTS.zipkin };
}
