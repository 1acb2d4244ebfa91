/**
 * Policy pack configuration as the Pulumi CLI handles it for `--policy-pack-config FILE`:
 *
 *   { "all": "advisory", "some-policy": "disabled", "other-policy": { "enforcementLevel": "mandatory", "max": 3 } }
 *
 * parsed like the CLI's parsePolicyPackConfig, then reconciled like ReconcilePolicyPackConfig: schema defaults and
 * each policy's own level first, then the pack's initial config, then the file ("all" before per-policy entries).
 * The result is what the engine sends in the analyzer's Configure call. Pure; no I/O besides reading the file.
 */
import * as fs from "fs";

export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;
export type EnforcementLevel = (typeof ENFORCEMENT_LEVELS)[number];

export interface PolicyConfigEntry {
    enforcementLevel?: EnforcementLevel;
    properties?: Record<string, unknown>;
}
export type PolicyPackConfig = Record<string, PolicyConfigEntry>;

export interface PolicyMetadata {
    name: string;
    enforcementLevel: EnforcementLevel;
    /** JSON-schema properties of the policy's config, as the pack reports them. */
    configProperties?: Record<string, Record<string, unknown>>;
}

export class PolicyConfigError extends Error {
    constructor(readonly file: string, message: string) {
        super(`policy pack config ${file}: ${message}`);
        this.name = "PolicyConfigError";
    }
}

function isLevel(value: unknown): value is EnforcementLevel {
    return typeof value === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

export function parsePolicyPackConfig(text: string, file: string): PolicyPackConfig {
    if (text.trim() === "") return {};
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw new PolicyConfigError(file, `not valid JSON: ${(e as Error).message}`);
    }
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new PolicyConfigError(file, "must be a JSON object keyed by policy name (or \"all\")");
    const allowed = ENFORCEMENT_LEVELS.join(", ");
    const result: PolicyPackConfig = {};
    for (const [name, value] of Object.entries(raw).sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (typeof value === "string") {
            if (!isLevel(value)) throw new PolicyConfigError(file, `${name}: "${value}" is not an enforcement level; allowed: ${allowed}`);
            result[name] = { enforcementLevel: value };
        } else if (value && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
                throw new PolicyConfigError(file, `${name}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not an enforcement level; allowed: ${allowed}`);
            }
            const entry: PolicyConfigEntry = {};
            if (enforcementLevel !== undefined) entry.enforcementLevel = enforcementLevel;
            if (Object.keys(properties).length > 0) entry.properties = properties;
            if (entry.enforcementLevel || entry.properties) result[name] = entry;
        } else {
            throw new PolicyConfigError(file, `${name}: ${JSON.stringify(value)} is not valid; must be an enforcement level or an object`);
        }
    }
    return result;
}

export function readPolicyPackConfig(file: string): PolicyPackConfig {
    return parsePolicyPackConfig(fs.readFileSync(file, "utf8"), file);
}

function apply(result: PolicyPackConfig, given: PolicyPackConfig): PolicyPackConfig {
    const out: PolicyPackConfig = { ...result };
    const all = given.all?.enforcementLevel;
    if (all) for (const name of Object.keys(out)) out[name] = { ...out[name], enforcementLevel: all };
    for (const [name, entry] of Object.entries(given)) {
        const current = out[name] ?? {};
        out[name] = {
            enforcementLevel: entry.enforcementLevel ?? current.enforcementLevel,
            properties: entry.properties ? { ...current.properties, ...entry.properties } : current.properties,
        };
    }
    return out;
}

export function reconcilePolicyConfig(policies: readonly PolicyMetadata[], initial: PolicyPackConfig, given: PolicyPackConfig): PolicyPackConfig {
    const defaults: PolicyPackConfig = {};
    for (const p of policies) {
        const props = Object.entries(p.configProperties ?? {}).filter(([, schema]) => schema && "default" in schema);
        defaults[p.name] = { enforcementLevel: p.enforcementLevel, properties: props.length ? Object.fromEntries(props.map(([k, s]) => [k, s.default])) : undefined };
    }
    return apply(apply(defaults, initial), given);
}
