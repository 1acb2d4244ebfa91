/**
 * A stand-in for the Istio sidecar's (and gateway's) Envoy Zipkin tracer, for tests that run apps without a mesh.
 *
 * Why a stand-in: the trace path's correctness hinges on what Envoy does with the trace headers between two apps, and
 * no Envoy runs here. It does exactly what Envoy's Zipkin tracer does as Istio configures it (separate client and
 * server spans, `shared_span_context: false`; 128-bit trace IDs), and nothing more:
 * - extract the parent: the single `b3` header when present (Envoy prefers it), else `x-b3-*`; with Istio's W3C
 *   option (`traceContextOption: USE_B3_WITH_W3C_PROPAGATION`) `traceparent` when there is no B3 context;
 * - start its own span (SERVER for an inbound sidecar, CLIENT for an outbound sidecar or a gateway) and report it as a
 *   Zipkin v2 span to the collector's :9411;
 * - rewrite the `x-b3-*` headers to its span; with the W3C option also `traceparent`; never the single `b3` header,
 *   and without the W3C option never `traceparent`.
 * What it does is what real istiod told that proxy (`npm run mesh`'s report, ProxyTracing): the trace-context
 * option, the sampling rate for a trace it starts (a request that carries `x-b3-sampled` keeps its decision), and
 * which of the Istio and custom span tags it sets.
 */
import { randomBytes } from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";
import { ENVIRONMENT_ATTRIBUTE } from "../../components/foundation/attributes";
import type { ProxyTracing } from "../../tools/mesh/xds-summary";

export const hexId = (bytes: 8 | 16) => randomBytes(bytes).toString("hex");

export interface SpanContext {
    traceId: string;
    spanId: string;
}

type Headers = Record<string, string | string[] | undefined>;
const header = (h: Headers, name: string) => {
    const v = h[name];
    return Array.isArray(v) ? v[0] : v;
};

/** The parent Envoy continues, or undefined when it starts a trace. */
export function envoyExtract(h: Headers, w3c: boolean): SpanContext | undefined {
    const single = header(h, "b3");
    if (single) {
        const [traceId, spanId] = single.split("-");
        if (traceId && spanId) return { traceId, spanId };
    }
    const traceId = header(h, "x-b3-traceid");
    const spanId = header(h, "x-b3-spanid");
    if (traceId && spanId) return { traceId, spanId };
    const tp = w3c ? header(h, "traceparent") : undefined;
    const m = tp ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(tp) : null;
    return m ? { traceId: m[1], spanId: m[2] } : undefined;
}

/** The headers Envoy forwards after starting `span` as the child of `parent`. */
export function envoyInject(h: Headers, span: SpanContext, parent: SpanContext | undefined, w3c: boolean, sampled = true): Headers {
    const out: Headers = { ...h, "x-b3-traceid": span.traceId, "x-b3-spanid": span.spanId, "x-b3-sampled": sampled ? "1" : "0" };
    delete out["x-b3-parentspanid"];
    if (parent) out["x-b3-parentspanid"] = parent.spanId;
    if (w3c) out.traceparent = `00-${span.traceId}-${span.spanId}-${sampled ? "01" : "00"}`;
    return out;
}

/** Envoy's decision: the one the request carries (x-b3-sampled, or the single b3 header's), else random_sampling. */
export function envoySampled(h: Headers, samplingPercent: number, random = Math.random): boolean {
    const carried = header(h, "x-b3-sampled") ?? header(h, "b3")?.split("-")[2];
    if (carried === "1" || carried === "d") return true;
    if (carried === "0") return false;
    return random() * 100 < samplingPercent;
}

export const W3C_OPTION = "USE_B3_WITH_W3C_PROPAGATION";

export interface ProxySpan {
    kind: "SERVER" | "CLIENT";
    /** Istio's service name for the workload: `<canonical service>.<namespace>`. */
    service: string;
    namespace: string;
    environment: string;
    method: string;
    url: string;
    upstreamCluster: string;
    status: number;
    startMicros: number;
    durationMicros: number;
    requestId: string;
}

/**
 * A Zipkin v2 span with the tags Istio's Envoy puts on it (about fifteen, plus the mesh's custom environment tag);
 * with `customTags` (what istiod sent), only the Istio and custom tags named there.
 */
