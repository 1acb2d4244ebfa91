/**
 * Runs a list of @pulumi/policy policies over resources the way `pulumi preview --policy-pack` does, without the
 * CLI: the config is resolved by pack-config.ts from the policies as GetAnalyzerInfo would describe them, and each
 * policy gets its args built like @pulumi/policy's analyzer server builds them from the gRPC request (properties
 * through a protobuf Struct, deserialized and wrapped in the unknown-checking proxy; getConfig without
 * enforcementLevel; notApplicable; stackTags; isType/asType by type token).
 *
 * Used by `npm run policy:check` (plain manifests) and by the policy tests. An AnalyzedResource is what a policy is
 * given, from whatever stage it was taken (a mock run in the tests, a ManifestResource from read-manifests.ts).
 */
import {
    EnforcementLevel, Policies, PolicyResource, PolicyResourceOptions, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs,
    StackValidationPolicy, UnknownValueError, unknownCheckingProxy,
} from "@pulumi/policy";
import { PolicyConfigError, PolicyMetadata, PolicyPackConfig, resolvePolicyConfig } from "./pack-config";
import { clone } from "../../components/foundation/k8s";

// Internal modules of the SDK (no typings, no exports map): the exact (de)serialization the analyzer server uses.
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(v: object): { toJavaScript(): object } } };
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
    deserializeProperties(struct: { toJavaScript(): object }, proxySecrets: boolean): Record<string, any>;
};

/** A resource as the policy analyzer receives it. `props`: inputs (resource validation) / outputs (stack validation). */
export interface AnalyzedResource {
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

/** The policies as @pulumi/policy's GetAnalyzerInfo reports them (protoutil.makeAnalyzerInfo). */
export function policyMetadata(policies: Policies, packLevel: EnforcementLevel = "advisory"): PolicyMetadata[] {
    return policies.map((p) => ({
        name: p.name,
        enforcementLevel: p.enforcementLevel ?? packLevel,
        ...(p.configSchema ? { configSchema: { properties: p.configSchema.properties, required: p.configSchema.required } } : {}),
    }));
}

/**
 * The CLI's handling of a parsed `--policy-pack-config` for these policies: the reconciled config and the names
 * that are not policies of the pack; throws PolicyConfigError (naming `source`, e.g. the file) if the CLI would
 * refuse it.
 */
export function reconcileConfig(
    policies: Policies,
    given: PolicyPackConfig = {},
    options: { packLevel?: EnforcementLevel; source?: string } = {},
): { config: PolicyPackConfig; unknown: string[] } {
    const { config, unknown, problems } = resolvePolicyConfig(policyMetadata(policies, options.packLevel), given);
    if (problems.length > 0) throw new PolicyConfigError(problems, options.source);
    return { config, unknown };
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

type WireJson = ReturnType<ReturnType<typeof Struct.fromJavaScript>["toJavaScript"]>;

/** Properties as one request carries them, decoded: its protobuf Struct's JSON, built once per resource. */
function wireJson(props: Record<string, unknown>): WireJson {
    return Struct.fromJavaScript(clone(props)).toJavaScript();
}

/** What one validation sees: like the analyzer server, each deserializes the request's properties anew (copies). */
function engineProps(json: WireJson): Record<string, any> {
    return unknownCheckingProxy(deserializeProperties({ toJavaScript: () => json }, false));
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

/**
 * The fields a resource carries into both ResourceValidationArgs and a stack's PolicyResource, as the analyzer server
 * builds them; properties are deserialized anew for every call, as each request is.
 */
function validationFields(r: AnalyzedResource, json: WireJson, providerJson: WireJson | undefined) {
    const props = engineProps(json);
    return {
        type: r.type,
        props,
        urn: r.urn,
        name: r.name,
        opts: { ...OPTIONS, ...(r.parent ? { parent: r.parent } : {}) },
        isType: (cls: unknown) => isTypeOf(r.type, cls),
        asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
        ...(r.provider ? { provider: { type: r.provider.type, name: r.provider.name, urn: r.provider.urn, props: engineProps(providerJson!) } } : {}),
    };
}

export interface AnalyzeOptions {
    /** The parsed `--policy-pack-config` file (pack-config.ts); reconciled and validated first. */
    config?: PolicyPackConfig;
    /** Where `config` came from, for error messages. */
    configSource?: string;
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
export async function analyze(policies: Policies, resources: readonly AnalyzedResource[], options: AnalyzeOptions = {}): Promise<AnalysisResult> {
    const { config } = reconcileConfig(policies, options.config, { packLevel: options.packLevel, source: options.configSource });
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
                result.diagnostics.push({ policyName: p.name, enforcementLevel: "advisory", message: `can't run policy '${p.name}' ` +
                    `during preview: ${(e as Error).message}`, detail: (e as Error).message, urn });
            } else if (e instanceof NotApplicableError) {
                result.notApplicable.push({ policyName: p.name, reason: e.reason, urn });
            } else {
                const cause = e instanceof Error ? e.message : String(e);
                throw new Error(`Error validating ${urn ? `resource ${urn}` : "stack"} with policy '${p.name}': ${cause}`);
            }
        }
    };

    const levelOf = (p: Policies[number]): EnforcementLevel => {
        const level = config[p.name]?.enforcementLevel ?? p.enforcementLevel ?? options.packLevel ?? "advisory";
        return level === "remediate" ? "mandatory" : level;
    };

    for (const r of resources) {
        const json = wireJson(r.props);
        const providerJson = r.provider && wireJson(r.provider.props);
        for (const p of policies) {
            if (config[p.name]?.enforcementLevel === "disabled" || !isResourcePolicy(p) || !p.validateResource) continue;
            const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
            for (const validate of validations) {
                const args: ResourceValidationArgs = {
                    ...validationFields(r, json, providerJson),
                    stackTags,
                    getConfig: getConfigFor(p.name),
                    notApplicable: throwNotApplicable,
                };
                await run(p, levelOf(p), r.urn, (report) => validate(args, report));
            }
        }
    }

    // One AnalyzeStack request: decoded once, deserialized anew for each stack policy.
    let stackJson: { props: WireJson; provider?: WireJson }[] | undefined;
    for (const p of policies) {
        if (config[p.name]?.enforcementLevel === "disabled" || !isStackPolicy(p)) continue;
        stackJson ??= resources.map((r) => ({ props: wireJson(r.props), ...(r.provider ? { provider: wireJson(r.provider.props) } : {}) }));
        const byUrn = new Map<string, PolicyResource>();
        const stackResources = resources.map((r, i) => {
            const resource: PolicyResource = { ...validationFields(r, stackJson![i].props, stackJson![i].provider), dependencies: [], propertyDependencies: {} };
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
