/**
 * Sampling guardrail, configured per stack (prod: 1–10 %). Mesh-wide and namespace-wide Telemetry must sample
 * within [min, max]; a workload-level Telemetry may exceed max only when it is on the allow list (namespace/name).
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { DEFAULT_ROOT_NAMESPACE, read, schema } from "../lib/config";
import { describe } from "../lib/resources";
import { isTelemetry, telemetryKey, telemetryScope, tracingEntries } from "../lib/telemetry";

interface Config {
    min: number;
    max: number;
    allowList: string[];
    rootNamespace: string;
}

const DEFAULTS: Config = { min: 0, max: 100, allowList: [], rootNamespace: DEFAULT_ROOT_NAMESPACE };

export const prodSamplingRange: ResourceValidationPolicy = {
    name: "prod-sampling-range",
    description: "Mesh-wide and namespace-wide Telemetry sample within [min, max] percent; workload overrides above max only for allow-listed Telemetry.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            min: schema.percentage("Lowest randomSamplingPercentage for mesh- and namespace-wide Telemetry.", DEFAULTS.min),
            max: schema.percentage("Highest randomSamplingPercentage for any Telemetry not on the allow list.", DEFAULTS.max),
            allowList: schema.strings("Workload-level Telemetry (namespace/name) allowed to sample above max.", DEFAULTS.allowList, "^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$"),
            rootNamespace: schema.namespace("The mesh root namespace (Telemetry there without a selector is mesh-wide).", DEFAULTS.rootNamespace),
        },
    },
    validateResource: (args, reportViolation) => {
        if (!isTelemetry(args.type)) args.notApplicable("only applies to telemetry.istio.io Telemetry");
        const config = read<Config>(args.getConfig(), DEFAULTS);
        // JSON schema cannot relate two properties; a reversed range is a broken config, not a violation.
        if (config.min > config.max) throw new Error(`prod-sampling-range: config min (${config.min}) is greater than max (${config.max})`);
        const scope = telemetryScope(args, config.rootNamespace);
        const key = telemetryKey(args);
        for (const entry of tracingEntries(args.props.spec)) {
            const value = entry.randomSamplingPercentage;
            if (value === undefined || value === null) continue; // inherits the mesh default
            const where = `${describe(args)} (${scope}) tracing[${entry.index}].randomSamplingPercentage`;
            if (typeof value !== "number" || !Number.isFinite(value)) {
                reportViolation(`${where} is ${JSON.stringify(value)}, not a number`);
            } else if (scope === "workload-level") {
                if (value > config.max && !config.allowList.includes(key)) {
                    reportViolation(`${where} = ${value} is above the maximum ${config.max}; workload overrides above the maximum must be on the allow list (add "${key}" to allowList)`);
                }
            } else if (value < config.min || value > config.max) {
                reportViolation(`${where} = ${value} is outside the allowed range ${config.min}–${config.max}`);
            }
        }
    },
};
