/**
 * Tail mode with the real Jaeger: the userconfig the program generates for `tailSampling.enabled` (listeners moved to
 * loopback, nothing else), 1,000 Eco²-shaped traces with a known mix, each trace's spans arriving in two requests on
 * two receivers (Zipkin from the "sidecars", OTLP from the "app"), as the mesh and the apps send them. After the
 * decision wait the query API must hold every error, slow and always-sampled trace, whole; ordinary traces at
 * `probabilisticPercent` within a binomial 4σ band; and stored spans without the deleted attribute and with only the
 * SHA-256 of the hashed one.
 */
import * as assert from "assert";
import { PORTS } from "../../components/foundation/topology";
import { otlpBody, post, SPANS_PER_TRACE } from "./eco2-trace";
import { generated } from "./generated";
import { getTrace, offLoopback, onLoopback, QueryTrace, RunningJaeger, startJaeger } from "./jaeger-process";
import { AUTHORIZATION, binomialBand, send, Sent, sha256, STATEMENT, TAIL, traffic } from "./tail-traffic";

const tag = (trace: QueryTrace, spanIndex: number, key: string) => trace.spans[spanIndex].tags.find((t) => t.key === key)?.value;

describe("tail sampling with the real Jaeger (generated tail-mode userconfig)", () => {
    let jaeger: RunningJaeger;
    let userconfig: Record<string, any>;
    let sent: Sent[];
    const stored = new Map<string, QueryTrace>();

    before(async () => {
        const gen = await generated("dev", { tailSampling: TAIL });
        userconfig = gen.userconfig;
        const { config, ports } = await onLoopback(userconfig);
        jaeger = await startJaeger(config, ports);
        const env = gen.otelEnv("auth");
        const environment = /deployment\.environment\.name=([^,]+)/.exec(env.OTEL_RESOURCE_ATTRIBUTES)![1];
        sent = traffic(environment);
        const started = Date.now();
        await send({ zipkin: jaeger.url(PORTS.zipkin), otlpHttp: jaeger.url(PORTS.otlpHttp) }, sent, env);
        process.stderr.write(`      sent ${sent.length} traces (${sent.length * SPANS_PER_TRACE} spans) in ${Date.now() - started} ms\n`);
        // The sampler decides once per second for traces whose wait is over; then the batch processor flushes.
        const mustKeep = sent.filter((t) => t.kind !== "ordinary");
        const deadline = Date.now() + (TAIL.decisionWaitSeconds + 30) * 1000;
        await new Promise((r) => setTimeout(r, TAIL.decisionWaitSeconds * 1000));
        while (Date.now() < deadline && !mustKeep.every((t) => stored.get(t.traceId)?.spans.length === SPANS_PER_TRACE)) {
            await new Promise((r) => setTimeout(r, 500));
            for (const t of mustKeep) {
                const found = await getTrace(jaeger, t.traceId);
                if (found) stored.set(t.traceId, found);
            }
        }
        process.stderr.write(`      every must-keep trace whole ${Date.now() - started} ms after the first span\n`);
        // Ordinary traces were decided in the same ticks; one more tick and flush before counting them.
        await new Promise((r) => setTimeout(r, 2000));
        for (const t of sent) {
            const found = await getTrace(jaeger, t.traceId);
            if (found) stored.set(t.traceId, found);
        }
    });
    after(async () => jaeger?.stop());

    it("runs the generated tail-mode config, only the listen addresses changed", async () => {
        const { config, ports } = await onLoopback(userconfig);
        assert.deepStrictEqual(offLoopback(config, ports), userconfig);
        assert.deepStrictEqual(userconfig.service.pipelines.traces.processors, ["memory_limiter", "attributes/scrub", "tail_sampling", "batch"]);
    });

    for (const kind of ["error", "slow", "payment"] as const) {
        it(`keeps every ${kind} trace, whole (all ${SPANS_PER_TRACE} spans from both receivers: not split)`, () => {
            const traces = sent.filter((t) => t.kind === kind);
            const missing = traces.filter((t) => !stored.has(t.traceId));
            assert.deepStrictEqual(missing.map((t) => t.traceId), [], `${missing.length} of ${traces.length} ${kind} traces not stored`);
            for (const t of traces) assert.strictEqual(stored.get(t.traceId)!.spans.length, SPANS_PER_TRACE, `${kind} trace ${t.traceId}`);
        });
    }

    it(`keeps ordinary traces at probabilisticPercent ${TAIL.probabilisticPercent} % (within a binomial 4σ band), each whole`, () => {
        const ordinary = sent.filter((t) => t.kind === "ordinary");
        const kept = ordinary.filter((t) => stored.has(t.traceId));
        const band = binomialBand(ordinary.length, TAIL.probabilisticPercent);
        process.stderr.write(`      ordinary kept: ${kept.length} of ${ordinary.length} (expected ${band.mean} ± 4σ = ${band.low}–${band.high}, σ ${band.sigma.toFixed(2)})\n`);
        assert.ok(kept.length >= band.low && kept.length <= band.high, `${kept.length} outside ${band.low}–${band.high}`);
        for (const t of kept) assert.strictEqual(stored.get(t.traceId)!.spans.length, SPANS_PER_TRACE);
    });

    it("stores no deleted attribute and only the SHA-256 of hashed ones", () => {
        assert.ok(stored.size > 0);
        const bySent = new Map(sent.map((t) => [t.traceId, t]));
        let appSpans = 0;
        for (const [id, trace] of stored) {
            const s = bySent.get(id)!;
            trace.spans.forEach((span, i) => {
                assert.strictEqual(tag(trace, i, AUTHORIZATION), undefined, `${id}/${span.spanID} kept ${AUTHORIZATION}`);
                const statement = tag(trace, i, STATEMENT);
                if (statement === undefined) return;
                appSpans++;
                assert.strictEqual(statement, sha256(s.secrets.statement), `${id}/${span.spanID}: ${STATEMENT} is not the hash of what was sent`);
            });
            assert.ok(!JSON.stringify(trace).includes(s.secrets.authorization) && !JSON.stringify(trace).includes(s.secrets.statement), `${id} carries a secret`);
        }
        assert.strictEqual(appSpans, stored.size * 2, "both app spans of every stored trace carried the hashed statement");
    });
});

