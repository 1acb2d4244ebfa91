/**
 * The single source of truth for stack configuration.
 *
 * `parseConfig` validates raw values (as the engine hands them over: strings, objects as JSON) against
 * `schema/` plus the rules across keys (`rules.ts`), reports every problem at once, and returns one
 * deep-frozen `TracingConfig`. `loadStackConfig` does the same for the running Pulumi stack. Nothing here registers
 * resources, so a bad config fails before anything is created.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { rawConfigSchema, RawConfig, suggest, TOP_LEVEL_KEYS } from "./schema";
import { crossFieldRules } from "./rules";
import type { RuleContext } from "./schema";
import { isWildcardHost } from "./external-hosts";
import { isPlainObject } from "../foundation/k8s";
import { ENVIRONMENT_ATTRIBUTE } from "../foundation/attributes";
import { probabilisticPercentOf, samplingPercentOf } from "./sampling-rules";
import { show } from "./primitives";
import { unknownNamespaceProblems } from "./namespaces";

export const PROJECT = "eco2-tracing";

type Raw = RawConfig;
export type AppNamespace = { name: string; create: boolean; labels: Record<string, string>; healthCheckPaths: string[] };
export type ExternalService = Omit<Raw["externalServices"][number], "resolution"> & { resolution: "DNS" | "NONE" };
export type JaegerConfig = Raw["jaeger"];
export type IstioConfig = Raw["istio"];
export type TelemetryConfig = Raw["telemetry"];
export type NetworkPolicyConfig = Raw["networkPolicy"];
export type CustomTag = Raw["telemetry"]["customTags"][string];
export type TailSamplingConfig = Omit<Raw["tailSampling"], "probabilisticPercent"> & { probabilisticPercent: number };
export type ScrubAttribute = Raw["scrubAttributes"][number];

export interface TracingConfig {
    readonly project: string;
    readonly stack: string;
    readonly environment: "dev" | "prod";
    /** Mesh-wide sampling percentage (0–100; `sampling` or the environment's default); 100 with tail sampling. */
    readonly samplingPercent: number;
    /** The collector's per-trace decision (components/jaeger/span-pipeline.ts); `probabilisticPercent` resolved per environment. */
    readonly tailSampling: TailSamplingConfig;
    /** Span attributes deleted or hashed in the Jaeger pipeline, in both modes. */
    readonly scrubAttributes: readonly ScrubAttribute[];
    readonly appNamespaces: readonly AppNamespace[];
    readonly externalServices: readonly ExternalService[];
    readonly jaeger: JaegerConfig;
    readonly istio: IstioConfig;
    /** customTags always carries ENVIRONMENT_ATTRIBUTE, the apps' resource attribute (unless configured otherwise). */
    readonly telemetry: TelemetryConfig;
    readonly networkPolicy: NetworkPolicyConfig;
    readonly smokeTest: { enabled: boolean; namespace?: string; image: string };
    readonly kubernetes: Raw["kubernetes"];
    /** The storage password from the Pulumi secret `jaegerStoragePassword`, when that is the configured source. */
    readonly storagePassword?: pulumi.Output<string>;
    /** Config that is valid but does not do what it appears to (the program logs each as a warning). */
    readonly warnings: readonly string[];
}

/** Problems a message lists; the rest are counted (a thousand-namespace mistake must stay readable). */
export const SHOWN_PROBLEMS = 20;

/** A RunError, so the CLI prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly stack: string, readonly problems: string[]) {
        const count = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
        const rest = problems.length - SHOWN_PROBLEMS;
        super(`invalid configuration for stack "${stack}" (${count}):\n` + problems.slice(0, SHOWN_PROBLEMS).map((p) => `  - ${p}`).join("\n") +
            (rest > 0 ? `\n  … and ${rest} more` : ""));
        this.name = "ConfigError";
    }
}

export interface ParseContext {
    stack: string;
    project?: string;
    /** Top-level keys the engine holds as secrets (the storage password must be one). */
    secretKeys?: ReadonlySet<string>;
    /** The stack's keys of other namespaces, full (`kubernetes:context`): a misspelt project namespace is reported. */
    otherKeys?: Record<string, unknown>;
}

/** Objects and lists arrive from the engine as JSON strings; scalars stay strings for the schema to coerce. */
function decode(value: unknown): unknown {
    if (typeof value !== "string") return value;
    const t = value.trim();
    if (t.startsWith("{") || t.startsWith("[")) {
        try {
            return JSON.parse(t);
        } catch {
            return value;
        }
    }
    return value;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
    let cur: unknown = input;
    for (const key of path) {
        // A shorthand (e.g. a bare namespace name) was expanded by the schema: show the value as written.
        if (cur === null || typeof cur !== "object") return cur;
        cur = (cur as Record<PropertyKey, unknown>)[key];
    }
    return cur;
}

function keyPath(project: string, path: PropertyKey[]): string {
    if (path.length === 0) return `${project}:`;
    let out = `${project}:${String(path[0])}`;
    for (const p of path.slice(1)) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
    return out;
}

/**
 * What parsed of a section that failed as a whole: an object's valid keys (the valid part of an invalid object
 * key, recursively), a list's valid elements (invalid ones left as holes, so indexes stay as written). Lets the rules
 * across keys run on everything that is valid; list elements stay whole, so rules can rely on their shape.
 */
