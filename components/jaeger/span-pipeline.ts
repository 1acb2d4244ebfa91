/**
 * The processors of Jaeger's traces pipeline (part of the generated userconfig, components/jaeger/values.ts). Pure.
 *
 * Head mode: memory_limiter → [attributes/scrub] → batch. Tail mode: memory_limiter → [attributes/scrub] → tail_sampling → batch.
 * Scrubbing comes before the sampler so the traces it holds during the decision wait carry no secrets either; the
 * sampler's policies read the status, the timestamps and `service.name`, which scrubbing never touches.
 * Processor names and config keys are those of the collector release Jaeger v2 is built on (contrib v0.140.1).
 */
import { GOMEMLIMIT_SHARE } from "../foundation/memory";
import type { Values } from "../foundation/k8s";
import { SERVICE_NAME_ATTRIBUTE, SMOKE_SERVICE } from "../foundation/attributes";

/** The collector's per-trace decision (tail mode): what it keeps of a complete trace, and how long it waits. */
export interface TailSampling {
    readonly enabled: boolean;
    /** Percentage of ordinary traces kept (no error, not slow, not an always-sampled service). */
    readonly probabilisticPercent: number;
    readonly latencyThresholdMs: number;
    /** `service.name` values whose traces are always kept. */
    readonly alwaysSampleServices: readonly string[];
    readonly decisionWaitSeconds: number;
    readonly numTraces: number;
}

/** One span attribute the attributes processor deletes, replaces by its hash, or cuts before its query string. */
export interface ScrubAttribute {
    readonly key: string;
    readonly action: "delete" | "hash" | "stripQuery";
}

export interface SpanPipeline {
    readonly tailSampling: TailSampling;
    readonly scrubAttributes: readonly ScrubAttribute[];
}

/** Where stripQuery holds a URL's part before `?`/`#` for one action (a regex group name: no dots). */
export const STRIP_QUERY_HOLDER = "eco2_scrub_without_query";

/**
 * The attributes processor's actions for one scrub entry. It cannot rewrite a value in place, so stripQuery extracts
 * the part before the query into a holder, writes it back over the key, and drops the holder; a span without the key
 * is left alone (extract and from_attribute skip a missing attribute).
 */
export function scrubActions(a: ScrubAttribute): Values[] {
    if (a.action !== "stripQuery") return [{ key: a.key, action: a.action }];
    return [
        { key: a.key, action: "extract", pattern: `^(?P<${STRIP_QUERY_HOLDER}>[^?#]*)` },
        { key: a.key, action: "update", from_attribute: STRIP_QUERY_HOLDER },
        { key: STRIP_QUERY_HOLDER, action: "delete" },
    ];
}

export const PROCESSOR = Object.freeze({ memoryLimiter: "memory_limiter", scrub: "attributes/scrub", tailSampling: "tail_sampling", batch: "batch" });

/**
 * memory_limiter refuses data (receivers answer "retry later") above GOMEMLIMIT's share of the container limit, the
 * budget the in-memory store is sized within (components/foundation/memory.ts), so a full store alone never trips it; what grows
 * past it is the sampler's held traces when traffic outruns the decision wait. It forces a GC this much higher.
 */
const MEMORY_SPIKE_PERCENT = 10;

/**
 * The stack's pipeline. With the smoke workload on, its trace is always kept in tail mode: `pulumi up` reports the
 * spans sent and the README sends the operator to find that trace in Jaeger. Its OTLP span names the service.
 */
export function spanPipeline(p: SpanPipeline, smokeTest: boolean): SpanPipeline {
    const always = p.tailSampling.alwaysSampleServices;
    const smoke = smokeTest && !always.includes(SMOKE_SERVICE) ? [SMOKE_SERVICE] : [];
    return { tailSampling: { ...p.tailSampling, alwaysSampleServices: [...always, ...smoke] }, scrubAttributes: p.scrubAttributes };
}

/** The sampler's policies: a trace is kept when any one of them says so. */
export function tailSamplingPolicies(t: TailSampling): Values[] {
    return [
        { name: "errors", type: "status_code", status_code: { status_codes: ["ERROR"] } },
        { name: "slow", type: "latency", latency: { threshold_ms: t.latencyThresholdMs } },
        ...(t.alwaysSampleServices.length > 0
            ? [{ name: "always-sampled-services", type: "string_attribute", string_attribute: { key: SERVICE_NAME_ATTRIBUTE, values: [...t.alwaysSampleServices] } }]
            : []),
        { name: "probabilistic", type: "probabilistic", probabilistic: { sampling_percentage: t.probabilisticPercent } },
    ];
}

/** `processors` and the traces pipeline's `processors` list of the userconfig. */
export function spanProcessors(p: SpanPipeline): { processors: Values; order: string[] } {
    const processors: Values = {};
    const order: string[] = [];
    const use = (name: string, config: Values) => {
        processors[name] = config;
        order.push(name);
    };
    const tail = p.tailSampling.enabled;
    // In every mode: the storage exporter has no queue, so a slow Elasticsearch or a burst would otherwise grow the
    // heap until the pod is OOM-killed. Percentages of the container's cgroup limit, which the collector reads.
    const soft = Math.round(GOMEMLIMIT_SHARE * 100);
    use(PROCESSOR.memoryLimiter, { check_interval: "1s", limit_percentage: soft + MEMORY_SPIKE_PERCENT, spike_limit_percentage: MEMORY_SPIKE_PERCENT });
    // The processor refuses an empty action list, so no scrubbing means no processor.
    if (p.scrubAttributes.length > 0) use(PROCESSOR.scrub, { actions: p.scrubAttributes.flatMap(scrubActions) });
    if (tail) {
        use(PROCESSOR.tailSampling, {
            decision_wait: `${p.tailSampling.decisionWaitSeconds}s`,
            num_traces: p.tailSampling.numTraces,
            policies: tailSamplingPolicies(p.tailSampling),
        });
    }
    // `{}` rather than null: Helm deletes null-valued keys, which would drop the processor the pipeline names.
    use(PROCESSOR.batch, {});
    return { processors, order };
}
