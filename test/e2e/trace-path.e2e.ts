/**
 * The proof that the generated OTEL environment gives one connected trace per request through the mesh: the
 * real OTel JS SDK in two apps, Envoy's Zipkin tracer stood in for (envoy-standin.ts), the real Jaeger with the dev
 * userconfig. Each scenario gets its own Jaeger, so "no other trace" is exact.
 */
import * as assert from "assert";
import { meshConfigFragment } from "../../components/mesh/mesh-config";
import { generated, Generated } from "./generated";
import { onLoopback, startJaeger } from "./jaeger-process";
import { assertTracePath, spansByRole, twoHop, TwoHopResult } from "./two-hop";

/** The value the ConfigMap used to carry: B3 single-header first, W3C last. */
const OLD_PROPAGATORS = "b3,tracecontext,baggage";

async function scenario(gen: Generated, w3c: boolean, propagators?: string): Promise<TwoHopResult> {
    const { config, ports } = await onLoopback(gen.userconfig);
    const jaeger = await startJaeger(config, ports);
    try {
        return await twoHop(jaeger, gen, { w3c, propagators });
    } finally {
        await jaeger.stop();
    }
}

for (const w3c of [false, true]) {
    describe(`trace path gateway → auth-api → character-api, Istio W3C option ${w3c ? "on" : "off"} (real OTel SDK and Jaeger)`, () => {
        let gen: Generated;
        before(async () => {
            gen = await generated("dev", w3c ? { istio: { w3cPropagation: true } } : {});
            // What the stand-ins emulate follows from the mesh config the program generates.
            const fragment = meshConfigFragment({ tracingProvider: "jaeger", maxPathTagLength: 256, w3cPropagation: w3c }, { host: "c", zipkinPort: 9411 });
            assert.strictEqual(fragment.extensionProviders[0].zipkin.traceContextOption, w3c ? "USE_B3_WITH_W3C_PROPAGATION" : undefined);
        });

        it("the generated environment: one trace, apps under their sidecars, sidecars chained, environment tagged, no health spans", async () => {
            const started = Date.now();
            const r = await scenario(gen, w3c);
            assertTracePath(r);
            const t = r.timings;
            process.stderr.write(`      ${r.trace.spans.length} spans in trace ${r.trace.traceID}; ms: apps and proxies up ${t.start}, request ${t.requests}, flush and stop ${t.flush}, complete in Jaeger ${t.query}; ${Date.now() - started} in all\n`);
        });

        it(`the old ${OLD_PROPAGATORS} fails: the callee's sidecar and app hang under the calling app, skipping both sidecar spans`, async () => {
            const r = await scenario(gen, w3c, OLD_PROPAGATORS);
            assert.throws(() => assertTracePath(r), assert.AssertionError);
            const roles = spansByRole(r.trace);
            const parent = (role: string) => roles[role].references.find((x) => x.refType === "CHILD_OF")?.spanID;
            // Envoy prefers the single `b3` header the app injected, and never rewrites it.
            assert.strictEqual(parent("character-api.character/server"), roles["auth-api/client"].spanID);
            if (!w3c) assert.strictEqual(parent("character-api/server"), roles["auth-api/client"].spanID, "traceparent, extracted last, still names the calling app");
        });
    });
}
