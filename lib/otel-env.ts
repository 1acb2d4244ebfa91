/**
 * The OTEL SDK environment every app namespace gets as a ConfigMap (loaded with `envFrom`). Pure functions of config.
 *
 * Only variables the SDKs really read are set. URL exclusions exist as an env var in Python only
 * (`OTEL_PYTHON_EXCLUDED_URLS`, the fallback of every `OTEL_PYTHON_<FRAMEWORK>_EXCLUDED_URLS`); Node's http
 * instrumentation, the Java agent and Go have no such variable, so they are not listed.
 */
import { sortKeys } from "./objects";

export const OTEL_CONFIG_MAP_NAME = "otel-tracing-env";

export interface OtelEnvInput {
    environment: string;
    namespace: string;
    /** Sampling percentage 0–100. */
    sampling: number;
    /** OTLP gRPC endpoint of the collector, with scheme (`http://` makes the gRPC exporters connect without TLS). */
    otlpGrpcEndpoint: string;
    /** Path fragments excluded from instrumentation (health, readiness, metrics endpoints). */
    healthCheckPaths: readonly string[];
}

/**
 * The sampler ratio (percentage / 100) as a decimal string: at most 10 decimals, trailing zeros dropped, always
 * with a fractional part ("1.0", "0.05", "0.425"), never exponent notation or float noise like 0.05000000000000001.
 */
export function samplerArg(percent: number): string {
    if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new RangeError(`sampling must be 0–100, got ${percent}`);
    const fixed = (percent / 100).toFixed(10).replace(/0+$/, "");
    return fixed.endsWith(".") ? `${fixed}0` : fixed;
}

/** Python's exclusion list is comma-separated regexes matched anywhere in the URL: escape so fragments are literal. */
function excludedUrls(paths: readonly string[]): string {
    return paths.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(",");
}

/** The ConfigMap data, keys sorted. */
export function otelEnv(input: OtelEnvInput): Record<string, string> {
    const env: Record<string, string> = {
        OTEL_EXPORTER_OTLP_ENDPOINT: input.otlpGrpcEndpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        // Metrics stay with Prometheus (Istio/app scrapes), logs with Fluent Bit.
        OTEL_LOGS_EXPORTER: "none",
        OTEL_METRICS_EXPORTER: "none",
        // B3 first: Envoy's Zipkin tracer sends x-b3-* headers, so the app continues the sidecar's trace; the B3
        // propagators extract both the single and the multi-header form.
        OTEL_PROPAGATORS: "b3,tracecontext,baggage",
        OTEL_RESOURCE_ATTRIBUTES: `deployment.environment=${input.environment},k8s.namespace.name=${input.namespace}`,
        OTEL_TRACES_EXPORTER: "otlp",
        // Parent-based: a request the sidecar sampled is always traced by the app; the ratio only applies to roots.
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: samplerArg(input.sampling),
    };
    if (input.healthCheckPaths.length > 0) env.OTEL_PYTHON_EXCLUDED_URLS = excludedUrls(input.healthCheckPaths);
    return sortKeys(env);
}
