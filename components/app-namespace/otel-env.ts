/**
 * The OTEL SDK environment every app namespace gets as a ConfigMap (loaded with `envFrom`). Pure functions of config.
 *
 * Only variables the SDKs really read are set. URL exclusions exist as an env var in Python only
 * (`OTEL_PYTHON_EXCLUDED_URLS`, the fallback of every `OTEL_PYTHON_<FRAMEWORK>_EXCLUDED_URLS`); Node's http
 * instrumentation, the Java agent and Go have no such variable, so they are not listed.
 */
import { ENVIRONMENT_ATTRIBUTE } from "../foundation/attributes";
import { healthUrlPath } from "../foundation/health";
import { createHash } from "crypto";
import { sortKeys } from "../foundation/k8s";

export const OTEL_CONFIG_MAP_NAME = "otel-tracing-env";

/**
 * The SDKs' propagators, in extraction order. OTel's composite propagator runs every extractor and the last one that
 * finds a context wins. Envoy's Zipkin tracer rewrites only the multi-header `x-b3-*` form on each hop (and
 * `traceparent` only with Istio's W3C option), so on an app-to-app call `traceparent` still carries the calling
 * app's span while `x-b3-*` carries the sidecar's: B3 multi-header goes last so the sidecar's context wins. The single
 * `b3` header is never injected: Envoy prefers it on extraction but never rewrites it, so the callee's sidecar would
 * parent to the calling app instead of the calling sidecar. The same value serves both Istio modes: with
 * `USE_B3_WITH_W3C_PROPAGATION` Envoy writes both forms with the same span, so either extractor yields it
 * (test/e2e/trace-path.e2e.ts proves both with the real SDK and Jaeger).
 */
export const OTEL_PROPAGATORS = "tracecontext,baggage,b3multi";

export interface OtelEnvInput {
    environment: string;
    namespace: string;
    /** Sampling percentage 0–100 of the traces the app starts. */
    samplingPercent: number;
    /** OTLP gRPC endpoint of the collector, with scheme (`http://` makes the gRPC exporters connect without TLS). */
    otlpGrpcEndpoint: string;
    /** Paths excluded from instrumentation (health, readiness, metrics): exact paths, any query string. */
    healthCheckPaths: readonly string[];
}

/**
 * OTEL_TRACES_SAMPLER_ARG: the sampling percentage as the sampler's ratio (percentage / 100), a decimal string: at most 10 decimals, trailing zeros dropped, always
 * with a fractional part ("1.0", "0.05", "0.425"), never exponent notation or float noise like 0.05000000000000001.
 */
export function samplerRatio(samplingPercent: number): string {
    if (!(samplingPercent >= 0 && samplingPercent <= 100)) throw new RangeError(`samplingPercent must be 0–100, got ${samplingPercent}`);
    const fixed = (samplingPercent / 100).toFixed(10).replace(/0+$/, "");
    return fixed.endsWith(".") ? `${fixed}0` : fixed;
}

/**
 * One OTEL_PYTHON_EXCLUDED_URLS entry: the instrumentations (opentelemetry-util-http's ExcludeList) join the entries
 * with `|` and `re.search` the result in the full URL (ASGI/FastAPI: `scheme://host/path`; httpx and WSGI frameworks
 * add the query string), so an unanchored `metrics` would also drop `/api/v1/user-metrics`. Anchored on scheme, host
 * and the exact path, with an optional query string. The pattern uses only `^ $ ( ) ? .* [^/]+` and `\`-escaped
 * punctuation, which mean the same in Python's `re` and JavaScript's RegExp (no flags), so a JS RegExp checks it.
 */
export function excludedUrlPattern(entry: string): string {
    return `^https?://[^/]+${healthUrlPath(entry).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\?.*)?$`;
}

/** OTEL_PYTHON_EXCLUDED_URLS: the patterns, comma-separated (entries hold no comma: foundation/health.ts). */
export const excludedUrls = (paths: readonly string[]): string => paths.map(excludedUrlPattern).join(",");

/** The ConfigMap data, keys sorted. */
export function otelEnv(input: OtelEnvInput): Record<string, string> {
    const env: Record<string, string> = {
        OTEL_EXPORTER_OTLP_ENDPOINT: input.otlpGrpcEndpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        // Metrics stay with Prometheus (Istio/app scrapes), logs with Fluent Bit.
        OTEL_LOGS_EXPORTER: "none",
        OTEL_METRICS_EXPORTER: "none",
        OTEL_PROPAGATORS,
        OTEL_RESOURCE_ATTRIBUTES: `${ENVIRONMENT_ATTRIBUTE}=${input.environment},k8s.namespace.name=${input.namespace}`,
        OTEL_TRACES_EXPORTER: "otlp",
        // Parent-based: a request the sidecar sampled is always traced by the app; the ratio only applies to roots.
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: samplerRatio(input.samplingPercent),
    };
    if (input.healthCheckPaths.length > 0) env.OTEL_PYTHON_EXCLUDED_URLS = excludedUrls(input.healthCheckPaths);
    return sortKeys(env);
}

/** Pod annotation carrying otelEnvChecksum: a changed environment changes the pod template, so the pods roll. */
export const OTEL_ENV_CHECKSUM_ANNOTATION = "eco2-tracing/otel-env-checksum";

/**
 * The environment's checksum (sha256 of its sorted entries). Pods read envFrom only when they start: without a
 * template change a new sampler rate reaches running apps only on their next restart.
 */
export function otelEnvChecksum(env: Record<string, string>): string {
    return createHash("sha256").update(JSON.stringify(Object.entries(sortKeys(env)))).digest("hex");
}
