/**
 * What the policy pack cannot learn from the stack and must be told by its config, checked against the stack: the
 * Jaeger pod labels. Resource policies see one resource at a time, so a Service of a renamed release (say
 * `jaeger.releaseName: traces`) is only recognised as Jaeger's when `jaegerPodLabels` name that release; otherwise
 * those policies pass without looking. (The egress policies take the collector from the stack itself.)
 */
import { stackJaeger } from "../../policy-pack/lib/jaeger";
import { hasLabels } from "../../policy-pack/lib/resources";
import { describeLabels } from "../../policy-pack/lib/selectors";
import type { PolicyPackConfig } from "../policy-check/pack-config";
import type { EnginePlanResource } from "./engine-plan";

/** One line per policy whose reconciled `jaegerPodLabels` miss the labels of the stack's own Jaeger pods. */
export function jaegerLabelDisagreements(resources: readonly EnginePlanResource[], config: PolicyPackConfig, source: string): string[] {
    const own = stackJaeger(resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs })));
    if (!own) return [];
    const out: string[] = [];
    for (const [policy, entry] of Object.entries(config).sort(([a], [b]) => (a < b ? -1 : 1))) {
        const labels = entry.properties?.jaegerPodLabels as Record<string, string> | undefined;
        if (!labels || entry.enforcementLevel === "disabled" || hasLabels(labels, own.podLabels)) continue;
        out.push(`${policy}.jaegerPodLabels ${describeLabels(labels)} (${source}) do not cover the stack's Jaeger pods ${describeLabels(own.podLabels)} in "${own.namespace}", so ${policy} would not recognise their Services; allowed: jaegerPodLabels set to those labels`);
    }
    return out;
}
