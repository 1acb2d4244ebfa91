/**
 * Runs a list of @pulumi/policy policies over resources the way `pulumi preview --policy-pack` does, without the
 * CLI: the config is reconciled like the CLI does (schema defaults, then `all`, then per-policy values, then JSON
 * schema validation), and each policy gets its args built like @pulumi/policy's analyzer server builds them from
 * the gRPC request (properties through a protobuf Struct, deserialized and wrapped in the unknown-checking proxy;
 * getConfig without enforcementLevel; notApplicable; stackTags; isType/asType by type token).
 *
 * Used by `npm run policy:check` (plain manifests) and by the policy tests.
 */
import {
    EnforcementLevel, Policies, PolicyResource, PolicyResourceOptions, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs,
    StackValidationPolicy, UnknownValueError, unknownCheckingProxy,
} from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

// Internal modules of the SDK (no typings, no exports map): the exact (de)serialization the analyzer server uses.
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(v: object): { toJavaScript(): object } } };
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
    deserializeProperties(struct: { toJavaScript(): object }, proxySecrets: boolean): Record<string, any>;
};

/** A resource as the engine knows it. `props`: inputs (resource validation) / outputs (stack validation). */
export interface EngineResource {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
    parent?: string;
    provider?: { type: string; name: string; urn: string; props: Record<string, unknown> };
}

export interface Diagnostic {
    policyName: string;
    enforcementLevel: EnforcementLevel;
    /** What the CLI prints: the policy description, a newline, then the reported message. */
    message: string;
    /** The reported message alone. */
    detail: string;
    urn?: string;
}

export interface NotApplicable {
    policyName: string;
    reason?: string;
    urn?: string;
}

export interface AnalysisResult {
    diagnostics: Diagnostic[];
    notApplicable: NotApplicable[];
}

/** The per-policy config the CLI sends to the analyzer after reconciling. */
export interface ReconciledConfig {
    [policy: string]: { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> };
}

export class PolicyConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid policy pack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "PolicyConfigError";
    }
}

const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

function clone<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
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
    if (unsupported.length > 0) throw new Error(`policy-engine: schema keyword(s) ${unsupported.join(", ")} at ${path} are not supported`);
    const problems: string[] = [];
    const show = JSON.stringify(value);
    if (schema.type !== undefined) {
        const types = Array.isArray(schema.type) ? schema.type : [schema.type];
        const actual = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
        const ok = types.some((t) => t === actual || (t === "integer" && typeof value === "number" && Number.isInteger(value)));
        if (!ok) return [`${path}: ${show} is not of type ${types.join(" or ")}`];
    }
    if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === show)) problems.push(`${path}: ${show} is not one of ${JSON.stringify(schema.enum)}`);
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path}: ${value} is less than the minimum ${schema.minimum}`);
        if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path}: ${value} is greater than the maximum ${schema.maximum}`);
    }
    if (typeof value === "string") {
        if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${path}: ${show} is shorter than ${schema.minLength}`);
        if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) problems.push(`${path}: ${show} does not match ${schema.pattern}`);
    }
    if (Array.isArray(value)) {
        if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${path}: needs at least ${schema.minItems} item(s)`);
        if (schema.items !== undefined) {
            if (Array.isArray(schema.items)) throw new Error(`policy-engine: tuple "items" at ${path} is not supported`);
            const items = schema.items;
            value.forEach((v, i) => problems.push(...schemaProblems(items, v, `${path}[${i}]`)));
        }
    }
    if (isObject(value)) {
        for (const key of schema.required ?? []) if (!(key in value)) problems.push(`${path}: ${key} is required`);
        for (const [key, v] of Object.entries(value)) {
            const sub = schema.properties?.[key] ?? schema.additionalProperties;
            if (sub !== undefined) problems.push(...schemaProblems(sub, v, `${path}.${key}`));
        }
    }
    return problems;
}

/**
 * What the CLI does with `--policy-pack-config`: each entry is an enforcement level or an object with an optional
 * enforcementLevel and properties; defaults come from each policy's schema; `all` sets every policy's level; the
 * result is validated against each policy's schema. Entries for policies the pack does not have are ignored (as
 * the CLI does) and returned in `unknown`.
 */
