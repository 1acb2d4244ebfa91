/**
 * What the in-memory store costs, as measured by `npm run test:e2e` (test/e2e/jaeger-memory.e2e.ts: the real Jaeger
 * with the dev userconfig and GOMEMLIMIT, filled past `max_traces` with Eco²-shaped traces of five spans), and the
 * bound on `jaeger.memory.maxTraces` that follows for a container memory limit (the config rule is
 * components/config/memory-rules.ts; the chart values' GOMEMLIMIT is the same share). Pure.
 *
 * The figures are the measurement rounded up with headroom; the e2e test fails if Jaeger ever needs more, so the
 * config rule cannot silently drift from the binary it sizes.
 */
import { parseQuantity } from "./k8s";

/** Share of the container memory limit given to the Go runtime as its soft limit (GOMEMLIMIT); the rest is headroom. */
export const GOMEMLIMIT_SHARE = 0.8;

export const JAEGER_MEMORY = Object.freeze({
    /** Peak resident bytes per stored trace of a full store (5 spans, ~15 tags each): measured 13.6 KiB. */
    bytesPerTrace: 16 * 1024,
    /** Resident bytes of a started, empty Jaeger: measured 54 MiB. */
    baselineBytes: 64 * 2 ** 20,
});

/**
 * The most traces a store may keep under a container memory limit: baseline plus traces within the Go soft limit
 * (GOMEMLIMIT, the same share of the limit the chart values set), so a full store is collected, not OOM-killed.
 */
export function maxTracesFor(memoryLimit: string): number {
    const budget = parseQuantity(memoryLimit) * GOMEMLIMIT_SHARE - JAEGER_MEMORY.baselineBytes;
    return Math.max(0, Math.floor(budget / JAEGER_MEMORY.bytesPerTrace));
}

/** The memory limit (in whole Mi) a store of `maxTraces` needs. */
export function memoryLimitFor(maxTraces: number): string {
    return `${Math.ceil((maxTraces * JAEGER_MEMORY.bytesPerTrace + JAEGER_MEMORY.baselineBytes) / GOMEMLIMIT_SHARE / 2 ** 20)}Mi`;
}
