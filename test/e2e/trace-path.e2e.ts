/**
 * The proof that the generated OTEL environment gives one connected trace per request through the mesh: the
 * real OTel JS SDK in two apps, Envoy's Zipkin tracer stood in for (envoy-standin.ts) as real istiod configures
 * each proxy (`npm run mesh`: trace-context option, sampling, span tags), the real Jaeger with the dev userconfig.
 * Each scenario gets its own Jaeger, so "no other trace" is exact.
 */
import * as assert from "assert";
import { W3C_OPTION } from "./envoy-standin";
import { generated, Generated } from "./generated";
import { istiodTracing } from "./istiod-tracing";
import { onLoopback, startJaeger } from "./jaeger-process";
import { assertTracePath, PathTracing, spansByRole, twoHop, TwoHopResult } from "./two-hop";

/** The value the ConfigMap used to carry: B3 single-header first, W3C last. */
const OLD_PROPAGATORS = "b3,tracecontext,baggage";

async function scenario(gen: Generated, istiod: PathTracing, propagators?: string): Promise<TwoHopResult> {
    const { config, ports } = await onLoopback(gen.userconfig);
    const jaeger = await startJaeger(config, ports);
    try {
        return await twoHop(jaeger, gen, { istiod, propagators });
    } finally {
        await jaeger.stop();
    }
}

for (const w3c of [false, true]) {
    describe(`trace path gateway → auth-api → character-api, Istio W3C option ${w3c ? "on" : "off"} (real OTel SDK and Jaeger)`, () => {
        let gen: Generated;
        let istiod: PathTracing;
        before(async () => {
            gen = await generated("dev", w3c ? { istio: { w3cPropagation: true } } : {});
            // What the stand-ins do is what real istiod told each proxy.
            istiod = await istiodTracing(w3c);
            for (const t of Object.values(istiod)) assert.strictEqual(t.traceContextOption, w3c ? W3C_OPTION : "USE_B3");
        });

        it("the generated environment: one trace, apps under their sidecars, sidecars chained, environment tagged, no health spans", async () => {
            const started = Date.now();
            const r = await scenario(gen, istiod);
            assertTracePath(r);
            const t = r.timings;
            process.stderr.write(`      ${r.trace.spans.length} spans in trace ${r.trace.traceID}; ms: apps and proxies up ${t.start}, request ${t.requests}, flush and stop ${t.flush}, complete in Jaeger ${t.query}; ${Date.now() - started} in all\n`);
        });

        it(`the old ${OLD_PROPAGATORS} fails: the callee's sidecar and app hang under the calling app, skipping both sidecar spans`, async () => {
            const r = await scenario(gen, istiod, OLD_PROPAGATORS);
            assert.throws(() => assertTracePath(r), assert.AssertionError);
            const roles = spansByRole(r.trace);
            const parent = (role: string) => roles[role].references.find((x) => x.refType === "CHILD_OF")?.spanID;
            // Envoy prefers the single `b3` header the app injected, and never rewrites it.
            assert.strictEqual(parent("character-api.character/server"), roles["auth-api/client"].spanID);
            if (!w3c) assert.strictEqual(parent("character-api/server"), roles["auth-api/client"].spanID, "traceparent, extracted last, still names the calling app");
        });
    });
}
