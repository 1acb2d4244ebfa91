/**
 * npm run bench -- --tier   (writes the key `tier` of bench/results.json)
 *
 * The router tier (components/collector-tier) with real processes on loopback, at Eco²'s span shape (bench/tier-load.ts):
 * - CPU-seconds per million spans, side by side: one tail-sampling Jaeger (the generated tail userconfig) taking the
 *   traffic straight, and one router (toolchain otelcol, the generated router config with the static resolver) in
 *   front of a fresh such Jaeger, for the committed config and the exporter variants a production user would try;
 *   user+system ticks from /proc/<pid>/stat over the window from the first span to the samplers' decisions.
 * - The spans/s one router sustains: offered load ramped into a router whose backend is a gRPC sink that decodes
 *   nothing (so the router, not a Jaeger, is what saturates); criterion CRITERION below. VmRSS per step.
 * - Added latency to storage: a probe trace's time from send to queryable (Jaeger's query API, polled every 5 ms) via
 *   router → Jaeger against straight into Jaeger, both a head-mode Jaeger (no decision wait in either path), and the
 *   router's own `otelcol_loadbalancer_backend_latency`.
 * The machine is shared: `uptime` before and after goes with the figures.
 */
import { execFileSync } from "child_process";
import { PORTS } from "../components/foundation/topology";
import { generated } from "../test/e2e/generated";
import { getTrace, onLoopback, RunningJaeger, startJaeger } from "../test/e2e/jaeger-process";
import { cpuSecondsOf, RunningRouter, startRouter } from "../test/e2e/router-process";
import { TAIL } from "../test/e2e/tail-traffic";
import { Body, closeClients, otlpSink, percentile, send, Target, traffic, TRACES_PER_REQUEST } from "./tier-load";

/** Exporter settings on top of the generated config (`otelcol --set`); the first is the config as committed. */
export const VARIANTS: { name: string; set: string[] }[] = [
    { name: "as generated", set: [] },
    { name: "compression none", set: ["exporters.load_balancing.protocol.otlp.compression=none"] },
    // The config before this bench: the exporter's default gzip, the batch processor's defaults.
    { name: "gzip, batch defaults", set: ["exporters.load_balancing.protocol.otlp.compression=gzip",
        "processors.batch.send_batch_size=8192", "processors.batch.send_batch_max_size=0"] },
    // The batch processor's default size with the time to fill it at this rate: about 5 MiB of Eco² spans per export.
    { name: "batch 8192 / 1 s", set: ["processors.batch.timeout=1s", "processors.batch.send_batch_size=8192",
        "processors.batch.send_batch_max_size=0"] },
];
const CPU_RATE = 10_000; // spans/s offered in the CPU windows: a busy mesh's share of one router
const CPU_TRACES = 30_000;
const RAMP = [5_000, 10_000, 20_000, 40_000, 80_000, 160_000];
const STEP_S = 8;
const PROBES = 15;
const SPANS_PER_BODY = (3 + 2) / 2 * TRACES_PER_REQUEST; // a Zipkin body and an OTLP body in turn

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const mib = (b: number) => round(b / 2 ** 20);
const uptime = () => execFileSync("uptime", { encoding: "utf8" }).trim();
const jaegerGrpc = (j: RunningJaeger) => `127.0.0.1:${j.ports[PORTS.otlpGrpc]}`;
const jaegerIn = (j: RunningJaeger): Target => ({ zipkin: j.url(PORTS.zipkin), otlpGrpc: jaegerGrpc(j) });
const routerIn = (r: RunningRouter): Target =>
    ({ zipkin: `http://127.0.0.1:${r.ports.zipkin}`, otlpGrpc: `127.0.0.1:${r.ports.otlpGrpc}` });

