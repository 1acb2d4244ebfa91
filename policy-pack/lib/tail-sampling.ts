/**
 * What a collector config (Jaeger v2 `userconfig`, or any OpenTelemetry Collector config) stores of ordinary traces
 * when its traces pipeline runs the tail_sampling processor. Only the top-level policies count: they are OR-ed, so
 * the percentage kept of traces that match none of the error/latency/attribute policies is the largest probabilistic one
 * (100 with an always_sample policy). Nested and/composite policies only ever narrow that, and are not read.
 */
import { parseUserConfig } from "./jaeger";
import { asArray, isRecord } from "./resources";

/** Processor type of a component id `type[/name]`. */
const processorType = (id: unknown) => (typeof id === "string" ? id.split("/")[0] : "");

export interface TailSampler {
    /** The processor id in the config, e.g. `tail_sampling`. */
    processor: string;
    /** Percent of ordinary traces kept (0–100). */
    probabilisticPercent: number;
}

/** The tail sampler of a config's traces pipelines, or undefined when it samples at the head only. */
export function tailSampler(config: unknown): TailSampler | undefined {
    if (!isRecord(config) || !isRecord(config.service) || !isRecord(config.service.pipelines)) return undefined;
    const processors = isRecord(config.processors) ? config.processors : {};
    for (const [pipeline, spec] of Object.entries(config.service.pipelines)) {
        if (processorType(pipeline) !== "traces" || !isRecord(spec)) continue;
        const id = asArray(spec.processors).find((p) => processorType(p) === "tail_sampling");
        if (typeof id !== "string") continue;
        let kept = 0;
        for (const policy of asArray(isRecord(processors[id]) ? processors[id].policies : [])) {
            if (!isRecord(policy)) continue;
            if (policy.type === "always_sample") kept = 100;
            const pct = policy.type === "probabilistic" && isRecord(policy.probabilistic) ? Number(policy.probabilistic.sampling_percentage ?? 0) : 0;
            if (Number.isFinite(pct)) kept = Math.max(kept, Math.min(pct, 100));
        }
        return { processor: id, probabilisticPercent: kept };
    }
    return undefined;
}

/** A tail sampler of a config given as an object or a YAML string (a ConfigMap value); undefined if none or unparsable. */
export function tailSamplerIn(value: unknown): TailSampler | undefined {
    // Cheap test first: most ConfigMap values of a stack are short settings, not collector configs.
    if (typeof value === "string" && !value.includes("tail_sampling")) return undefined;
    const { config } = parseUserConfig(value);
    return tailSampler(config);
}
