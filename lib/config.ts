/**
 * The single source of truth for stack configuration.
 *
 * `parseConfig` validates raw values (as the engine hands them over: strings, objects as JSON) against
 * `config-schema.ts` plus the cross-field rules below, reports every problem at once, and returns one deep-frozen
 * `TracingConfig`. `loadStackConfig` does the same for the running Pulumi stack. Nothing here registers resources,
 * so a bad config fails before anything is created.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { rawConfigSchema, RawConfig, suggest, TOP_LEVEL_KEYS } from "./config-schema";
import { isWildcardHost, serviceEntryProblems } from "./external-hosts";
import { ENVIRONMENT_ATTRIBUTE } from "./otel-env";

export const PROJECT = "eco2-tracing";

type Raw = RawConfig;
export type AppNamespace = { name: string; create: boolean; labels: Record<string, string>; healthCheckPaths: string[] };
export type ExternalService = Omit<Raw["externalServices"][number], "resolution"> & { resolution: "DNS" | "NONE" };
export type JaegerConfig = Raw["jaeger"];
export type IstioConfig = Raw["istio"];
export type TelemetryConfig = Raw["telemetry"];
export type NetworkPolicyConfig = Raw["networkPolicy"];
export type CustomTag = Raw["telemetry"]["customTags"][string];

export interface TracingConfig {
    readonly project: string;
    readonly stack: string;
    readonly environment: "dev" | "prod";
    /** Mesh-wide sampling percentage (0–100). */
    readonly sampling: number;
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
}

/** A RunError, so the CLI prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly stack: string, readonly problems: string[]) {
        super(`invalid configuration for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "ConfigError";
    }
}

export interface ParseContext {
    stack: string;
    project?: string;
    /** Top-level keys the engine holds as secrets (the storage password must be one). */
    secretKeys?: ReadonlySet<string>;
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

function show(value: unknown): string {
    if (value === undefined) return "(unset)";
    const s = JSON.stringify(value);
    return s.length > 120 ? s.slice(0, 117) + "..." : s;
}

type Add = (path: PropertyKey[], message: string) => void;

/**
 * Rules across keys. Each top-level section is parsed on its own, so these run on whatever sections are valid and
 * the user sees structural and cross-field problems in one run.
 */