export function zipkinSpan(
    ctx: SpanContext, parent: SpanContext | undefined, s: ProxySpan, customTags?: string[],
): Record<string, unknown> {
    const [canonical] = s.service.split(".");
    const custom: Record<string, string> = {
        "istio.canonical_revision": "v1",
        "istio.canonical_service": canonical,
        "istio.mesh_id": "cluster.local",
        "istio.namespace": s.namespace,
        [ENVIRONMENT_ATTRIBUTE]: s.environment,
    };
    const sent = customTags ? Object.fromEntries(Object.entries(custom).filter(([k]) => customTags.includes(k))) : custom;
    return {
        traceId: ctx.traceId,
        id: ctx.spanId,
        ...(parent ? { parentId: parent.spanId } : {}),
        kind: s.kind,
        // Istio names a span after the route: `<host>:<port>/*` for the default route.
        name: `${new URL(s.url).host}/*`,
        timestamp: s.startMicros,
        duration: s.durationMicros,
        localEndpoint: { serviceName: s.service, ipv4: "127.0.0.1" },
        tags: {
            component: "proxy",
            "node_id": `sidecar~127.0.0.1~${canonical}-7d9f8b6c5d-x2k4p.${s.namespace}~${s.namespace}.svc.cluster.local`,
            "guid:x-request-id": s.requestId,
            "http.url": s.url,
            "http.method": s.method,
            "http.protocol": "HTTP/1.1",
            "http.status_code": String(s.status),
            "downstream_cluster": "-",
            "user_agent": "node",
            "peer.address": "127.0.0.1",
            "request_size": "0",
            "response_size": "2",
            "response_flags": "-",
            "upstream_cluster": s.upstreamCluster,
            "upstream_cluster.name": s.upstreamCluster,
            ...sent,
            // Envoy tags a 5xx response as an error; the Zipkin receiver turns that into status ERROR.
            ...(s.status >= 500 ? { error: "true" } : {}),
        },
    };
}

export interface StandInOptions {
    kind: ProxySpan["kind"];
    service: string;
    namespace: string;
    environment: string;
    /** Where requests go on: the app (inbound sidecar) or the next proxy (outbound sidecar, gateway). */
    upstream: string;
    /** The collector's Zipkin v2 endpoint (`.../api/v2/spans`). */
    zipkinUrl: string;
    /** What real istiod told this proxy (npm run mesh): trace-context option, sampling rate, span tags. */
    tracing: ProxyTracing;
}

export interface StandIn {
    url: string;
    /** The Zipkin spans reported so far, in order. */
    reported(): Record<string, unknown>[];
    /** Resolves when every span of the requests so far has been accepted by the collector. */
    flush(): Promise<void>;
    close(): Promise<void>;
}

async function report(zipkinUrl: string, span: Record<string, unknown>): Promise<void> {
    const res = await fetch(zipkinUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([span]) });
    if (res.status !== 202) throw new Error(`zipkin receiver answered ${res.status}: ${await res.text()}`);
}

/** An HTTP proxy that traces every request the way the sidecar's Envoy does (above). */
export async function startStandIn(o: StandInOptions): Promise<StandIn> {
    const pending: Promise<void>[] = [];
    const reported: Record<string, unknown>[] = [];
    const server = http.createServer((req, res) => {
        const start = Date.now();
        const w3c = o.tracing.traceContextOption === W3C_OPTION;
        const parent = envoyExtract(req.headers, w3c);
        const sampled = envoySampled(req.headers, o.tracing.samplingPercent);
        const span = { traceId: parent?.traceId ?? hexId(16), spanId: hexId(8) };
        const target = new URL(req.url ?? "/", o.upstream);
        const headers = envoyInject(req.headers, span, parent, w3c, sampled);
        headers.host = target.host;
        const requestId = header(req.headers, "x-request-id") ?? hexId(16);
        headers["x-request-id"] = requestId;
        const upstreamReq = http.request(target, { method: req.method, headers }, (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            up.on("end", () => {
                if (!sampled) return;
                const zipkin = zipkinSpan(span, parent, {
                    kind: o.kind, service: o.service, namespace: o.namespace, environment: o.environment, method: req.method ?? "GET",
                    url: target.toString(), upstreamCluster: `outbound|${target.port}||${target.hostname}`, status: up.statusCode ?? 0,
                    startMicros: start * 1000, durationMicros: Math.max(1, (Date.now() - start) * 1000), requestId,
                }, o.tracing.customTags);
                reported.push(zipkin);
                pending.push(report(o.zipkinUrl, zipkin));
            });
        });
        upstreamReq.on("error", (e) => {
            res.writeHead(503);
            res.end(`upstream connect error: ${e.message}`);
        });
        req.pipe(upstreamReq);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        reported: () => [...reported],
        flush: async () => {
            await Promise.all(pending);
        },
        close: () => new Promise((resolve) => {
            server.close(() => resolve());
            // Keep-alive connections would hold close() for the idle timeout.
            server.closeAllConnections();
        }),
    };
}
