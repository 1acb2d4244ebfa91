/** Reading telemetry.istio.io Telemetry objects: their tracing entries and the scope they apply to. */
import { asArray, isKind, isRecord, metadataName, namespaceOf, ResourceLike } from "./resources";

export function isTelemetry(type: string): boolean {
    return isKind(type, "telemetry.istio.io", "Telemetry");
}

export interface TracingEntry {
    index: number;
    providers: string[];
    randomSamplingPercentage: unknown;
}

export function tracingEntries(spec: unknown): TracingEntry[] {
    if (!isRecord(spec)) return [];
    return asArray(spec.tracing).map((t, index) => ({
        index,
        providers: isRecord(t) ? asArray(t.providers).map((p) => (isRecord(p) ? p.name : undefined)).filter((n): n is string => typeof n === "string") : [],
        randomSamplingPercentage: isRecord(t) ? t.randomSamplingPercentage : undefined,
    }));
}

export type TelemetryScope = "mesh-wide" | "namespace-wide" | "workload-level";

/**
 * Istio's precedence: a Telemetry in the root namespace without a workload selector is mesh-wide, one elsewhere
 * without a selector is namespace-wide, one with `selector` (non-empty matchLabels) or `targetRef(s)` is for
 * workloads. An empty selector is not treated as workload-level (the stricter range applies).
 */
export function telemetryScope(r: ResourceLike, rootNamespace: string): TelemetryScope {
    const spec = isRecord(r.props.spec) ? r.props.spec : {};
    const matchLabels = isRecord(spec.selector) && isRecord(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
    const targeted = Object.keys(matchLabels).length > 0 || isRecord(spec.targetRef) || asArray(spec.targetRefs).length > 0;
    if (targeted) return "workload-level";
    return namespaceOf(r) === rootNamespace ? "mesh-wide" : "namespace-wide";
}

/** `namespace/name`, the key the sampling allow list uses. */
export function telemetryKey(r: ResourceLike): string {
    return `${namespaceOf(r)}/${metadataName(r)}`;
}
