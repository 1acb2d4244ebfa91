/**
 * dev's in-memory store, full: the real Jaeger with the generated dev userconfig and the pod's GOMEMLIMIT, filled with
 * 10 % more than `maxTraces` traces shaped like Eco²'s (ingress gateway and two sidecar spans over Zipkin, the app's
 * server and client spans over OTLP, about fifteen tags each), so the store is at its bound and evicting, then
 * measured from /proc.
 *
 * Twice, because Go's GC sizes the heap to what it may use: with the pod's settings (GOMEMLIMIT = 80 % of the limit,
 * GOGC 100) resident memory settles near GOMEMLIMIT whatever the store holds; with GOGC=10 the heap stays within 1.1×
 * the live data, so resident memory measures what the store really needs. That is what must fit within 80 % of the
 * limit (GOMEMLIMIT: a live set above it makes the GC thrash and the kernel OOM-kill the pod), and its bytes per trace
 * must stay within what the config rule for `jaeger.memory.maxTraces` assumes (components/foundation/memory.ts).
 */
import * as assert from "assert";
import { PORTS } from "../../components/foundation/topology";
import { JAEGER_MEMORY } from "../../components/foundation/memory";
import { parseQuantity } from "../../components/foundation/k8s";
import { eco2Trace, otlpBody, post, SPANS_PER_TRACE } from "./eco2-trace";
import { generated, Generated } from "./generated";
import { findTraces, metric, onLoopback, RunningJaeger, startJaeger } from "./jaeger-process";

/** Traces per request pair (one Zipkin batch, one OTLP batch). */
const BATCH = 250;
/** Past the bound, so the measurement is of a full store that evicts, not of one that is still filling. */
const OVERFILL = 1.1;
const MiB = 2 ** 20;

interface Fill {
    traces: number;
    seconds: number;
    empty: { rss: number; hwm: number };
    full: { rss: number; hwm: number };
    /** Bytes per stored trace at the peak, over the empty process. */
    perTrace: number;
    queryable: boolean;
}

/** Starts a Jaeger with `gogc`, fills it past max_traces, and measures it; the process is stopped afterwards. */
async function fill(gen: Generated, gogc: string): Promise<Fill> {
    const maxTraces: number = gen.userconfig.extensions.jaeger_storage.backends.primary_store.memory.max_traces;
    const goMemLimit = gen.values.jaeger.extraEnv.find((e: { name: string }) => e.name === "GOMEMLIMIT").value;
    const { config, ports } = await onLoopback(gen.userconfig);
    const jaeger: RunningJaeger = await startJaeger(config, ports, { GOMEMLIMIT: goMemLimit, GOGC: gogc });
    try {
        const env = gen.otelEnv("auth");
        const environment = /deployment\.environment\.name=([^,]+)/.exec(env.OTEL_RESOURCE_ATTRIBUTES)![1];
        const empty = jaeger.memory();
        const total = Math.ceil((maxTraces * OVERFILL) / BATCH) * BATCH;
        const started = Date.now();
        for (let n = 0; n < total; n += BATCH) {
            const traces = Array.from({ length: BATCH }, (_, k) => eco2Trace(n + k, started * 1000 + n + k, environment));
            await post(`${jaeger.url(PORTS.zipkin)}/api/v2/spans`, traces.flatMap((t) => t.zipkin), 202);
            await post(`${jaeger.url(PORTS.otlpHttp)}/v1/traces`, otlpBody(traces.flatMap((t) => t.otlp), env), 200);
        }
        // Every span has passed the batch processor into the store.
        const sent = () => metric(jaeger, "otelcol_exporter_sent_spans(?:_total)?");
        for (let i = 0; i < 300 && (await sent()) < total * SPANS_PER_TRACE; i++) await new Promise((r) => setTimeout(r, 100));
        assert.strictEqual(await sent(), total * SPANS_PER_TRACE, "all spans stored");
        const full = jaeger.memory();
        const queryable = (await findTraces(jaeger, "auth-api")).length > 0;
        return { traces: total, seconds: (Date.now() - started) / 1000, empty, full, perTrace: (full.hwm - empty.rss) / maxTraces, queryable };
    } finally {
        await jaeger.stop();
    }
}

function describeFill(what: string, f: Fill, limit: number): void {
    const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
    process.stderr.write([
        `      ${what}: ${f.traces} traces (${f.traces * SPANS_PER_TRACE} spans) in ${f.seconds.toFixed(1)} s`,
        `      RSS empty ${mib(f.empty.rss)}, full ${mib(f.full.rss)}, peak ${mib(f.full.hwm)} = ${((100 * f.full.hwm) / limit).toFixed(1)} % of the ${(limit / MiB).toFixed(0)} MiB limit; ${(f.perTrace / 1024).toFixed(2)} KiB per stored trace`,
        "",
    ].join("\n"));
}

describe("dev in-memory store, filled past maxTraces with Eco²-shaped traces (real Jaeger)", () => {
    let gen: Generated;
    let limit: number;
    before(async () => {
        gen = await generated("dev");
        limit = parseQuantity(gen.values.jaeger.resources.limits.memory);
    });

    it("with a tight GC (GOGC=10, resident ≈ what the store holds): within 80 % of the limit, per trace within the config rule's figure", async () => {
        const f = await fill(gen, "10");
        describeFill("GOGC=10", f, limit);
        assert.ok(f.queryable);
        assert.ok(f.full.hwm <= 0.8 * limit, `peak RSS ${(f.full.hwm / MiB).toFixed(1)} MiB is above 80 % of ${(limit / MiB).toFixed(0)} MiB`);
        assert.ok(f.perTrace <= JAEGER_MEMORY.bytesPerTrace, `${f.perTrace.toFixed(0)} bytes per trace; the rule assumes ${JAEGER_MEMORY.bytesPerTrace}`);
        assert.ok(f.empty.rss <= JAEGER_MEMORY.baselineBytes, `empty RSS ${(f.empty.rss / MiB).toFixed(1)} MiB; the rule assumes ${JAEGER_MEMORY.baselineBytes / MiB} MiB`);
    });

    it("as the pod runs (GOMEMLIMIT from the chart values, default GOGC): the GC lets it grow to the soft limit, never to the container limit", async () => {
        const f = await fill(gen, "");
        describeFill("pod settings", f, limit);
        assert.ok(f.queryable);
        assert.ok(f.full.hwm < 0.9 * limit, `peak RSS ${(f.full.hwm / MiB).toFixed(1)} MiB leaves under 10 % of ${(limit / MiB).toFixed(0)} MiB`);
    });
});
