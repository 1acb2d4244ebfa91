/**
 * The smoke workload's payloads and script: one Zipkin v2 span (the receiver Envoy sidecars use) and one OTLP/HTTP
 * JSON span (the receiver app SDKs use) as its child, so Jaeger shows a single trace that crossed both receivers.
 *
 * The JSON is built here from objects; only the per-run values (trace/span ids, timestamps) are placeholders that
 * the script fills in with sed when the pod starts, so the rendered objects stay identical between runs.
 */

/** Fixed first 8 hex digits of every smoke trace id, so smoke traces are recognisable in Jaeger. */
export const SMOKE_TRACE_PREFIX = "5a0ce7e5";
/** Written once both spans were accepted; the readiness probe checks it, so `pulumi up` waits for the result. */
export const SMOKE_MARKER = "/tmp/spans-sent";

/** Filled in by the script: ids are lower-case hex, times are decimal digits. */
export const PLACEHOLDERS = Object.freeze({
    traceId: "@TRACE_ID@",
    rootSpanId: "@ROOT_SPAN_ID@",
    childSpanId: "@CHILD_SPAN_ID@",
    /** Zipkin's timestamp is a JSON number: the script replaces the placeholder together with its quotes. */
    startMicros: "@START_US@",
    startNanos: "@START_NS@",
    endNanos: "@END_NS@",
});

/** Zipkin v2 (`POST /api/v2/spans`): the root span, named the way Istio names a sidecar's service (`app.namespace`). */
export function zipkinSpans(serviceName: string, namespace: string): string {
    return JSON.stringify([{
        traceId: PLACEHOLDERS.traceId,
        id: PLACEHOLDERS.rootSpanId,
        name: "smoke-test zipkin",
        kind: "SERVER",
        timestamp: PLACEHOLDERS.startMicros,
        duration: 2000,
        localEndpoint: { serviceName: `${serviceName}.${namespace}` },
        tags: { "eco2.smoke_test": "zipkin receiver :9411" },
    }]);
}

/** OTLP/HTTP JSON (`POST /v1/traces`): the child span; ids are hex strings, times decimal strings, kind an integer. */
export function otlpTraces(serviceName: string): string {
    return JSON.stringify({
        resourceSpans: [{
            resource: { attributes: [{ key: "service.name", value: { stringValue: serviceName } }] },
            scopeSpans: [{
                scope: { name: "eco2-tracing-smoke-test" },
                spans: [{
                    traceId: PLACEHOLDERS.traceId,
                    spanId: PLACEHOLDERS.childSpanId,
                    parentSpanId: PLACEHOLDERS.rootSpanId,
                    name: "smoke-test otlp",
                    kind: 1, // SPAN_KIND_INTERNAL
                    startTimeUnixNano: PLACEHOLDERS.startNanos,
                    endTimeUnixNano: PLACEHOLDERS.endNanos,
                    attributes: [{ key: "eco2.smoke_test", value: { stringValue: "otlp receiver :4318" } }],
                }],
            }],
        }],
    });
}

/**
 * POSIX sh for the curl image. Reads SMOKE_ZIPKIN_URL, SMOKE_ZIPKIN_SPANS, SMOKE_OTLP_URL, SMOKE_OTLP_TRACES and
 * SMOKE_MARKER; requires the OTEL ConfigMap to be loaded. curl retries while Jaeger and the policies come up; if it
 * still fails the container exits non-zero (CrashLoopBackOff). On success it writes the marker and idles, stopping
 * promptly on SIGTERM (a shell as PID 1 would otherwise ignore it until the grace period ends).
 */
export function smokeScript(): string {
    const p = PLACEHOLDERS;
    return [
        "set -eu",
        `: "\${OTEL_EXPORTER_OTLP_ENDPOINT:?the OTEL ConfigMap is not loaded}"`,
        "now=$(date +%s)",
        `trace=$(printf '${SMOKE_TRACE_PREFIX}%024x' "$now")`,
        `root=$(printf '%016x' "$now")`,
        `child=$(printf '%016x' "$((now + 1))")`,
        "fill() {",
        `  printf '%s' "$1" | sed -e "s/${p.traceId}/$trace/g" -e "s/${p.rootSpanId}/$root/g" -e "s/${p.childSpanId}/$child/g" \\`,
        `    -e "s/\\"${p.startMicros}\\"/\${now}000000/g" -e "s/${p.startNanos}/\${now}000000000/g" -e ` +
            `"s/${p.endNanos}/\${now}001000000/g"`,
        "}",
        "post() {",
        `  code=$(curl -sS --fail --retry 30 --retry-delay 5 --retry-all-errors --max-time 10 -o /dev/null -w '%{http_code}' \\`,
        `    -H 'Content-Type: application/json' --data-binary @- "$1")`,
        `  echo "$2: HTTP $code from $1"`,
        "}",
        `fill "$SMOKE_ZIPKIN_SPANS" | post "$SMOKE_ZIPKIN_URL" zipkin`,
        `fill "$SMOKE_OTLP_TRACES" | post "$SMOKE_OTLP_URL" otlp`,
        `: > "$SMOKE_MARKER"`,
        `echo "smoke test: trace $trace sent; Jaeger UI: /trace/$trace"`,
        "trap 'exit 0' TERM INT",
        "while :; do sleep 3600 & wait $!; done",
        "",
    ].join("\n");
}
