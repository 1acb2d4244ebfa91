/**
 * The real Jaeger binary with exactly the dev userconfig the program generates (listeners on loopback): healthy where
 * the chart's probes look, accepting spans on each receiver the mesh and the apps use, serving them on both query
 * APIs, and counting them on the metrics port Prometheus scrapes.
 */
import * as assert from "assert";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { resources } from "@opentelemetry/sdk-node";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { HEALTH_CHECK } from "../../components/jaeger/values";
import { PORTS } from "../../components/foundation/topology";
import { generated } from "./generated";
import { getTrace, getTraceGrpc, metric, offLoopback, onLoopback, RunningJaeger, startJaeger } from "./jaeger-process";

const ZIPKIN_TRACE = "5a0ce7e5000000000000000000e2e001";
const OTLP_HTTP_TRACE = "5a0ce7e5000000000000000000e2e002";

describe("Jaeger (real binary) with the generated dev userconfig", () => {
    let jaeger: RunningJaeger;
    let userconfig: Record<string, any>;
    let otlpGrpcTrace: string;

    before(async () => {
        userconfig = (await generated("dev")).userconfig;
        const { config, ports } = await onLoopback(userconfig);
        const started = Date.now();
        jaeger = await startJaeger(config, ports);
        process.stderr.write(`      healthy ${Date.now() - started} ms after start (pid ${jaeger.pid})\n`);
    });
    after(async () => jaeger?.stop());

    it("runs the generated config with only the listen addresses changed", async () => {
        const { config, ports } = await onLoopback(userconfig);
        assert.deepStrictEqual(offLoopback(config, ports), userconfig);
        const originals = Object.keys(jaeger.ports).map(Number).sort((a, b) => a - b);
        assert.deepStrictEqual(originals, [PORTS.otlpGrpc, PORTS.otlpHttp, PORTS.metrics, PORTS.zipkin, HEALTH_CHECK.port, PORTS.queryGrpc, PORTS.query].sort((a, b) => a - b));
    });

    it(`is healthy on ${HEALTH_CHECK.port} ${HEALTH_CHECK.path}, where the chart's probes look`, async () => {
        const res = await fetch(`${jaeger.url(HEALTH_CHECK.port)}${HEALTH_CHECK.path}`);
        assert.strictEqual(res.status, 200);
    });

    it("accepts Zipkin v2 JSON on 9411 (Envoy's format)", async () => {
        const span = { traceId: ZIPKIN_TRACE, id: "00000000e2e00001", name: "zipkin span", kind: "SERVER", timestamp: Date.now() * 1000, duration: 1000, localEndpoint: { serviceName: "e2e-zipkin.auth" } };
        const res = await fetch(`${jaeger.url(PORTS.zipkin)}/api/v2/spans`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([span]) });
        assert.strictEqual(res.status, 202, await res.text());
    });

    it("accepts OTLP over HTTP on 4318", async () => {
        const now = BigInt(Date.now()) * 1_000_000n;
        const body = { resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "e2e-otlp-http" } }] }, scopeSpans: [{ spans: [{ traceId: OTLP_HTTP_TRACE, spanId: "00000000e2e00002", name: "otlp http span", kind: 2, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1_000_000n) }] }] }] };
        const res = await fetch(`${jaeger.url(PORTS.otlpHttp)}/v1/traces`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        assert.strictEqual(res.status, 200, await res.text());
    });

    it("accepts OTLP over gRPC on 4317 (the apps' exporter, from the OTel SDK)", async () => {
        const provider = new BasicTracerProvider({
            resource: resources.resourceFromAttributes({ "service.name": "e2e-otlp-grpc" }),
            spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: jaeger.url(PORTS.otlpGrpc) }))],
        });
        const span = provider.getTracer("e2e").startSpan("otlp grpc span");
        otlpGrpcTrace = span.spanContext().traceId;
        span.end();
        await provider.forceFlush();
        await provider.shutdown();
    });

    it("serves all three on the query HTTP API (16686) and the query gRPC API (16685, Kiali's)", async () => {
        const expected: [string, string][] = [[ZIPKIN_TRACE, "e2e-zipkin.auth"], [OTLP_HTTP_TRACE, "e2e-otlp-http"], [otlpGrpcTrace, "e2e-otlp-grpc"]];
        for (const [id, service] of expected) {
            let trace = await getTrace(jaeger, id);
            for (let i = 0; i < 50 && !trace; i++) {
                await new Promise((r) => setTimeout(r, 100));
                trace = await getTrace(jaeger, id);
            }
            assert.ok(trace, `${service}: trace ${id} via HTTP`);
            assert.deepStrictEqual(Object.values(trace.processes).map((p) => p.serviceName), [service]);
            const grpcBody = await getTraceGrpc(jaeger, id);
            assert.ok(grpcBody.includes(Buffer.from(id, "hex")), `${service}: trace ${id} via gRPC api_v3`);
            assert.ok(grpcBody.includes(Buffer.from(service)), `${service}: service name via gRPC`);
        }
    });

    it("counts the received spans per receiver on 8888 (what Prometheus scrapes)", async () => {
        const accepted = (receiver: RegExp) => metric(jaeger, "otelcol_receiver_accepted_spans(?:_total)?", receiver);
        assert.strictEqual(await accepted(/receiver="zipkin"/), 1);
        assert.strictEqual(await accepted(/receiver="otlp".*transport="http"|transport="http".*receiver="otlp"/), 1);
        assert.strictEqual(await accepted(/receiver="otlp".*transport="grpc"|transport="grpc".*receiver="otlp"/), 1);
    });
});
