/**
 * Drives the pack's policy objects through tools/policy-check/analyzer.ts, which builds args exactly as @pulumi/policy's
 * analyzer server does for the engine's Analyze/AnalyzeStack calls (props through a protobuf Struct and the
 * unknown-checking proxy, getConfig from the CLI-reconciled config, notApplicable, stackTags).
 */
import * as assert from "assert";
import { Policies } from "@pulumi/policy";
import { policies } from "../../policy-pack/policies";
import { parseManifests } from "../../tools/policy-check/read-manifests";
import { analyze, AnalysisResult, AnalyzedResource } from "../../tools/policy-check/analyzer";
import { policyPackConfigFromJson } from "../../tools/policy-check/pack-config";
import { MockRun } from "../../tools/mock-runtime";

export function policy(name: string): Policies[number] {
    const found = policies.find((p) => p.name === name);
    if (!found) throw new Error(`no policy ${name} in the pack`);
    return found;
}

/** Kubernetes objects written as YAML, typed like the Kubernetes provider registers them. */
export function yaml(text: string): AnalyzedResource[] {
    return parseManifests(text, "inline.yaml");
}

export interface RunOptions {
    /** This policy's entry in a `--policy-pack-config` file. */
    config?: unknown;
    stackTags?: Record<string, string>;
}

/** Runs one policy of the pack over resources; config is that policy's `--policy-pack-config` entry. */
export function run(name: string, resources: readonly AnalyzedResource[], options: RunOptions = {}): Promise<AnalysisResult> {
    const config = options.config === undefined ? {} : policyPackConfigFromJson({ [name]: options.config }, "inline.json");
    return analyze([policy(name)], resources, { config, stackTags: options.stackTags });
}

/** The reported messages (without the policy description the CLI prefixes). */
export async function violations(name: string, resources: readonly AnalyzedResource[], options: RunOptions = {}): Promise<string[]> {
    return (await run(name, resources, options)).diagnostics.map((d) => d.detail);
}

export async function assertCompliant(name: string, resources: readonly AnalyzedResource[], options: RunOptions = {}): Promise<void> {
    const result = await run(name, resources, options);
    assert.deepStrictEqual(result.diagnostics.map((d) => d.detail), [], `${name} must pass`);
}

/** Exactly one violation, matching every pattern. */
export async function assertViolation(name: string, resources: readonly AnalyzedResource[], patterns: RegExp[], options: RunOptions = {}): Promise<string> {
    const found = await violations(name, resources, options);
    assert.strictEqual(found.length, 1, `expected one ${name} violation, got ${found.length}:\n${found.join("\n")}`);
    for (const p of patterns) assert.match(found[0], p);
    return found[0];
}

/** A program run under mocks, as the engine would hand its resources to AnalyzeStack (URNs, providers). */
export function fromMockRun(run: MockRun, stack: string, project = "eco2-tracing"): AnalyzedResource[] {
    const urnOf = (type: string, name: string) => `urn:pulumi:${stack}::${project}::${type}::${name}`;
    const providers = new Map<string, AnalyzedResource>();
    const out = run.resources.map((r) => {
        const resource: AnalyzedResource = { type: r.type, name: r.name, urn: urnOf(r.type, r.name), props: r.inputs };
        if (r.type.startsWith("pulumi:providers:")) providers.set(r.name, resource);
        return resource;
    });
    run.resources.forEach((r, i) => {
        // A provider reference is `<provider urn>::<id>`; the provider's name is the URN's last segment.
        const name = r.provider?.split("::").slice(-2, -1)[0];
        const p = name ? providers.get(name) : undefined;
        if (p) out[i].provider = { type: p.type, name: p.name, urn: p.urn, props: p.props };
    });
    return out;
}
