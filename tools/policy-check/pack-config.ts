/**
 * Policy pack configuration as the Pulumi CLI handles it for `--policy-pack-config FILE`:
 *
 *   { "all": "advisory", "some-policy": "disabled", "other-policy": { "enforcementLevel": "mandatory", "max": 3 } }
 *
 * For the in-process analyzer (analyzer.ts), which `npm run policy:check -- --config FILE` runs over plain
 * manifests, so a config file means there what it means to `pulumi preview --policy-pack-config` (the real CLI does
 * this itself for `npm run synth`); synth also reads the file here first, so a malformed one exits 2, and takes the
 * reconciled `jaegerPodLabels` for its warning (synth/policy-agreement.ts).
 *
 * Follows pkg/resource/analyzer/config.go in pulumi/pulumi: parsePolicyPackConfig; ReconcilePolicyPackConfig (schema
 * defaults and each policy's own level, then the pack's initial config, then the file; each applied "all" first,
 * per-policy entries after); validatePolicyPackConfig (each policy that has a schema, against its reconciled
 * properties); and the analyzer plugin's Configure, which refuses an entry without a valid enforcement level.
 * Pure; no I/O besides reading the file.
 */
import * as fs from "fs";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { isPlainObject } from "../../components/foundation/k8s";

export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;
export type EnforcementLevel = (typeof ENFORCEMENT_LEVELS)[number];

export interface PolicyConfigEntry {
    enforcementLevel?: EnforcementLevel;
    properties?: Record<string, unknown>;
}
export type PolicyPackConfig = Record<string, PolicyConfigEntry>;

/** A policy as the engine knows it from GetAnalyzerInfo. */
export interface PolicyMetadata {
    name: string;
    enforcementLevel: EnforcementLevel;
    /** Present when the policy declares a config schema, even an empty one (then `{}` is validated against it). */
    configSchema?: { properties?: Record<string, PolicyConfigJSONSchema>; required?: string[] };
}

export class PolicyConfigError extends Error {
    /** `source`: the file (or other origin) the config came from, prefixed to every problem. */
    constructor(readonly problems: readonly string[], readonly source?: string) {
        super(`invalid policy pack config:\n${problems.map((p) => `  - ${source ? `${source}: ` : ""}${p}`).join("\n")}`);
        this.name = "PolicyConfigError";
    }
}

const ALLOWED = ENFORCEMENT_LEVELS.join(", ");

function isLevel(value: unknown): value is EnforcementLevel {
    return typeof value === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

const byKey = <T>([a]: [string, T], [b]: [string, T]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The file's JSON value → config entries. Every problem is collected (policy name and bad value in each) before
 * throwing. `null` is an empty config, as Go's json.Unmarshal makes it.
 */
export function policyPackConfigFromJson(raw: unknown, source: string): PolicyPackConfig {
    if (raw === null) return {};
    if (!isPlainObject(raw)) throw new PolicyConfigError([`must be a JSON object keyed by policy name (or "all"), not ` +
        `${JSON.stringify(raw)}`], source);
    const problems: string[] = [];
    const result: PolicyPackConfig = {};
    for (const [name, value] of Object.entries(raw).sort(byKey)) {
        if (typeof value === "string") {
            if (isLevel(value)) result[name] = { enforcementLevel: value };
            else problems.push(`${name}: "${value}" is not an enforcement level; allowed: ${ALLOWED}`);
        } else if (isPlainObject(value)) {
            const { enforcementLevel, ...properties } = value;
            if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
                problems.push(`${name}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not an enforcement level; allowed: ` +
                    `${ALLOWED}`);
                continue;
            }
            const entry: PolicyConfigEntry = {};
            if (enforcementLevel !== undefined) entry.enforcementLevel = enforcementLevel;
            if (Object.keys(properties).length > 0) entry.properties = properties;
            // As the CLI: an empty entry is no entry.
            if (entry.enforcementLevel || entry.properties) result[name] = entry;
        } else {
            problems.push(`${name}: ${JSON.stringify(value)} is not valid; must be an enforcement level (string) or an object`);
        }
    }
    if (problems.length > 0) throw new PolicyConfigError(problems, source);
    return result;
}

/** The file's text; blank content is an empty config, as in the CLI. */
export function parsePolicyPackConfig(text: string, file: string): PolicyPackConfig {
    if (text.trim() === "") return {};
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw new PolicyConfigError([`not valid JSON: ${(e as Error).message}`], file);
    }
    return policyPackConfigFromJson(raw, file);
}

export function readPolicyPackConfig(file: string, shown = file): PolicyPackConfig {
    return parsePolicyPackConfig(fs.readFileSync(file, "utf8"), shown);
}

/** applyConfig: "all" sets the level of every entry so far, then each entry's level and properties win. */
function apply(result: PolicyPackConfig, given: PolicyPackConfig): PolicyPackConfig {
    const out: PolicyPackConfig = { ...result };
    const all = given.all?.enforcementLevel;
    if (all) for (const name of Object.keys(out)) out[name] = { ...out[name], enforcementLevel: all };
    for (const [name, entry] of Object.entries(given)) {
        const current = out[name] ?? {};
        const next: PolicyConfigEntry = {};
        const level = entry.enforcementLevel ?? current.enforcementLevel;
        if (level) next.enforcementLevel = level;
        const properties = entry.properties ? { ...current.properties, ...entry.properties } : current.properties;
        if (properties) next.properties = properties;
        out[name] = next;
    }
    return out;
}

