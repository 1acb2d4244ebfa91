/**
 * What `npm run synth` reads back from the real engine (tools/synth/engine.ts runs it): the steps of `pulumi preview
 * --json`, the engine events of `--event-log` (policy violations, the program's error) and the files the provider
 * writes with `renderYamlToDirectory`. Pure functions over those outputs, so they are unit-tested without the CLI.
 * EnginePlanResource is the real engine's counterpart of the mock plan's MockPlanResource (tools/mock-runtime.ts lists all).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { HelmRelease, helmRelease, KubeObject, redactSecretData, sortObjects, sortReleases } from "./write-manifests";

/** One line of an engine event log (apitype.EngineEvent); only the fields read here are typed. */
export interface EngineEvent {
    diagnosticEvent?: { urn?: string; message: string; severity: string };
    policyEvent?: { resourceUrn?: string; message: string; policyName: string; policyPackName: string; policyPackVersion: string; enforcementLevel: string };
    policyRemediationEvent?: { resourceUrn?: string; policyName: string };
    policyAnalyzeSummaryEvent?: PolicySummary;
    policyAnalyzeStackSummaryEvent?: PolicySummary;
    resOutputsEvent?: { metadata: { urn: string; type: string; new?: { outputs?: Record<string, any> } } };
}
interface PolicySummary {
    policyPackName: string;
    policyPackVersion: string;
    passed?: string[];
    failed?: string[];
}

/** A resource as the engine plans it (a `preview --json` step's new state). */
export interface EnginePlanResource {
    type: string;
    name: string;
    urn: string;
    inputs: Record<string, any>;
}

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

export interface PolicyViolation {
    policyName: string;
    enforcementLevel: EnforcementLevel;
    /** "" for a stack policy. */
    urn: string;
    message: string;
}

/** The policy pack's verdict on a preview, as the engine reported it. */
export interface PolicyVerdict {
    packName: string;
    packVersion: string;
    /** Every policy that ran (passed or failed), sorted. */
    policies: string[];
    violations: PolicyViolation[];
    remediations: { policyName: string; urn: string }[];
}

export function readEventLog(file: string): EngineEvent[] {
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as EngineEvent);
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/** The resources of a `pulumi preview --json` (its steps' new states; deletions have none, reads are not the stack's). */
export function plannedResources(previewJson: string): EnginePlanResource[] {
    type Step = { op: string; urn: string; newState?: { type: string; inputs?: Record<string, any> } };
    const steps = (JSON.parse(previewJson).steps ?? []) as Step[];
    return steps.filter((s) => s.newState && s.op !== "read").map((s) => ({ type: s.newState!.type, name: nameOf(s.urn), urn: s.urn, inputs: s.newState!.inputs ?? {} }));
}

/** The engine's "warning" is @pulumi/policy's advisory; "none" is a disabled policy. */
function level(engineLevel: string): EnforcementLevel {
    if (engineLevel === "warning") return "advisory";
    if (engineLevel === "none") return "disabled";
    return engineLevel as EnforcementLevel;
}

export function policyVerdict(events: readonly EngineEvent[]): PolicyVerdict {
    const summaries = events.flatMap((e) => [e.policyAnalyzeSummaryEvent, e.policyAnalyzeStackSummaryEvent]).filter((s): s is PolicySummary => !!s);
    const policies = new Set(summaries.flatMap((s) => [...(s.passed ?? []), ...(s.failed ?? [])]));
    const violations = events.flatMap((e) => (e.policyEvent ? [e.policyEvent] : [])).map((p) => ({
        policyName: p.policyName,
        enforcementLevel: level(p.enforcementLevel),
        urn: p.resourceUrn ?? "",
        message: p.message.trimEnd(),
    }));
    const remediations = events.flatMap((e) => (e.policyRemediationEvent ? [{ policyName: e.policyRemediationEvent.policyName, urn: e.policyRemediationEvent.resourceUrn ?? "" }] : []));
    const pack = summaries[0] ?? events.find((e) => e.policyEvent)?.policyEvent;
    return {
        packName: pack?.policyPackName ?? "(no pack ran)",
        packVersion: pack?.policyPackVersion ?? "-",
        policies: [...policies].sort(),
        violations,
        remediations,
    };
}

/**
 * What the engine reported at one severity ("error": the program's own, the provider's, the CLI's; "warning": the
 * program's `pulumi.log.warn`, e.g. the config module's warnings), ANSI colours removed, each message once.
 */
export function engineDiagnostics(events: readonly EngineEvent[], severity: "error" | "warning"): string[] {
    const messages = events
        .flatMap((e) => (e.diagnosticEvent?.severity === severity ? [e.diagnosticEvent.message.replace(/\x1b\[[0-9;]*m/g, "").trimEnd()] : []))
        .filter((m) => m && m !== "preview failed" && m !== "update failed");
    return [...new Set(messages)];
}

/**
 * The config module's message (components/config/index.ts ConfigError: a header and one "  - " line per problem) out of the
 * program's error as the CLI reports it; undefined when the program failed otherwise.
 */
export function configErrorMessage(events: readonly EngineEvent[]): string | undefined {
    for (const message of engineDiagnostics(events, "error")) {
        const start = message.indexOf("invalid configuration for stack ");
        if (start < 0) continue;
        const [header, ...rest] = message.slice(start).split("\n");
        const end = rest.findIndex((l) => !l.startsWith("  "));
        return [header, ...(end < 0 ? rest : rest.slice(0, end))].join("\n");
    }
    return undefined;
}

/** Helm installs of the plan (helm.v3.Release, or helm.v4.Chart on a rendering stack). */
export function plannedReleases(resources: readonly EnginePlanResource[], root: string): HelmRelease[] {
    return sortReleases(resources.flatMap((r) => helmRelease(r, { type: r.type, resourceName: r.name, urn: r.urn }, root) ?? []));
}

const objectKey = (o: Record<string, any>) => `${o.apiVersion}|${o.kind}|${o.metadata?.namespace ?? ""}|${o.metadata?.name ?? ""}`;

/**
 * The objects the provider wrote under `renderYamlToDirectory` (0-crd/, 1-manifest/), each attributed to the
 * resource that declared it through the update's outputs; Secret data redacted; sorted like every plan.
 */
export function renderedObjects(dir: string, events: readonly EngineEvent[]): KubeObject[] {
    const declaredBy = new Map<string, { type: string; urn: string }>();
    for (const e of events) {
        const m = e.resOutputsEvent?.metadata;
        const outputs = m?.new?.outputs;
        if (m && outputs?.kind && outputs?.metadata?.name) declaredBy.set(objectKey(outputs), { type: m.type, urn: m.urn });
    }
    const files = fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".yaml")).sort() : [];
    const objects = files.flatMap((file) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8")).map((d) => d.toJS() as Record<string, any>))
        .filter((body) => body && typeof body === "object" && body.kind)
        .map((body): KubeObject => {
            const by = declaredBy.get(objectKey(body));
            return {
                type: by?.type ?? "(not in the update's outputs)",
                resourceName: by ? nameOf(by.urn) : `${body.kind}/${body.metadata?.name}`,
                urn: by?.urn ?? "",
                apiVersion: body.apiVersion,
                kind: body.kind,
                namespace: body.metadata?.namespace,
                name: body.metadata?.name,
                patch: false,
                body,
                redacted: redactSecretData(body, body),
            };
        });
    return sortObjects(objects);
}