export function reconcileConfig(
    policies: Policies,
    raw: unknown = {},
    packLevel: EnforcementLevel = "advisory",
): { config: ReconciledConfig; unknown: string[] } {
    const problems: string[] = [];
    if (!isObject(raw)) throw new PolicyConfigError(["the config must be a JSON object keyed by policy name"]);
    const given: Record<string, { enforcementLevel?: EnforcementLevel; properties: Record<string, unknown> }> = {};
    for (const [name, value] of Object.entries(raw)) {
        if (typeof value === "string") {
            if (LEVELS.includes(value)) given[name] = { enforcementLevel: value as EnforcementLevel, properties: {} };
            else problems.push(`${name}: "${value}" is not a valid enforcement level (${LEVELS.join(", ")})`);
        } else if (isObject(value)) {
            const { enforcementLevel, ...properties } = clone(value);
            if (enforcementLevel !== undefined && (typeof enforcementLevel !== "string" || !LEVELS.includes(enforcementLevel))) {
                problems.push(`${name}: enforcementLevel ${JSON.stringify(enforcementLevel)} is not one of ${LEVELS.join(", ")}`);
            }
            given[name] = { enforcementLevel: enforcementLevel as EnforcementLevel | undefined, properties };
        } else {
            problems.push(`${name}: ${JSON.stringify(value)} is not a valid value; must be a string or object`);
        }
    }
    const config: ReconciledConfig = {};
    for (const p of policies) {
        const properties: Record<string, unknown> = {};
        for (const [key, s] of Object.entries(p.configSchema?.properties ?? {})) if (s.default !== undefined) properties[key] = clone(s.default);
        config[p.name] = {
            enforcementLevel: given[p.name]?.enforcementLevel ?? given.all?.enforcementLevel ?? p.enforcementLevel ?? packLevel,
            properties: { ...properties, ...given[p.name]?.properties },
        };
        if (p.configSchema) {
            const schema: PolicyConfigJSONSchema = { type: "object", properties: p.configSchema.properties, ...(p.configSchema.required ? { required: p.configSchema.required } : {}) };
            problems.push(...schemaProblems(schema, config[p.name].properties, p.name));
        }
    }
    if (problems.length > 0) throw new PolicyConfigError(problems);
    const known = new Set(policies.map((p) => p.name));
    return { config, unknown: Object.keys(given).filter((k) => k !== "all" && !known.has(k)).sort() };
}

class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

const throwNotApplicable = (reason?: string): never => {
    throw new NotApplicableError(reason);
};

const OPTIONS: PolicyResourceOptions = Object.freeze({
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
});

/** Properties as the analyzer server sees them after the gRPC round trip. */
function engineProps(props: Record<string, unknown>): Record<string, any> {
    return unknownCheckingProxy(deserializeProperties(Struct.fromJavaScript(clone(props)), false));
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const cls = resourceClass as { __pulumiType?: unknown; isInstance?: (o: unknown) => boolean };
    if (typeof cls.__pulumiType === "string" && cls.__pulumiType.length > 0) return type === cls.__pulumiType;
    return typeof cls.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
}

function isResourcePolicy(p: Policies[number]): p is ResourceValidationPolicy {
    return typeof (p as ResourceValidationPolicy).validateResource === "function" || Array.isArray((p as ResourceValidationPolicy).validateResource);
}

function isStackPolicy(p: Policies[number]): p is StackValidationPolicy {
    return typeof (p as StackValidationPolicy).validateStack === "function";
}

export interface AnalyzeOptions {
    /** Raw `--policy-pack-config` content (parsed JSON); reconciled and validated first. */
    config?: unknown;
    stackTags?: Record<string, string>;
    packLevel?: EnforcementLevel;
}