/**
 * Why tail mode runs one sampler replica (the config rule on jaeger.replicas): with two, the collector Service
 * balances per connection, so a trace's Envoy spans (Zipkin) and app spans (OTLP) reach different replicas, and each
 * decides on its fragment. Slow requests show it plainly: only the gateway span is slow.
 */
describe("two tail-sampling replicas without trace-ID routing split traces (real Jaeger ×2)", () => {
    const replicas: RunningJaeger[] = [];
    let slow: Sent[];

    before(async () => {
        const gen = await generated("dev", { tailSampling: TAIL });
        for (let i = 0; i < 2; i++) {
            const { config, ports } = await onLoopback(gen.userconfig);
            replicas.push(await startJaeger(config, ports));
        }
        const env = gen.otelEnv("auth");
        slow = traffic("dev").filter((t) => t.kind === "slow");
        // The sidecars' connection lands on one replica, the app's on the other.
        await post(`${replicas[0].url(PORTS.zipkin)}/api/v2/spans`, slow.flatMap((t) => t.zipkin), 202);
        await post(`${replicas[1].url(PORTS.otlpHttp)}/v1/traces`, otlpBody(slow.flatMap((t) => t.otlp), env), 200);
        await new Promise((r) => setTimeout(r, (TAIL.decisionWaitSeconds + 4) * 1000));
    });
    after(async () => Promise.all(replicas.map((j) => j.stop())));

    it("no slow trace is whole anywhere, and the replica holding only fast-looking app spans drops most of them", async () => {
        const spans = async (j: RunningJaeger, id: string) => (await getTrace(j, id))?.spans.length ?? 0;
        let whole = 0;
        let appFragmentsKept = 0;
        for (const t of slow) {
            const [a, b] = [await spans(replicas[0], t.traceId), await spans(replicas[1], t.traceId)];
            if (a === SPANS_PER_TRACE || b === SPANS_PER_TRACE) whole++;
            if (b > 0) appFragmentsKept++;
        }
        const band = binomialBand(slow.length, TAIL.probabilisticPercent);
        process.stderr.write(`      ${slow.length} slow traces over two replicas: ${whole} whole, app fragments kept ${appFragmentsKept} (probabilistic percentage only, ≤ ${band.high})\n`);
        assert.strictEqual(whole, 0);
        assert.ok(appFragmentsKept <= band.high, `${appFragmentsKept} app fragments kept`);
    });
});