/** Sum of every series of the metrics whose names match, from the router's Prometheus endpoint. */
async function routerMetric(r: RunningRouter, name: RegExp): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${r.ports.metrics}/metrics`)).text();
    let sum = 0;
    for (const m of text.matchAll(/^(\w+)(?:\{[^}]*\})? (\S+)$/gm)) if (name.test(m[1])) sum += Number(m[2]);
    return sum;
}
const REFUSED = /^otelcol_(receiver_refused|exporter_send_failed|processor_refused)_spans/;
/** Spans the exporter dropped: 0.158's load_balancing counts a backend's permanent refusal as an outcome, only its log says. */
const dropped = (r: RunningRouter) => [...r.log().matchAll(/"dropped_items": (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);

export interface CpuFigure {
    variant: string; spans: number; routerCpuSPerMillion?: number; jaegerCpuSPerMillion: number; routerRssMiB?: number;
    /** Spans the router's exporter failed to send or refused (its metrics), e.g. over the backend's 4 MiB message limit. */
    routerFailedSpans?: number;
}
export interface RampStep {
    offeredSpansPerS: number; achievedSpansPerS: number; refusedSpans: number; routerCores: number; p50Ms: number; p99Ms: number;
    rssMiB: number; sustained: boolean;
}
export interface TierReport {
    date: string; loadBefore: string; loadAfter: string; cpuRateSpansPerS: number; cpu: CpuFigure[];
    ramp: RampStep[]; sustainedSpansPerS: number; criterion: string; peakRssMiB: number;
    latency: { directMedianMs: number; tierMedianMs: number; addedMedianMs: number; probes: number; routerBackendLatencyMeanMs: number };
    /** routerOverSamplerAlone: against one Jaeger taking the same traffic with no router in front. */
    goal: { target: string; routerOverSampler: number; met: boolean; routerOverSamplerAlone: number };
}

async function tailJaeger(userconfig: Record<string, any>) {
    const { config, ports } = await onLoopback(userconfig);
    return startJaeger(config, ports);
}

/** One CPU window: `to` gets the traffic; the processes' CPU is read after the samplers' decisions. */
async function cpuWindow(to: Target, bodies: readonly Body[], pids: number[]): Promise<number[]> {
    await sleep(1000); // past the start-up's own CPU
    const before = pids.map(cpuSecondsOf);
    const sent = await send(to, bodies, CPU_RATE);
    if (sent.refusedSpans > 0) throw new Error(`${sent.refusedSpans} spans refused at ${CPU_RATE} spans/s`);
    await sleep((TAIL.decisionWaitSeconds + 2) * 1000);
    return pids.map((p, i) => cpuSecondsOf(p) - before[i]);
}

export const CRITERION = "every span accepted and forwarded (no non-2xx, no refused or failed spans in the router's metrics, no " +
    "dropped_items in its log), achieved ≥ 95 % of offered, " +
    "p99 request latency ≤ max(50 ms, 3 × the first step's)";

export async function tierBench(log: (line: string) => void): Promise<TierReport> {
    const loadBefore = uptime();
    log(`bench tier: ${loadBefore}`);
    const tail = await generated("dev", { tailSampling: TAIL });
    const head = await generated("dev");
    const env = tail.otelEnv("auth");
    const environment = /deployment\.environment\.name=([^,]+)/.exec(env.OTEL_RESOURCE_ATTRIBUTES)![1];
    const perMillion = (cpu: number, spans: number) => round((cpu / spans) * 1e6);

    const cpu: CpuFigure[] = [];
    {
        const load = traffic(CPU_TRACES, env, environment);
        const j = await tailJaeger(tail.userconfig);
        try {
            const [jc] = await cpuWindow(jaegerIn(j), load.bodies, [j.pid]);
            cpu.push({ variant: "Jaeger alone (no router)", spans: load.spans, jaegerCpuSPerMillion: perMillion(jc, load.spans) });
        } finally { await j.stop(); }
    }
    for (const v of VARIANTS) {
        const load = traffic(CPU_TRACES, env, environment);
        const j = await tailJaeger(tail.userconfig);
        const r = await startRouter({ static: { hostnames: [jaegerGrpc(j)] } }, undefined, v.set.map((s) => `--set=${s}`));
        try {
            const [rc, jc] = await cpuWindow(routerIn(r), load.bodies, [r.pid, j.pid]);
            cpu.push({ variant: `router (${v.name}) → Jaeger`, spans: load.spans, routerCpuSPerMillion: perMillion(rc, load.spans),
                jaegerCpuSPerMillion: perMillion(jc, load.spans), routerRssMiB: mib(r.rssBytes()),
                routerFailedSpans: (await routerMetric(r, REFUSED)) + dropped(r) });
        } finally { await Promise.all([r.stop(), j.stop()]); }
        log(`bench tier: ${JSON.stringify(cpu[cpu.length - 1])}`);
    }

    // The ramp: a pool of 100,000 spans sent round and round (the router keeps nothing per trace).
    const ramp: RampStep[] = [];
    const sink = await otlpSink();
    // grpc-js (the sink) decodes no snappy: the ramp's router sends uncompressed (the CPU table gives snappy's cost).
    const r = await startRouter({ static: { hostnames: [`127.0.0.1:${sink.port}`] } }, undefined, [`--set=${VARIANTS[1].set[0]}`]);
    let peakRssMiB = 0;
    try {
        const pool = traffic(20_000, env, environment).bodies;
        for (const rate of RAMP) {
            const bodies = Array.from({ length: Math.ceil((rate * STEP_S) / SPANS_PER_BODY) }, (_, i) => pool[i % pool.length]);
            const [c0, f0] = [r.cpuSeconds(), (await routerMetric(r, REFUSED)) + dropped(r)];
            const s = await send(routerIn(r), bodies, rate, 32);
            await sleep(500); // the last batch leaves
            const cores = (r.cpuSeconds() - c0) / (s.seconds + 0.5);
            const refused = s.refusedSpans + (await routerMetric(r, REFUSED)) + dropped(r) - f0;
            const rssMiB = mib(r.rssBytes());
            peakRssMiB = Math.max(peakRssMiB, rssMiB);
            const p99 = percentile(s.latenciesMs, 99);
            const achieved = s.spans / s.seconds;
            const sustained = refused === 0 && achieved >= 0.95 * rate && p99 <= Math.max(50, 3 * (ramp[0]?.p99Ms ?? p99));
            ramp.push({
                offeredSpansPerS: rate, achievedSpansPerS: Math.round(achieved), refusedSpans: refused, routerCores: round(cores, 2),
                p50Ms: round(percentile(s.latenciesMs, 50)), p99Ms: round(p99), rssMiB, sustained });
            log(`bench tier: ${JSON.stringify(ramp[ramp.length - 1])}`);
            if (refused > 0 || achieved < 0.9 * rate) break; // past saturation; a latency-only miss goes on a step
        }
    } finally { await Promise.all([r.stop(), sink.close()]); }

    // Added latency: probes alternate between the two paths into one head-mode Jaeger.
    const j = await tailJaeger(head.userconfig);
    const lr = await startRouter({ static: { hostnames: [jaegerGrpc(j)] } });
    const times = { direct: [] as number[], tier: [] as number[] };
    let backendMean = NaN;
    try {
        for (let i = 0; i < 2 * PROBES; i++) {
            const path = i % 2 ? "tier" : "direct";
            const probe = traffic(1, env, environment);
            const t0 = performance.now();
            await send(path === "tier" ? routerIn(lr) : jaegerIn(j), probe.bodies, 0, 1);
            while ((await getTrace(j, probe.traceIds[0]))?.spans.length !== 5) {
                if (performance.now() - t0 > 10_000) throw new Error(`probe ${probe.traceIds[0]} (${path}) not stored in 10 s`);
                await sleep(5);
            }
            times[path].push(performance.now() - t0);
        }
        const sum = await routerMetric(lr, /^otelcol_loadbalancer_backend_latency_sum$/);
        const count = await routerMetric(lr, /^otelcol_loadbalancer_backend_latency_count$/);
        backendMean = round(sum / count, 2);
    } finally {
        closeClients();
        await Promise.all([lr.stop(), j.stop()]);
    }

    const committed = cpu.find((c) => c.variant.includes("as generated"))!;
    const ratio = round(committed.routerCpuSPerMillion! / committed.jaegerCpuSPerMillion, 2);
    const best = ramp.filter((s) => s.sustained).pop();
    return {
        date: new Date().toISOString(), loadBefore, loadAfter: uptime(), cpuRateSpansPerS: CPU_RATE, cpu, ramp,
        sustainedSpansPerS: best?.achievedSpansPerS ?? 0, criterion: CRITERION, peakRssMiB,
        latency: {
            directMedianMs: round(percentile(times.direct, 50)), tierMedianMs: round(percentile(times.tier, 50)),
            addedMedianMs: round(percentile(times.tier, 50) - percentile(times.direct, 50)), probes: PROBES,
            routerBackendLatencyMeanMs: backendMean,
        },
        goal: {
            target: "router CPU per span ≤ ½ the tail-sampling Jaeger's behind it (committed config)",
            routerOverSampler: ratio, met: ratio <= 0.5,
            routerOverSamplerAlone: round(committed.routerCpuSPerMillion! / cpu[0].jaegerCpuSPerMillion, 2),
        },
    };
}
