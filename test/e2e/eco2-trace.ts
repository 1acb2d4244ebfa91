/**
 * One Eco² request as the collector receives it: the ingress gateway's span and the app's two sidecar spans as Zipkin
 * (what Envoy reports), the app's server and client spans as OTLP (what the SDK exports), about fifteen tags each.
 * Shared by the real-Jaeger suites that need realistic traffic (memory sizing, tail sampling, span sizes).
 */
import * as assert from "assert";
import { hexId, zipkinSpan } from "./envoy-standin";

/** Spans per trace: three Zipkin (gateway, sidecar in, sidecar out), two OTLP (app server, app client). */
export const SPANS_PER_TRACE = 5;

export const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
export const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

export interface Eco2TraceOptions {
    /** The app the request goes to (default auth-api in auth); its sidecars report Istio's name `<name>.<namespace>`. */
    app?: { name: string; namespace: string };
    /** The app answers 500: its sidecar reports `error` (as Envoy does for 5xx), its server span status ERROR. */
    error?: boolean;
    /** The gateway span's duration, which bounds the trace's (the app's spans lie within it). */
    durationMicros?: number;
    /** Extra attributes on both app spans (e.g. a header or a database statement to be scrubbed). */
    appAttributes?: { key: string; value: { stringValue: string } }[];
}

export interface Eco2Trace {
    traceId: string;
    zipkin: Record<string, unknown>[];
    otlp: Record<string, unknown>[];
}

const DEFAULT_APP = { name: "auth-api", namespace: "auth" };

export function eco2Trace(i: number, nowMicros: number, environment: string, o: Eco2TraceOptions = {}): Eco2Trace {
    const app = o.app ?? DEFAULT_APP;
    const host = `${app.name}.${app.namespace}.svc.cluster.local`;
    const traceId = hexId(16);
    const ids = { gateway: hexId(8), sidecarIn: hexId(8), server: hexId(8), client: hexId(8), sidecarOut: hexId(8) };
    const requestId = `${traceId.slice(0, 8)}-0000-4000-8000-${String(i).padStart(12, "0")}`;
    const status = o.error ? 500 : 200;
    const proxy = (kind: "SERVER" | "CLIENT", service: string, namespace: string, url: string, durationMicros: number) => ({
        kind, service, namespace, environment, method: "GET", url, upstreamCluster: `outbound|8000||${new URL(url).hostname}`, status,
        startMicros: nowMicros, durationMicros, requestId,
    });
    const inbound = `http://${host}:8000/api/v1/users/${i}`;
    const zipkin = [
        zipkinSpan({ traceId, spanId: ids.gateway }, undefined, proxy("CLIENT", "istio-ingressgateway.istio-system", "istio-system", inbound, o.durationMicros ?? 12_000)),
        zipkinSpan({ traceId, spanId: ids.sidecarIn }, { traceId, spanId: ids.gateway }, proxy("SERVER", `${app.name}.${app.namespace}`, app.namespace, inbound, 12_000)),
        zipkinSpan({ traceId, spanId: ids.sidecarOut }, { traceId, spanId: ids.client }, proxy("CLIENT", `${app.name}.${app.namespace}`, app.namespace, `http://character-api.character.svc.cluster.local:8000/api/v1/characters/${i}`, 12_000)),
    ];
    const start = BigInt(nowMicros) * 1000n;
    const httpAttrs = (path: string, route: string) => [
        str("http.request.method", "GET"), str("url.path", path), str("url.scheme", "http"), str("http.route", route),
        str("server.address", host), int("server.port", 8000), str("network.protocol.version", "1.1"),
        int("http.response.status_code", status), str("user_agent.original", "Mozilla/5.0 (Linux; Android 14) Eco2/3.2.1"),
        str("client.address", "10.0.12.34"), str("network.peer.address", "127.0.0.6"), int("network.peer.port", 43512),
        str("url.query", `page=${i % 7}`), str("enduser.id", `user-${i}`), str("eco2.request_id", requestId),
    ];
    const otlpSpan = (spanId: string, parent: string, name: string, kind: number, path: string, code: number) => ({
        traceId, spanId, parentSpanId: parent, name, kind, startTimeUnixNano: String(start), endTimeUnixNano: String(start + 9_000_000n),
        attributes: [...httpAttrs(path, name.split(" ")[1] ?? path), ...(o.appAttributes ?? [])], status: { code },
    });
    const otlp = [
        otlpSpan(ids.server, ids.sidecarIn, "GET /api/v1/users/{id}", 2, `/api/v1/users/${i}`, o.error ? 2 : 0),
        otlpSpan(ids.client, ids.server, "GET", 3, `/api/v1/characters/${i}`, 0),
    ];
    return { traceId, zipkin, otlp };
}

/** An OTLP/HTTP JSON request for one app's spans, with the resource the app's OTEL environment gives it. */
export function otlpBody(spans: unknown[], env: Record<string, string>, service = DEFAULT_APP.name) {
    const resource = env.OTEL_RESOURCE_ATTRIBUTES.split(",").map((kv) => str(kv.split("=")[0], kv.split("=")[1]));
    return {
        resourceSpans: [{
            resource: { attributes: [str("service.name", service), ...resource, str("telemetry.sdk.language", "python"), str("telemetry.sdk.name", "opentelemetry"), str("telemetry.sdk.version", "1.38.0"), str("host.name", `${service}-7d9f8b6c5d-x2k4p`), int("process.pid", 1)] },
            scopeSpans: [{ scope: { name: "opentelemetry.instrumentation.fastapi", version: "0.59b0" }, spans }],
        }],
    };
}

export async function post(url: string, body: unknown, expected: number): Promise<void> {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    assert.strictEqual(res.status, expected, await res.text());
}