function partialSection(schema: z.ZodType, value: unknown): unknown {
    let s = schema as unknown as { _zod: { def: Record<string, any> } };
    while (s._zod.def.type === "default" || s._zod.def.type === "optional") s = s._zod.def.innerType;
    const def = s._zod.def;
    if (def.type === "object" && isPlainObject(value)) {
        const out: Record<string, unknown> = {};
        for (const [key, sub] of Object.entries(def.shape as Record<string, z.ZodType>)) {
            const r = sub.safeParse(value[key]);
            const part = r.success ? r.data : partialSection(sub, value[key]);
            if (part !== undefined) out[key] = part;
        }
        return out;
    }
    if (def.type === "array" && Array.isArray(value)) {
        const out: unknown[] = new Array(value.length);
        value.forEach((v, i) => {
            const r = (def.element as z.ZodType).safeParse(v);
            if (r.success) out[i] = r.data;
        });
        return out;
    }
    return undefined;
}

function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object" && !Object.isFrozen(value) && !pulumi.Output.isInstance(value)) {
        Object.freeze(value);
        for (const v of Object.values(value)) deepFreeze(v);
    }
    return value;
}

/** Validates raw stack config (keys without the project prefix). Throws ConfigError listing every problem. */
export function parseConfig(raw: Record<string, unknown>, context: ParseContext): TracingConfig {
    const project = context.project ?? PROJECT;
    const input = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, decode(v)]));
    const problems: string[] = [];
    const warnings: string[] = [];
    const reportedPaths: string[] = [];
    const add: RuleContext["add"] = (path, message, options) => {
        const where = keyPath(project, path);
        reportedPaths.push(where);
        // A credential in clear is named by its key only: the message must not print it a second time.
        const value = options?.redact || path[0] === "jaegerStoragePassword" ? "(redacted)" : show(valueAt(input, path));
        problems.push(`stack "${context.stack}": ${where} = ${value}: ${message}`);
    };
    const reported = (path: PropertyKey[]) => {
        const where = keyPath(project, path);
        return reportedPaths.some((p) => p === where || p.startsWith(`${where}.`) || p.startsWith(`${where}[`));
    };
    for (const key of Object.keys(input).sort()) {
        if (TOP_LEVEL_KEYS.includes(key)) continue;
        const hint = suggest(key, TOP_LEVEL_KEYS);
        problems.push(`stack "${context.stack}": unknown key ${project}:${key}${hint ? ` (did you mean ${project}:${hint}?)` : ""}; ` +
            `allowed: ${TOP_LEVEL_KEYS.join(", ")}`);
    }
    problems.push(...unknownNamespaceProblems(project, context.otherKeys ?? {}).map((p) => `stack "${context.stack}": ${p}`));
    const sections: Partial<Raw> = {};
    const shape = rawConfigSchema.shape;
    for (const key of TOP_LEVEL_KEYS as (keyof Raw)[]) {
        const schema = shape[key] as z.ZodType;
        const result = schema.safeParse(input[key]);
        if (result.success) {
            (sections as Record<string, unknown>)[key] = result.data;
            continue;
        }
        for (const iss of result.error.issues) {
            const redact = (iss as { params?: { redact?: boolean } }).params?.redact;
            add([key, ...iss.path], input[key] === undefined ? `is required (${iss.message})` : iss.message, { redact });
        }
        const partial = partialSection(schema, input[key]);
        if (partial !== undefined) (sections as Record<string, unknown>)[key] = partial;
    }
    const warn: RuleContext["warn"] = (path, message) => warnings.push(`stack "${context.stack}": ${keyPath(project, path)} = ` +
        `${show(valueAt(input, path))}: ${message}`);
    crossFieldRules(sections, { add, warn, reported, secretKeys: context.secretKeys });
    if (problems.length > 0) throw new ConfigError(context.stack, problems);
    const c = sections as Raw;
    const config: TracingConfig = {
        project,
        stack: context.stack,
        environment: c.environment,
        samplingPercent: samplingPercentOf(c),
        tailSampling: { ...c.tailSampling, probabilisticPercent: probabilisticPercentOf(c) },
        scrubAttributes: c.scrubAttributes,
        appNamespaces: c.appNamespaces.map((n) => ({
            name: n.name,
            create: n.create,
            labels: n.labels,
            healthCheckPaths: ("healthCheckPaths" in n && n.healthCheckPaths) || c.telemetry.healthCheckPaths,
        })),
        externalServices: c.externalServices.map((s) => ({ ...s, resolution: s.resolution ?? (s.hosts.some(isWildcardHost) ? "NONE" : "DNS") })),
        jaeger: c.jaeger,
        istio: c.istio,
        telemetry: { ...c.telemetry, customTags: { [ENVIRONMENT_ATTRIBUTE]: { literal: { value: c.environment } }, ...c.telemetry.customTags } },
        networkPolicy: c.networkPolicy,
        smokeTest: { ...c.smokeTest, namespace: c.smokeTest.namespace ?? (c.smokeTest.enabled ? c.appNamespaces[0]?.name : undefined) },
        kubernetes: c.kubernetes,
        storagePassword: c.jaegerStoragePassword === undefined ? undefined : pulumi.secret(c.jaegerStoragePassword),
        warnings,
    };
    return deepFreeze(config);
}

/** Reads and validates the running stack's config (`eco2-tracing:*`; other namespaces only as far as they exist). */
export function loadStackConfig(): TracingConfig {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const prefix = `${project}:`;
    const raw: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const otherKeys: Record<string, unknown> = {};
    // isConfigSecret exists at runtime but is not in the SDK's typings.
    const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(prefix)) {
            otherKeys[key] = value;
            continue;
        }
        const name = key.slice(prefix.length);
        raw[name] = value;
        if (isSecret?.(key)) secretKeys.add(name);
    }
    return parseConfig(raw, { stack, project, secretKeys, otherKeys });
}
