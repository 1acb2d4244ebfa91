/**
 * The router tier with real components on loopback: two toolchain otelcol routers running the config
 * components/collector-tier generates (static resolver instead of the pods' k8s resolver, listeners on loopback: the
 * only changes) in front of three real Jaegers each running the generated tail-mode userconfig. 1,000 Eco²-shaped
 * traces, each trace's Zipkin spans sent to one router and its OTLP spans to the other: every trace must be stored
 * whole on exactly one replica, every replica must get a share, and the kept counts must match the sampling policy.
 * The control routes by service instead and splits traces. CPU-seconds and memory of both tiers are printed.
 */
import * as assert from "assert";
import { PORTS } from "../../components/foundation/topology";
import { SPANS_PER_TRACE } from "./eco2-trace";
import { generated } from "./generated";
import { getTrace, onLoopback, RunningJaeger, startJaeger } from "./jaeger-process";
import { cpuSecondsOf, RunningRouter, startRouter } from "./router-process";
import { binomialBand, send, Sent, TAIL, traffic } from "./tail-traffic";

const REPLICAS = 3;
const ROUTERS = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spans of each trace on each replica (0 where absent). */
async function placement(replicas: RunningJaeger[], traces: Sent[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    const spans = async (j: RunningJaeger, id: string) => (await getTrace(j, id))?.spans.length ?? 0;
    for (const t of traces) out.set(t.traceId, await Promise.all(replicas.map((j) => spans(j, t.traceId))));
    return out;
}

async function startTiers(routingKey: "traceID" | "service") {
    const gen = await generated("dev", { tailSampling: TAIL });
    const replicas: RunningJaeger[] = [];
    for (let i = 0; i < REPLICAS; i++) {
        const { config, ports } = await onLoopback(gen.userconfig);
        replicas.push(await startJaeger(config, ports));
    }
    const hostnames = replicas.map((j) => `127.0.0.1:${j.ports[PORTS.otlpGrpc]}`);
    const routers: RunningRouter[] = [];
    for (let i = 0; i < ROUTERS; i++) routers.push(await startRouter({ static: { hostnames } }, routingKey));
    return { gen, replicas, routers };
}

/** The Zipkin spans of each batch to router 0, the OTLP spans to router 1: a trace's spans always cross routers. */
const via = (routers: RunningRouter[]) => ({
    zipkin: `http://127.0.0.1:${routers[0].ports.zipkin}`,
    otlpHttp: `http://127.0.0.1:${routers[1].ports.otlpHttp}`,
});

describe("router tier: two otelcol routers (load_balancing by trace ID) in front of three tail-sampling Jaegers", () => {
    let replicas: RunningJaeger[] = [];
    let routers: RunningRouter[] = [];
    let sent: Sent[];
    let placed: Map<string, number[]>;

    before(async () => {
        const tiers = await startTiers("traceID");
        ({ replicas, routers } = tiers);
        const env = tiers.gen.otelEnv("auth");
        const environment = /deployment\.environment\.name=([^,]+)/.exec(env.OTEL_RESOURCE_ATTRIBUTES)![1];
        sent = traffic(environment);
        const cpu0 = { routers: routers.map((r) => r.cpuSeconds()), replicas: replicas.map((j) => cpuSecondsOf(j.pid)) };
        const started = Date.now();
        await send(via(routers), sent, env);
        const sentMs = Date.now() - started;
        const mustKeep = sent.filter((t) => t.kind !== "ordinary");
        await sleep(TAIL.decisionWaitSeconds * 1000 + 1000);
        // Before any query: the routers' forwarding against the samplers' receiving, holding, deciding and storing.
        const routerCpu = routers.map((r, i) => r.cpuSeconds() - cpu0.routers[i]).reduce((a, b) => a + b, 0);
        const jaegerCpu = replicas.map((j, i) => cpuSecondsOf(j.pid) - cpu0.replicas[i]).reduce((a, b) => a + b, 0);
        const deadline = Date.now() + 40_000;
        for (;;) {
            placed = await placement(replicas, mustKeep);
            const whole = mustKeep.filter((t) => placed.get(t.traceId)!.some((n) => n === SPANS_PER_TRACE)).length;
            if (whole === mustKeep.length || Date.now() > deadline) break;
            await sleep(1000);
        }
        const keptMs = Date.now() - started;
        await sleep(2000); // the ordinary traces' decisions, same ticks, one more flush
        placed = await placement(replicas, sent);
        const spans = sent.length * SPANS_PER_TRACE;
        const mib = (b: number) => (b / 2 ** 20).toFixed(1);
        const perMillion = (cpu: number) => (cpu / spans * 1e6).toFixed(1);
        process.stderr.write(`      sent ${sent.length} traces (${spans} spans) through ${ROUTERS} routers in ${sentMs} ms; ` +
            `every must-keep trace whole ${keptMs} ms after the first span\n`);
        process.stderr.write(`      CPU-s per million spans: routers ${perMillion(routerCpu)}, ` +
            `tail-sampling Jaegers ${perMillion(jaegerCpu)} ` +
            "(until the decisions, before any query; /proc ticks of 10 ms)\n");
        process.stderr.write(`      router RSS ${routers.map((r) => mib(r.rssBytes())).join(", ")} MiB\n`);
    });
    after(async () => Promise.all([...routers, ...replicas].map((p) => p.stop())));

    it("runs the generated router config: load_balancing with routing_key traceID over the replicas", () => {
        const lb = (routers[0].config.exporters as Record<string, any>).load_balancing;
        assert.strictEqual(lb.routing_key, "traceID");
        assert.strictEqual(lb.resolver.static.hostnames.length, REPLICAS);
    });

    it("every trace is stored whole on exactly one replica (none split, none on two)", () => {
        for (const t of sent) {
            const counts = placed.get(t.traceId)!;
            const holders = counts.filter((n) => n > 0);
            assert.ok(holders.length <= 1, `trace ${t.traceId} (${t.kind}) on several replicas: ${counts}`);
            if (holders.length === 1) assert.strictEqual(holders[0], SPANS_PER_TRACE, `${t.traceId} (${t.kind}) not whole: ${counts}`);
        }
    });

    it("keeps every error, slow and always-sampled trace, and ordinary ones at probabilisticPercent (binomial 4σ)", () => {
        const stored = (t: Sent) => placed.get(t.traceId)!.some((n) => n > 0);
        for (const kind of ["error", "slow", "payment"] as const) {
            const missing = sent.filter((t) => t.kind === kind && !stored(t));
            assert.strictEqual(missing.length, 0, `${missing.length} ${kind} traces not stored`);
        }
        const ordinary = sent.filter((t) => t.kind === "ordinary");
        const kept = ordinary.filter(stored).length;
        const band = binomialBand(ordinary.length, TAIL.probabilisticPercent);
        process.stderr.write(`      ordinary kept: ${kept} of ${ordinary.length} (expected ${band.low}–${band.high})\n`);
        assert.ok(kept >= band.low && kept <= band.high, `${kept} outside ${band.low}–${band.high}`);
    });

    it("every replica gets a share of the traces", () => {
        const shares = replicas.map((_, i) => sent.filter((t) => placed.get(t.traceId)![i] > 0).length);
        const total = shares.reduce((a, b) => a + b, 0);
        process.stderr.write(`      stored per replica: ${shares.join(", ")} of ${total}\n`);
        // Consistent hashing over 3 backends: each near a third; a fifth is far outside chance for ~370 traces.
        for (const s of shares) assert.ok(s >= total / 5, `share ${s} of ${total}: ${shares}`);
    });
});

describe("router tier control: the same routers with routing_key service split traces", () => {
    let replicas: RunningJaeger[] = [];
    let routers: RunningRouter[] = [];
    let slow: Sent[];

    before(async () => {
        const tiers = await startTiers("service");
        ({ replicas, routers } = tiers);
        slow = traffic("dev").filter((t) => t.kind === "slow");
        await send(via(routers), slow, tiers.gen.otelEnv("auth"));
        await sleep((TAIL.decisionWaitSeconds + 4) * 1000);
    });
    after(async () => Promise.all([...routers, ...replicas].map((p) => p.stop())));

    it("a trace's services land on different replicas: slow traces are split or lost", async () => {
        const placed = await placement(replicas, slow);
        const whole = slow.filter((t) => placed.get(t.traceId)!.includes(SPANS_PER_TRACE)).length;
        const split = slow.filter((t) => placed.get(t.traceId)!.filter((n) => n > 0).length > 1).length;
        process.stderr.write(`      routing by service: ${slow.length} slow traces, ${whole} whole, ${split} on several replicas\n`);
        assert.strictEqual(whole, 0);
    });
});
