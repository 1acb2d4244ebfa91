/**
 * The cross-resource view the egress policies need, built in one pass over the stack: namespaces and their labels,
 * NetworkPolicies indexed by namespace, and the namespaces the stack runs workloads in. Per-namespace analysis then
 * only touches that namespace's policies (no namespace × policy scan).
 */
import { PolicyInNamespace } from "./egress";
import { CollectorConfig } from "./config";
import { isKind, isWorkload, labelsOf, metadataName, namespaceOf, ResourceLike } from "./resources";

export interface NamespaceInfo {
    labels: Record<string, string>;
    urn: string;
}

export interface StackIndex {
    namespaces: Map<string, NamespaceInfo>;
    policiesByNamespace: Map<string, PolicyInNamespace[]>;
    workloadNamespaces: Set<string>;
}

export function indexStack(resources: readonly ResourceLike[]): StackIndex {
    const index: StackIndex = { namespaces: new Map(), policiesByNamespace: new Map(), workloadNamespaces: new Set() };
    for (const r of resources) {
        if (isKind(r.type, "", "Namespace") || isKind(r.type, "", "NamespacePatch")) {
            const name = metadataName(r);
            const seen = index.namespaces.get(name);
            // A Namespace and patches of it: labels add up; report against the Namespace itself when present.
            index.namespaces.set(name, {
                labels: { ...seen?.labels, ...labelsOf(r) },
                urn: seen && isKind(r.type, "", "NamespacePatch") ? seen.urn : r.urn,
            });
        } else if (isKind(r.type, "networking.k8s.io", "NetworkPolicy")) {
            const namespace = namespaceOf(r);
            const list = index.policiesByNamespace.get(namespace) ?? [];
            list.push({ name: metadataName(r), namespace, spec: r.props.spec ?? {}, ref: r.urn });
            index.policiesByNamespace.set(namespace, list);
        } else if (isWorkload(r.type)) {
            index.workloadNamespaces.add(namespaceOf(r));
        }
    }
    return index;
}

/** Istio injects sidecars into namespaces labelled istio-injection=enabled or istio.io/rev (unless injection is disabled). */
export function isInjected(labels: Readonly<Record<string, string>>): boolean {
    if (labels["istio-injection"] === "disabled") return false;
    return labels["istio-injection"] === "enabled" || "istio.io/rev" in labels;
}

/** Why a namespace counts as an app namespace, for messages. */
export type AppNamespaceReason = "sidecar injection label" | "policy config" | "runs workloads of this stack";

/** App namespaces, sorted, each with the first reason it qualifies. */
export function appNamespaces(index: StackIndex, config: CollectorConfig): Map<string, AppNamespaceReason> {
    const found = new Map<string, AppNamespaceReason>();
    for (const [name, info] of index.namespaces) if (isInjected(info.labels)) found.set(name, "sidecar injection label");
    for (const name of config.appNamespaces) if (!found.has(name)) found.set(name, "policy config");
    for (const name of index.workloadNamespaces) {
        if (name !== config.collectorNamespace && !found.has(name)) found.set(name, "runs workloads of this stack");
    }
    return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The collector namespace's labels: configured ones, those of a Namespace in the stack, and the API server's name label. */
export function collectorNamespaceLabels(index: StackIndex, config: CollectorConfig): Record<string, string> {
    return {
        ...config.collectorNamespaceLabels,
        ...index.namespaces.get(config.collectorNamespace)?.labels,
        "kubernetes.io/metadata.name": config.collectorNamespace,
    };
}