function freezeTags(tags: Record<string, string>): ReadonlyMap<string, string> {
    return new Map(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * `Analyze` for every resource (resource policies, one resource at a time), then `AnalyzeStack` once (stack
 * policies, all resources), as the engine calls them during a preview.
 */
export async function analyze(policies: Policies, resources: readonly EngineResource[], options: AnalyzeOptions = {}): Promise<AnalysisResult> {
    const { config } = reconcileConfig(policies, options.config ?? {}, options.packLevel);
    const stackTags = freezeTags(options.stackTags ?? {});
    const result: AnalysisResult = { diagnostics: [], notApplicable: [] };
    const getConfigFor = (name: string) => <T extends object>(): T => clone(config[name]?.properties ?? {}) as T;

    const run = async (p: Policies[number], level: EnforcementLevel, urn: string | undefined, call: (report: (message: string, urn?: string) => void) => unknown) => {
        const report = (message: string, reportedUrn?: string) => {
            result.diagnostics.push({
                policyName: p.name,
                enforcementLevel: level,
                message: message ? `${p.description}\n${message}` : p.description,
                detail: message,
                urn: urn ?? reportedUrn,
            });
        };
        try {
            await Promise.resolve(call(report));
        } catch (e) {
            if (e instanceof UnknownValueError) {
                result.diagnostics.push({ policyName: p.name, enforcementLevel: "advisory", message: `can't run policy '${p.name}' during preview: ${(e as Error).message}`, detail: (e as Error).message, urn });
            } else if (e instanceof NotApplicableError) {
                result.notApplicable.push({ policyName: p.name, reason: e.reason, urn });
            } else {
                const cause = e instanceof Error ? e.message : String(e);
                throw new Error(`Error validating ${urn ? `resource ${urn}` : "stack"} with policy '${p.name}': ${cause}`);
            }
        }
    };

    const levelOf = (p: Policies[number]): EnforcementLevel => {
        const level = config[p.name]?.enforcementLevel ?? p.enforcementLevel ?? "advisory";
        return level === "remediate" ? "mandatory" : level;
    };

    for (const r of resources) {
        for (const p of policies) {
            if (config[p.name]?.enforcementLevel === "disabled" || !isResourcePolicy(p) || !p.validateResource) continue;
            const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
            for (const validate of validations) {
                const props = engineProps(r.props);
                const provider = r.provider ? { type: r.provider.type, name: r.provider.name, urn: r.provider.urn, props: engineProps(r.provider.props) } : undefined;
                const args: ResourceValidationArgs = {
                    type: r.type,
                    props,
                    urn: r.urn,
                    name: r.name,
                    opts: { ...OPTIONS, ...(r.parent ? { parent: r.parent } : {}) },
                    stackTags,
                    isType: (cls) => isTypeOf(r.type, cls),
                    asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
                    getConfig: getConfigFor(p.name),
                    notApplicable: throwNotApplicable,
                    ...(provider ? { provider } : {}),
                };
                await run(p, levelOf(p), r.urn, (report) => validate(args, report));
            }
        }
    }

    for (const p of policies) {
        if (config[p.name]?.enforcementLevel === "disabled" || !isStackPolicy(p)) continue;
        const byUrn = new Map<string, PolicyResource>();
        const stackResources = resources.map((r) => {
            const props = engineProps(r.props);
            const resource: PolicyResource = {
                type: r.type,
                props,
                urn: r.urn,
                name: r.name,
                opts: { ...OPTIONS, ...(r.parent ? { parent: r.parent } : {}) },
                dependencies: [],
                propertyDependencies: {},
                isType: (cls) => isTypeOf(r.type, cls),
                asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
                ...(r.provider ? { provider: { type: r.provider.type, name: r.provider.name, urn: r.provider.urn, props: engineProps(r.provider.props) } } : {}),
            };
            byUrn.set(r.urn, resource);
            return resource;
        });
        resources.forEach((r, i) => {
            const parent = r.parent ? byUrn.get(r.parent) : undefined;
            if (parent) stackResources[i].parent = parent;
        });
        const args: StackValidationArgs = { resources: stackResources, getConfig: getConfigFor(p.name), stackTags, notApplicable: throwNotApplicable };
        await run(p, levelOf(p), undefined, (report) => p.validateStack(args, report));
    }
    return result;
}
