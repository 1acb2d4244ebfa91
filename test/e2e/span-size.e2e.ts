/**
 * What tail mode costs on the network: bytes per span of Eco²'s span shape in the encodings that really cross it,
 * and the README figures derived from them (spans/s and bandwidth per 1,000 requests/s at mesh 100 % against head
 * sampling). Envoy reports Zipkin v2 JSON (the Eco² trace builder's sidecar and gateway spans, about fifteen tags);
 * the apps export OTLP protobuf over gRPC, measured here from the real OTel JS SDK exporter into a local gRPC server
 * that counts the request messages it receives (batched as the SDK's BatchSpanProcessor sends them).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { context, SpanKind, trace, TraceFlags } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { resources } from "@opentelemetry/sdk-node";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { ROOT } from "../helpers";
import { eco2Trace, SPANS_PER_TRACE } from "./eco2-trace";

const TRACES = 500;
const ZIPKIN_PER_TRACE = 3;
const OTLP_PER_TRACE = SPANS_PER_TRACE - ZIPKIN_PER_TRACE;
const EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/** Starts a gRPC server that accepts OTLP trace exports and adds up their encoded sizes. */
async function countingCollector(): Promise<{ url: string; bytes: () => number; stop: () => void }> {
    let bytes = 0;
    const server = new grpc.Server();
    const raw = (b: Buffer) => b;
    server.addService(
        { Export: { path: EXPORT, requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } },
        // An empty ExportTraceServiceResponse encodes to zero bytes.
        { Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => ((bytes += call.request.length), done(null, Buffer.alloc(0))) },
    );
    const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    return { url: `http://127.0.0.1:${port}`, bytes: () => bytes, stop: () => server.forceShutdown() };
}

/** The figures the README states, recomputed from the measured sizes. */
function figures(zipkin: number, otlp: number) {
    const perRequest = ZIPKIN_PER_TRACE * zipkin + OTLP_PER_TRACE * otlp;
    const mbit = (bytesPerSecond: number) => (bytesPerSecond * 8) / 1e6;
    return { spansPerSecond: 1000 * SPANS_PER_TRACE, tailMbit: mbit(1000 * perRequest), head5Mbit: mbit(50 * perRequest), perRequest };
}

describe("span sizes and what mesh 100 % costs (README figures)", () => {
    const environment = "prod";
    const traces = Array.from({ length: TRACES }, (_, i) => eco2Trace(i, Date.now() * 1000 + i, environment));
    let zipkin: number;
    let otlp: number;

    // Uncompressed: Envoy's Zipkin reporter does not compress, and the SDK exporter's default is no compression.
    it("Zipkin v2 JSON, as Envoy posts it (a batch of spans per request)", () => {
        const body = Buffer.from(JSON.stringify(traces.flatMap((t) => t.zipkin)));
        zipkin = Math.round(body.length / (TRACES * ZIPKIN_PER_TRACE));
        assert.ok(zipkin > 500, `${zipkin} bytes per Zipkin span`);
    });

    it("OTLP protobuf over gRPC, as the SDK's exporter sends it", async () => {
        const collector = await countingCollector();
        try {
            const provider = new BasicTracerProvider({
                resource: resources.resourceFromAttributes({ "service.name": "auth-api", "deployment.environment.name": environment, "k8s.namespace.name": "auth", "telemetry.sdk.language": "python", "host.name": "auth-api-7d9f8b6c5d-x2k4p" }),
                spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: collector.url }), { maxExportBatchSize: 512, maxQueueSize: 4096 })],
            });
            const tracer = provider.getTracer("opentelemetry.instrumentation.fastapi", "0.59b0");
            type OtlpSpan = { traceId: string; parentSpanId: string; name: string; kind: number; attributes: { key: string; value: { stringValue?: string; intValue?: string } }[] };
            const attributesOf = (s: OtlpSpan) => Object.fromEntries(s.attributes.map((a) => [a.key, a.value.stringValue ?? Number(a.value.intValue)]));
            for (const t of traces) {
                const [server, client] = t.otlp as OtlpSpan[];
                // The server span continues the sidecar's context, the client span is its child: both carry a parent ID.
                const remote = trace.setSpanContext(context.active(), { traceId: server.traceId, spanId: server.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
                const s = tracer.startSpan(server.name, { kind: SpanKind.SERVER, attributes: attributesOf(server) }, remote);
                tracer.startSpan(client.name, { kind: SpanKind.CLIENT, attributes: attributesOf(client) }, trace.setSpan(remote, s)).end();
                s.end();
            }
            await provider.forceFlush();
            await provider.shutdown();
            otlp = Math.round(collector.bytes() / (TRACES * OTLP_PER_TRACE));
            assert.ok(otlp > 200, `${otlp} bytes per OTLP span`);
        } finally {
            collector.stop();
        }
    });

    it("the README states these sizes and the bandwidth they give", () => {
        const f = figures(zipkin, otlp);
        const line = `Zipkin JSON ${zipkin} bytes per Envoy span, OTLP protobuf ${otlp} bytes per app span`;
        const bandwidth = `${f.spansPerSecond.toLocaleString("en-US")} spans/s, ${(f.perRequest / 1024).toFixed(1)} KiB per request, ${f.tailMbit.toFixed(1)} Mbit/s at mesh 100 % against ${f.head5Mbit.toFixed(1)} Mbit/s at 5 % head sampling`;
        process.stderr.write(`      ${line}\n      per 1,000 requests/s: ${bandwidth}\n`);
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        assert.ok(readme.includes(line), `README must state: ${line}`);
        assert.ok(readme.includes(bandwidth), `README must state: ${bandwidth}`);
    });
});
