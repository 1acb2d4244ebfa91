/**
 * The generated OTEL_PROPAGATORS through the OTel JS SDK's own propagators (built from the variable as NodeSDK builds
 * them) and the Envoy stand-in's header handling, in process: the fast form of test/e2e/trace-path.e2e.ts.
 */
import * as assert from "assert";
import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace, TraceFlags, type TextMapPropagator } from "@opentelemetry/api";
import { getPropagatorFromEnv } from "@opentelemetry/sdk-node/build/src/utils";
import { otelEnv } from "../../../components/app-namespace/otel-env";
import { envoyExtract, envoyInject, envoySampled, hexId } from "../../e2e/envoy-standin";

function propagatorFor(value: string): TextMapPropagator {
    const saved = process.env.OTEL_PROPAGATORS;
    process.env.OTEL_PROPAGATORS = value;
    try {
        const p = getPropagatorFromEnv();
        assert.ok(p, `no propagator for ${value}`);
        return p;
    } finally {
        if (saved === undefined) delete process.env.OTEL_PROPAGATORS;
        else process.env.OTEL_PROPAGATORS = saved;
    }
}

/** An app-to-app call: caller app → its outbound sidecar → callee's inbound sidecar → callee app. */
function call(value: string, w3c: boolean) {
    const p = propagatorFor(value);
    const traceId = hexId(16);
    const callerClient = hexId(8);
    const carrier: Record<string, string | string[] | undefined> = {};
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: callerClient, traceFlags: TraceFlags.SAMPLED });
    p.inject(ctx, carrier, defaultTextMapSetter);
    const outbound = { traceId, spanId: hexId(8) };
    const outboundParent = envoyExtract(carrier, w3c);
    const afterOutbound = envoyInject(carrier, outbound, outboundParent, w3c);
    const inbound = { traceId, spanId: hexId(8) };
    const inboundParent = envoyExtract(afterOutbound, w3c);
    const atCallee = envoyInject(afterOutbound, inbound, inboundParent, w3c) as Record<string, string>;
    const appParent = trace.getSpanContext(p.extract(context.active(), atCallee, defaultTextMapGetter));
    return { callerClient, outbound: outbound.spanId, inbound: inbound.spanId, outboundParent: outboundParent?.spanId, inboundParent: inboundParent?.spanId, appParent: appParent?.spanId, headers: Object.keys(carrier).sort() };
}

const GENERATED = otelEnv({ environment: "dev", namespace: "auth", samplingPercent: 100, otlpGrpcEndpoint: "http://c:4317", healthCheckPaths: [] }).OTEL_PROPAGATORS;

describe("OTEL_PROPAGATORS through the OTel SDK and Envoy's header handling", () => {
    it("the stand-in samples as Envoy: a carried decision is kept, a new trace at istiod's random_sampling", () => {
        assert.strictEqual(envoySampled({ "x-b3-sampled": "0" }, 100), false);
        assert.strictEqual(envoySampled({ "x-b3-sampled": "1" }, 0), true);
        assert.strictEqual(envoySampled({ b3: `${hexId(16)}-${hexId(8)}-1` }, 0), true);
        assert.deepStrictEqual([0.049, 0.05].map((r) => envoySampled({}, 5, () => r)), [true, false]);
        const unsampled = envoyInject({}, { traceId: hexId(16), spanId: hexId(8) }, undefined, true, false);
        assert.deepStrictEqual([unsampled["x-b3-sampled"], String(unsampled.traceparent).slice(-2)], ["0", "00"]);
    });

    for (const w3c of [false, true]) {
        it(`the generated value chains app → sidecar → sidecar → app (Istio W3C option ${w3c ? "on" : "off"})`, () => {
            const r = call(GENERATED, w3c);
            assert.deepStrictEqual(r.headers, ["traceparent", "x-b3-sampled", "x-b3-spanid", "x-b3-traceid"], "W3C and B3 multi-header, " +
                "never the single b3 header");
            assert.strictEqual(r.outboundParent, r.callerClient);
            assert.strictEqual(r.inboundParent, r.outbound, "the callee's sidecar continues the caller's sidecar");
            assert.strictEqual(r.appParent, r.inbound, "the callee app continues its own sidecar");
        });

        it(`the old b3,tracecontext,baggage skips both sidecars (W3C option ${w3c ? "on" : "off"})`, () => {
            const r = call("b3,tracecontext,baggage", w3c);
            assert.ok(r.headers.includes("b3"));
            assert.strictEqual(r.inboundParent, r.callerClient, "Envoy prefers the single b3 header, which it never rewrites");
            if (!w3c) assert.strictEqual(r.appParent, r.callerClient, "traceparent, extracted last, names the calling app");
        });
    }
});
