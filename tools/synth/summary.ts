/**
 * The short report `npm run synth` prints, and the exit code it implies: 0 clean (advisories allowed),
 * 1 schema failure or mandatory policy violation. Pure formatting over the synth results.
 */
import type { StackObjects } from "./write-manifests";
import { RELEASE_FIELDS, type SchemaResult } from "./schema-validation";
import type { PolicyVerdict } from "./engine-plan";

export interface SynthSummaryInput {
    title: string;
    /** Resources the engine planned (the stack, providers and components included). */
    registered: number;
    stackObjects: StackObjects;
    schema: readonly SchemaResult[];
    policy: PolicyVerdict;
    /** Where the policy config came from, or that the pack defaults applied. */
    policyConfigSource: string;
    written: { file: string; what: string }[];
}

const indent = (text: string, prefix: string) => text.split("\n").join(`\n${prefix}`);

export function failures(input: Pick<SynthSummaryInput, "schema" | "policy">): { schema: number; mandatory: number } {
    return {
        schema: input.schema.filter((r) => r.status === "invalid").length,
        mandatory: input.policy.violations.filter((v) => v.enforcementLevel === "mandatory").length,
    };
}

export function exitCode(input: Pick<SynthSummaryInput, "schema" | "policy">): 0 | 1 {
    const f = failures(input);
    return f.schema > 0 || f.mandatory > 0 ? 1 : 0;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
    return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function formatSummary(input: SynthSummaryInput): string {
    const { objects, releases, unrendered } = input.stackObjects;
    const lines: string[] = [input.title, ""];

    lines.push(`resources: ${input.registered} registered, ${objects.length} Kubernetes objects, ${releases.length} Helm release(s)`);
    for (const [kind, n] of countBy(objects, (o) => `${o.kind}${o.patch ? " (patch)" : ""}`)) lines.push(`  ${String(n).padStart(3)}  ${kind}`);
    if (releases.length) lines.push(`  ${String(releases.length).padStart(3)}  HelmRelease`);
    for (const u of unrendered) lines.push(`  not rendered: ${u.type} "${u.resourceName}": ${u.reason}`);

    const by = (s: SchemaResult["status"], rs = input.schema) => rs.filter((r) => r.status === s);
    const objectResults = input.schema.filter((r) => r.detail !== RELEASE_FIELDS);
    const releaseResults = input.schema.filter((r) => r.detail === RELEASE_FIELDS);
    lines.push("", `schema: ${by("valid", objectResults).length} valid, ${by("invalid", objectResults).length} invalid, ${by("not-validated", objectResults).length} not validated`);
    if (releaseResults.length) {
        lines.push(`helm releases: ${by("valid", releaseResults).length} with name, chart and version set, ${by("invalid", releaseResults).length} invalid; values are not schema-checked (no values.schema.json)`);
    }
    for (const r of by("invalid")) for (const i of r.issues) lines.push(`  INVALID ${r.subject}: ${i.path}: ${i.message}`);
    for (const r of by("not-validated")) lines.push(`  not validated: ${r.subject}: ${r.detail}`);

    const p = input.policy;
    const levels = countBy(p.violations, (v) => v.enforcementLevel).map(([l, n]) => `${n} ${l}`).join(", ") || "no violations";
    lines.push("", `policy pack ${p.packName}@${p.packVersion}: ${p.policies.length} policies, ${levels} (config: ${input.policyConfigSource})`);
    const order = { mandatory: 0, remediate: 1, advisory: 2, disabled: 3 } as const;
    const violations = [...p.violations].sort((a, b) => order[a.enforcementLevel] - order[b.enforcementLevel] || (a.policyName < b.policyName ? -1 : a.policyName > b.policyName ? 1 : 0) || (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    for (const v of violations) {
        lines.push(`  [${v.enforcementLevel}] ${v.policyName} on ${v.urn || "(stack)"}`, `      ${indent(v.message, "      ")}`);
    }
    for (const r of p.remediations) lines.push(`  remediated by ${r.policyName}: ${r.urn} (manifests show the program's values)`);

    lines.push("", "wrote:", ...input.written.map((w) => `  ${w.file} (${w.what})`));
    const f = failures(input);
    lines.push("", f.schema || f.mandatory ? `FAILED: ${f.schema} schema failure(s), ${f.mandatory} mandatory policy violation(s)` : "OK");
    return lines.join("\n") + "\n";
}
