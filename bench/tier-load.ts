/**
 * The router bench's traffic (bench/tier.ts): Eco²-shaped traces (test/e2e/eco2-trace.ts: the gateway's and the
 * sidecars' Zipkin spans, the FastAPI app's server and httpx client spans as OTLP) pre-encoded into request bodies
 * before a measured window, so the window's client work is only the posts; the app spans as OTLP/gRPC protobuf as the
 * apps export them (components/app-namespace/otel-env.ts, encoded by the OTel SDK's own serializer), the sidecars' as
 * Zipkin JSON as Envoy reports them; a paced sender with bounded
 * concurrency; and a gRPC sink that accepts OTLP exports without decoding them (what the router sends to when only
 * the router is measured).
 */
import * as grpc from "@grpc/grpc-js";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { eco2Trace, otlpBody, SPANS_PER_TRACE, str } from "../test/e2e/eco2-trace";

/** Traces per request: an Envoy's Zipkin flush and a Python BatchSpanProcessor export are of this order. */
export const TRACES_PER_REQUEST = 50;

export type Body = { path: "/api/v2/spans"; json: string; spans: number } | { path: "grpc"; proto: Buffer; spans: number };

type Json = Record<string, any>;
const value = (v: Json) => ("intValue" in v ? Number(v.intValue) : v.stringValue);
const attributes = (kvs: Json[]) => Object.fromEntries(kvs.map((kv) => [kv.key, value(kv.value)]));
const hrTime = (nanos: string): [number, number] => [Number(BigInt(nanos) / 1_000_000_000n), Number(BigInt(nanos) % 1_000_000_000n)];

/** The OTLP JSON request as the protobuf the Python SDK's gRPC exporter sends, through the SDK's serializer. */
export function otlpProtobuf(body: ReturnType<typeof otlpBody>): Buffer {
    const rs = body.resourceSpans[0] as Json;
    const resource = { attributes: attributes(rs.resource.attributes) };
    const scope = rs.scopeSpans[0].scope;
    const spans = (rs.scopeSpans[0].spans as Json[]).map((s) => ({
        name: s.name, kind: s.kind - 1, spanContext: () => ({ traceId: s.traceId, spanId: s.spanId, traceFlags: 1 }),
        parentSpanContext: { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: 1, isRemote: false },
        startTime: hrTime(s.startTimeUnixNano), endTime: hrTime(s.endTimeUnixNano), attributes: attributes(s.attributes),
        status: { code: s.status.code }, events: [], links: [], resource, instrumentationScope: scope,
        droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    })) as unknown as Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0];
    return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
}

export interface Traffic {
    bodies: Body[];
    spans: number;
    traceIds: string[];
}

/** `traces` traces: for each group of TRACES_PER_REQUEST, one Zipkin body (3 spans each) and one OTLP body (2 each). */
export function traffic(traces: number, env: Record<string, string>, environment: string, error = false): Traffic {
    const now = Date.now() * 1000;
    const bodies: Body[] = [];
    const traceIds: string[] = [];
    for (let n = 0; n < traces; n += TRACES_PER_REQUEST) {
        const length = Math.min(TRACES_PER_REQUEST, traces - n);
        const group = Array.from({ length }, (_, k) => eco2Trace(n + k, now + n + k, environment, {
            error,
            appAttributes: [str("http.request.header.authorization", `Bearer eyJhbGciOiJIUzI1NiJ9.user-${n + k}.sig`)],
        }));
        traceIds.push(...group.map((t) => t.traceId));
        const zipkin = group.flatMap((t) => t.zipkin);
        const otlp = group.flatMap((t) => t.otlp);
        bodies.push({ path: "/api/v2/spans", json: JSON.stringify(zipkin), spans: zipkin.length });
        bodies.push({ path: "grpc", proto: otlpProtobuf(otlpBody(otlp, env)), spans: otlp.length });
    }
    return { bodies, spans: traces * SPANS_PER_TRACE, traceIds };
}

export interface Target {
    zipkin: string;
    /** host:port */
    otlpGrpc: string;
}

export interface SendResult {
    spans: number;
    refusedSpans: number;
    seconds: number;
    latenciesMs: number[];
}

const EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
const raw = (b: Buffer) => b;
const clients = new Map<string, grpc.Client>();

function exportGrpc(address: string, proto: Buffer): Promise<boolean> {
    let client = clients.get(address);
    if (!client) clients.set(address, (client = new grpc.Client(address, grpc.credentials.createInsecure())));
    return new Promise((resolve) => client.makeUnaryRequest(EXPORT, raw, raw, proto, (e) => resolve(!e)));
}

/** Closes the gRPC channels `send` opened. */
export function closeClients(): void {
    for (const c of clients.values()) c.close();
    clients.clear();
}

async function post(to: Target, b: Body): Promise<boolean> {
    if (b.path === "grpc") return exportGrpc(to.otlpGrpc, b.proto);
    try {
        const res = await fetch(`${to.zipkin}${b.path}`, { method: "POST", headers: { "content-type": "application/json" }, body: b.json });
        await res.arrayBuffer();
        return res.status === 200 || res.status === 202;
    } catch {
        return false;
    }
}

/**
 * Sends `bodies` at `spansPerSecond` (paced by the clock, at most `concurrency` requests in flight; unpaced when 0).
 * A refused request (non-2xx, e.g. memory_limiter's "retry later", or a failed connection) counts all its spans.
 */
export async function send(to: Target, bodies: readonly Body[], spansPerSecond: number, concurrency = 16): Promise<SendResult> {
    const started = performance.now();
    const latenciesMs: number[] = [];
    let refusedSpans = 0;
    let offered = 0;
    let next = 0;
    const worker = async () => {
        while (next < bodies.length) {
            const b = bodies[next++];
            offered += b.spans;
            const due = spansPerSecond > 0 ? started + ((offered - b.spans) / spansPerSecond) * 1000 : 0;
            const wait = due - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            const t0 = performance.now();
            if (!(await post(to, b))) refusedSpans += b.spans;
            latenciesMs.push(performance.now() - t0);
        }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { spans: offered, refusedSpans, seconds: (performance.now() - started) / 1000, latenciesMs };
}

export function percentile(values: readonly number[], p: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export interface Sink {
    port: number;
    requests(): number;
    close(): Promise<void>;
}

/** An OTLP/gRPC trace receiver that answers every Export with an empty response and decodes nothing. */
export async function otlpSink(): Promise<Sink> {
    const server = new grpc.Server();
    let requests = 0;
    server.addService({
        Export: {
            path: EXPORT, requestStream: false, responseStream: false,
            requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw,
        },
    }, {
        Export: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
            requests++;
            done(null, Buffer.alloc(0));
        },
    });
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    return { port, requests: () => requests, close: () => new Promise((r) => server.tryShutdown(() => r())) };
}
