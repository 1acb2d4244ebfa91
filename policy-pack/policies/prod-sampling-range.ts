/**
 * Sampling guardrail, configured per stack (prod: 1–10 %), on what is actually stored.
 * - Head sampling (no collector in the checked resources tail-samples): mesh-wide and namespace-wide Telemetry must
 *   sample within [min, max]; a workload-level Telemetry may exceed max only when it is on the allow list.
 * - Tail sampling (a Jaeger/collector config whose traces pipeline runs tail_sampling, in a Helm install's
 *   `userconfig` or a ConfigMap): the percentage of ordinary traces that sampler keeps (its probabilisticPercent) must be within [min, max], and
 *   every Telemetry must send 100 % (the sampler only sees what the mesh samples). Mesh 100 % is therefore allowed
 *   in tail mode only.
 * A stack policy, because the Telemetry alone does not say which mode the collector runs.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { DEFAULT_ROOT_NAMESPACE, read, schema } from "../lib/config";
import { describeHelmInstall, isHelmInstall, isJaegerChart } from "../lib/jaeger";
import { describe, isKind, isRecord, ResourceLike } from "../lib/resources";
import { TailSampler, tailSamplerIn } from "../lib/tail-sampling";
import { isTelemetry, telemetryKey, telemetryScope, tracingEntries } from "../lib/telemetry";

interface Config {
    min: number;
    max: number;
    allowList: string[];
    rootNamespace: string;
}

const DEFAULTS: Config = { min: 0, max: 100, allowList: [], rootNamespace: DEFAULT_ROOT_NAMESPACE };

interface Sampler extends TailSampler {
    where: string;
    urn: string;
}

/** Every tail sampler in the resources: Jaeger Helm installs (values userconfig) and collector configs in ConfigMaps. */
function tailSamplers(resources: readonly ResourceLike[]): Sampler[] {
    const out: Sampler[] = [];
    for (const r of resources) {
        if (isHelmInstall(r.type) && isJaegerChart(r.props)) {
            const found = tailSamplerIn(isRecord(r.props.values) ? r.props.values.userconfig : undefined);
            if (found) out.push({ ...found, where: `${describeHelmInstall(r)} (values userconfig)`, urn: r.urn });
        } else if (isKind(r.type, "", "ConfigMap") && isRecord(r.props.data)) {
            for (const key of Object.keys(r.props.data).sort()) {
                const found = tailSamplerIn(r.props.data[key]);
                if (found) out.push({ ...found, where: `${describe(r)} key "${key}"`, urn: r.urn });
            }
        }
    }
    return out;
}

/** What JSON schema cannot say of this policy's config: a reversed range is a broken config, not a violation. */
export function samplingRangeConfigProblem(config: { min?: unknown; max?: unknown }): string | undefined {
    const { min, max } = config;
    return typeof min === "number" && typeof max === "number" && min > max ? `config min (${min}) is greater than max (${max})` : undefined;
}

export const prodSamplingRange: StackValidationPolicy = {
    name: "prod-sampling-range",
    description: "What is stored is within [min, max] percent: head sampling through mesh- and namespace-wide Telemetry (workload overrides above max only if allow-listed), tail sampling through the collector's probabilistic percentage with the mesh at 100 %.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            min: schema.percentage("Lowest percentage stored: mesh- and namespace-wide randomSamplingPercentage, or the tail sampler's probabilistic percentage.", DEFAULTS.min),
            max: schema.percentage("Highest percentage stored, as for min; with head sampling also the limit for Telemetry not on the allow list.", DEFAULTS.max),
            allowList: schema.strings("Workload-level Telemetry (namespace/name) allowed to sample above max (head sampling).", DEFAULTS.allowList, "^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$"),
            rootNamespace: schema.namespace("The mesh root namespace (Telemetry there without a selector is mesh-wide).", DEFAULTS.rootNamespace),
        },
    },
    validateStack: (args, reportViolation) => {
        const config = read<Config>(args.getConfig(), DEFAULTS);
        const broken = samplingRangeConfigProblem(config);
        if (broken) throw new Error(`prod-sampling-range: ${broken}`);
        const samplers = tailSamplers(args.resources);
        const telemetries = args.resources.filter((r) => isTelemetry(r.type));
        if (samplers.length === 0 && telemetries.length === 0) args.notApplicable("no Telemetry and no tail-sampling collector config in the checked resources");
        for (const s of samplers) {
            if (s.probabilisticPercent < config.min || s.probabilisticPercent > config.max) {
                reportViolation(`${s.where}: processor ${s.processor} keeps ${s.probabilisticPercent} % of ordinary traces (its probabilistic percentage), outside the allowed range ${config.min}–${config.max}`, s.urn);
            }
        }
        const tail = samplers[0];
        for (const r of telemetries) {
            const scope = telemetryScope(r, config.rootNamespace);
            const key = telemetryKey(r);
            for (const entry of tracingEntries(r.props.spec)) {
                const value = entry.randomSamplingPercentage;
                if (value === undefined || value === null) continue; // inherits the mesh default
                const where = `${describe(r)} (${scope}) tracing[${entry.index}].randomSamplingPercentage`;
                if (typeof value !== "number" || !Number.isFinite(value)) {
                    reportViolation(`${where} is ${JSON.stringify(value)}, not a number`, r.urn);
                } else if (tail) {
                    if (value !== 100) reportViolation(`${where} = ${value}, but ${tail.where} tail-samples: the mesh must send every request (100), or the sampler never sees ${100 - value} % of the errors and slow requests`, r.urn);
                } else if (scope === "workload-level") {
                    if (value > config.max && !config.allowList.includes(key)) {
                        reportViolation(`${where} = ${value} is above the maximum ${config.max}; workload overrides above the maximum must be on the allow list (add "${key}" to allowList)`, r.urn);
                    }
                } else if (value < config.min || value > config.max) {
                    const hint = value === 100 ? " (the mesh sends every request only when the collector tail-samples: tail_sampling in the Jaeger pipeline)" : "";
                    reportViolation(`${where} = ${value} is outside the allowed range ${config.min}–${config.max}${hint}`, r.urn);
                }
            }
        }
    },
};