function crossFieldRules(c: Partial<Raw>, add: Add, secretKeys: ReadonlySet<string> | undefined): void {
    if (c.sampling !== undefined && (c.sampling < 0 || c.sampling > 100)) add(["sampling"], "must be a percentage from 0 to 100");
    else if (c.environment === "prod" && c.sampling !== undefined && (c.sampling < 1 || c.sampling > 10)) add(["sampling"], "prod samples 1–10 % of requests (inclusive)");

    const j = c.jaeger;
    if (!j) {
        // reported by the section's own parse
    } else if (j.mode === "allInOne") {
        if (j.replicas > 1) add(["jaeger", "replicas"], "the in-memory store keeps each replica's own subset of traces; allowed: 1 with mode allInOne (use mode production for replicas)");
        if (j.storage) add(["jaeger", "storage"], "storage is only read in mode production; allowed: unset with mode allInOne");
        if (c.jaegerStoragePassword !== undefined) add(["jaegerStoragePassword"], "the in-memory store has no password; allowed: unset with mode allInOne");
    } else if (!j.storage) {
        add(["jaeger", "storage"], "mode production needs storage {type, serverUrls} for an existing Elasticsearch/OpenSearch");
    } else {
        const hasRef = !!j.storage.passwordSecretRef;
        const hasSecret = c.jaegerStoragePassword !== undefined;
        if (hasRef && hasSecret) add(["jaegerStoragePassword"], "set either jaeger.storage.passwordSecretRef or the Pulumi secret jaegerStoragePassword, not both");
        if (!j.storage.username && (hasRef || hasSecret)) add(["jaeger", "storage", "username"], "a password is set but no username; allowed: a username for basic auth");
        if (j.storage.username && !hasRef && !hasSecret) add(["jaeger", "storage", "username"], "a username needs a password: jaeger.storage.passwordSecretRef {name, key} or `pulumi config set --secret jaegerStoragePassword`");
    }
    if (c.jaegerStoragePassword !== undefined && secretKeys && !secretKeys.has("jaegerStoragePassword")) {
        add(["jaegerStoragePassword"], "is stored in plain text; allowed: a secret (`pulumi config set --secret jaegerStoragePassword ...`)");
    }

    const seen = (items: string[], path: (i: number) => PropertyKey[], what: string) => {
        const first = new Map<string, number>();
        items.forEach((item, i) => {
            if (first.has(item)) add(path(i), `duplicate ${what} "${item}" (also at index ${first.get(item)})`);
            else first.set(item, i);
        });
    };
    seen((c.appNamespaces ?? []).map((n) => n.name), (i) => ["appNamespaces", i], "namespace");
    seen((c.externalServices ?? []).map((s) => s.name), (i) => ["externalServices", i, "name"], "external service");
    const overrides = c.telemetry?.workloadOverrides ?? [];
    seen(overrides.map((w) => `${w.namespace}/${w.name}`), (i) => ["telemetry", "workloadOverrides", i], "workload override");

    (c.externalServices ?? []).forEach((svc, i) => {
        for (const p of serviceEntryProblems(svc)) add(["externalServices", i, ...p.path], p.message);
    });
    overrides.forEach((w, i) => {
        if (w.sampling < 0 || w.sampling > 100) add(["telemetry", "workloadOverrides", i, "sampling"], "must be a percentage from 0 to 100");
    });
    if (c.kubernetes?.renderYamlToDirectory !== undefined && c.kubernetes.context !== undefined) {
        add(["kubernetes", "context"], "a provider that renders YAML talks to no cluster, and the provider rejects a context with it; allowed: unset with renderYamlToDirectory");
    }
    if (c.smokeTest?.enabled && c.smokeTest.namespace && c.appNamespaces && !c.appNamespaces.some((n) => n.name === c.smokeTest!.namespace)) {
        add(["smokeTest", "namespace"], `needs the OTEL ConfigMap and egress policies of an app namespace; allowed: one of ${c.appNamespaces.map((n) => n.name).join(", ") || "(no appNamespaces configured)"}`);
    }
    if (c.smokeTest?.enabled && !c.smokeTest.namespace && c.appNamespaces?.length === 0) {
        add(["smokeTest", "namespace"], "the smoke test needs a namespace: set smokeTest.namespace or configure appNamespaces");
    }
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
    const add: Add = (path, message) => {
        const value = valueAt(input, path);
        problems.push(`stack "${context.stack}": ${keyPath(project, path)} = ${show(value)}: ${message}`);
    };
    for (const key of Object.keys(input).sort()) {
        if (TOP_LEVEL_KEYS.includes(key)) continue;
        const hint = suggest(key, TOP_LEVEL_KEYS);
        problems.push(`stack "${context.stack}": unknown key ${project}:${key}${hint ? ` (did you mean ${project}:${hint}?)` : ""}; allowed: ${TOP_LEVEL_KEYS.join(", ")}`);
    }
    const sections: Partial<Raw> = {};
    const shape = rawConfigSchema.shape;
    for (const key of TOP_LEVEL_KEYS as (keyof Raw)[]) {
        const result = (shape[key] as z.ZodType).safeParse(input[key]);
        if (result.success) (sections as Record<string, unknown>)[key] = result.data;
        else for (const iss of result.error.issues) add([key, ...iss.path], input[key] === undefined ? `is required (${iss.message})` : iss.message);
    }
    crossFieldRules(sections, add, context.secretKeys);
    if (problems.length > 0) throw new ConfigError(context.stack, problems);
    const c = sections as Raw;
    const config: TracingConfig = {
        project,
        stack: context.stack,
        environment: c.environment,
        sampling: c.sampling ?? (c.environment === "dev" ? 100 : 1),
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
    };
    return deepFreeze(config);
}

/** Reads and validates the running stack's config (`eco2-tracing:*`; other namespaces are not ours). */
export function loadStackConfig(): TracingConfig {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const prefix = `${project}:`;
    const raw: Record<string, string> = {};
    const secretKeys = new Set<string>();
    // isConfigSecret exists at runtime but is not in the SDK's typings.
    const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        raw[name] = value;
        if (isSecret?.(key)) secretKeys.add(name);
    }
    return parseConfig(raw, { stack, project, secretKeys });
}