/** ReconcilePolicyPackConfig without its validation: defaults, then the pack's initial config, then the given one. */
export function reconcilePolicyConfig(policies: readonly PolicyMetadata[], initial: PolicyPackConfig, given: PolicyPackConfig): PolicyPackConfig {
    const defaults: PolicyPackConfig = {};
    for (const p of policies) {
        const withDefault = Object.entries(p.configSchema?.properties ?? {}).filter(([, s]) => isPlainObject(s) && s.default !== undefined);
        defaults[p.name] = { enforcementLevel: p.enforcementLevel };
        if (withDefault.length > 0) defaults[p.name].properties = Object.fromEntries(withDefault.map(([k, s]) => [k, structuredClone(s.default)]));
    }
    return apply(apply(defaults, initial), given);
}

/**
 * The subset of JSON Schema (draft 4, as gojsonschema checks it) the CLI applies to policy config. Keywords outside
 * this subset are refused so a schema can never be silently half-checked.
 */
export function schemaProblems(schema: PolicyConfigJSONSchema | boolean, value: unknown, path: string): string[] {
    if (schema === true) return [];
    if (schema === false) return [`${path}: no value is allowed here`];
    const supported = ["type", "enum", "minimum", "maximum", "minLength", "pattern", "items", "minItems", "properties", "additionalProperties", "required", "description", "default"];
    const unsupported = Object.keys(schema).filter((k) => !supported.includes(k));
    if (unsupported.length > 0) throw new Error(`policy config schema: keyword(s) ${unsupported.join(", ")} at ${path} are not supported`);
    const problems: string[] = [];
    const show = JSON.stringify(value);
    if (schema.type !== undefined) {
        const types = Array.isArray(schema.type) ? schema.type : [schema.type];
        const actual = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
        const ok = types.some((t) => t === actual || (t === "integer" && typeof value === "number" && Number.isInteger(value)));
        if (!ok) return [`${path}: ${show} is not of type ${types.join(" or ")}`];
    }
    if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === show)) problems.push(`${path}: ${show} is not one of ` +
        `${JSON.stringify(schema.enum)}`);
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path}: ${value} is less than the minimum ` +
            `${schema.minimum}`);
        if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path}: ${value} is greater than the maximum ` +
            `${schema.maximum}`);
    }
    if (typeof value === "string") {
        if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${path}: ${show} is shorter than ` +
            `${schema.minLength}`);
        if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) problems.push(`${path}: ${show} does not match ` +
            `${schema.pattern}`);
    }
    if (Array.isArray(value)) {
        if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${path}: needs at least ${schema.minItems} ` +
            `item(s)`);
        if (schema.items !== undefined) {
            if (Array.isArray(schema.items)) throw new Error(`policy config schema: tuple "items" at ${path} is not supported`);
            const items = schema.items;
            value.forEach((v, i) => problems.push(...schemaProblems(items, v, `${path}[${i}]`)));
        }
    }
    if (isPlainObject(value)) {
        for (const key of schema.required ?? []) if (!(key in value)) problems.push(`${path}: ${key} is required`);
        for (const [key, v] of Object.entries(value)) {
            const sub = schema.properties?.[key] ?? schema.additionalProperties;
            if (sub !== undefined) problems.push(...schemaProblems(sub, v, `${path}.${key}`));
        }
    }
    return problems;
}

export interface ResolvedPolicyConfig {
    /** What the engine sends with Configure: every policy, plus the given entries for names the pack lacks. */
    config: PolicyPackConfig;
    /** Given names that are not policies of the pack (the CLI passes them on; the pack ignores them). */
    unknown: string[];
    /** Why the CLI would refuse this config; empty when it is valid. */
    problems: string[];
}

/** Reconcile, then what the CLI checks before and during Configure. `given` is the parsed file. */
export function resolvePolicyConfig(policies: readonly PolicyMetadata[], given: PolicyPackConfig, initial: PolicyPackConfig = {}): ResolvedPolicyConfig {
    const config = reconcilePolicyConfig(policies, initial, given);
    const problems = policies.flatMap((p) => {
        if (!p.configSchema) return [];
        const { properties, required } = p.configSchema;
        const schema: PolicyConfigJSONSchema = { type: "object", ...(properties ? { properties } : {}), ...(required?.length ? { required } : {}) };
        return schemaProblems(schema, config[p.name]?.properties ?? {}, p.name);
    });
    for (const [name, entry] of Object.entries(config).sort(byKey)) {
        if (!entry.enforcementLevel) problems.push(`${name}: not a policy of this pack, so it needs an enforcementLevel (${ALLOWED}); ` +
            `the CLI refuses to configure it without one`);
    }
    const known = new Set(policies.map((p) => p.name));
    const unknown = Object.keys(config).filter((name) => name !== "all" && !known.has(name)).sort();
    return { config, unknown, problems };
}
