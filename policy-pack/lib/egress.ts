/**
 * NetworkPolicy egress semantics (networking.k8s.io/v1), decided the way the API server and CNI do — not by string
 * matching. Pure: the policies hand in the NetworkPolicies of one namespace and the destination to prove.
 *
 * - A policy restricts egress when `policyTypes` contains Egress; without `policyTypes` (or with an empty list),
 *   when it has at least one egress rule (the API server's defaulting).
 * - A pod is egress-isolated when some restricting policy selects it; it may then reach a destination only if some
 *   restricting policy selecting it has a rule whose `ports` and `to` both admit the destination (rules are ORed,
 *   across and within policies; `ports` and `to` of one rule are ANDed).
 * - `ports` omitted or empty: all ports; protocol omitted: TCP; `port` omitted: all ports of that protocol;
 *   `endPort`: an inclusive range. Named ports depend on the destination pod's container spec and prove nothing.
 * - `to` omitted or empty: all destinations. A peer with only `podSelector` means pods in the policy's own namespace;
 *   `namespaceSelector` (with an optional `podSelector`) selects by namespace labels. `ipBlock` proves nothing about
 *   a pod IP (pods are not addressed by CIDR in this analysis).
 */
import { describeSelector, implies, LabelSelector, Labels, matches } from "./selectors";

export interface NetworkPolicyPort {
    protocol?: string | null;
    port?: number | string | null;
    endPort?: number | null;
}

export interface NetworkPolicyPeer {
    podSelector?: LabelSelector | null;
    namespaceSelector?: LabelSelector | null;
    ipBlock?: unknown;
}

export interface EgressRule {
    ports?: readonly NetworkPolicyPort[] | null;
    to?: readonly NetworkPolicyPeer[] | null;
}

export interface NetworkPolicySpec {
    podSelector?: LabelSelector | null;
    policyTypes?: readonly string[] | null;
    egress?: readonly EgressRule[] | null;
}

/** One NetworkPolicy as the analysis sees it. `ref` is carried through for reporting (e.g. the URN). */
export interface PolicyInNamespace {
    name: string;
    namespace: string;
    spec: NetworkPolicySpec;
    ref?: string;
}

/** The pods that must be reachable: the collector's namespace (name and labels), pod labels and one port. */
export interface Destination {
    namespace: string;
    namespaceLabels: Labels;
    podLabels: Labels;
    port: number;
    protocol: string;
}

export function restrictsEgress(spec: NetworkPolicySpec): boolean {
    const types = spec.policyTypes ?? [];
    if (types.length > 0) return types.includes("Egress");
    return (spec.egress ?? []).length > 0;
}

export function portsCover(ports: readonly NetworkPolicyPort[] | null | undefined, port: number, protocol: string): boolean {
    if (!ports || ports.length === 0) return true;
    return ports.some((p) => {
        if ((p.protocol ?? "TCP") !== protocol) return false;
        if (p.port === undefined || p.port === null) return true;
        if (typeof p.port !== "number") return false; // a named port
        const end = typeof p.endPort === "number" ? p.endPort : p.port;
        return port >= p.port && port <= end;
    });
}

export function peerAdmits(peer: NetworkPolicyPeer, policyNamespace: string, dest: Destination): boolean {
    if (peer.ipBlock !== undefined && peer.ipBlock !== null) return false;
    const hasNs = peer.namespaceSelector !== undefined && peer.namespaceSelector !== null;
    const hasPod = peer.podSelector !== undefined && peer.podSelector !== null;
    if (!hasNs && !hasPod) return false; // rejected by the API server ("must specify a peer")
    const namespaceOk = hasNs ? matches(peer.namespaceSelector, dest.namespaceLabels) : policyNamespace === dest.namespace;
    const podOk = hasPod ? matches(peer.podSelector, dest.podLabels) : true;
    return namespaceOk && podOk;
}

export function ruleAllows(rule: EgressRule, policyNamespace: string, dest: Destination): boolean {
    if (!portsCover(rule.ports, dest.port, dest.protocol)) return false;
    const to = rule.to ?? [];
    return to.length === 0 || to.some((peer) => peerAdmits(peer, policyNamespace, dest));
}

/** The policy restricts egress and one of its rules lets the selected pods reach `dest`. */
export function policyAllows(policy: PolicyInNamespace, dest: Destination): boolean {
    return restrictsEgress(policy.spec) && (policy.spec.egress ?? []).some((rule) => ruleAllows(rule, policy.namespace, dest));
}

export interface EgressVerdict {
    /** Some policy restricts egress in the namespace. */
    restricted: boolean;
    /** Every egress-isolated pod can reach the destination. */
    allowed: boolean;
    /** Restricting policies whose selected pods no allowing policy is proven to cover. */
    blocking: PolicyInNamespace[];
}

/**
 * Whether the pods of one namespace can reach `dest`, given all NetworkPolicies of that namespace. Pods are unknown,
 * so the proof is by selectors: every pod a restricting policy isolates must also be selected by an allowing policy
 * (its selector implied by the restricting one's). Cost: restricting × allowing policies of this namespace only.
 */
export function namespaceEgress(policies: readonly PolicyInNamespace[], dest: Destination): EgressVerdict {
    const restricting = policies.filter((p) => restrictsEgress(p.spec));
    if (restricting.length === 0) return { restricted: false, allowed: true, blocking: [] };
    const allowing = restricting.filter((p) => policyAllows(p, dest));
    const blocking = restricting.filter((p) => !allowing.some((a) => implies(p.spec.podSelector ?? {}, a.spec.podSelector ?? {})));
    return { restricted: true, allowed: blocking.length === 0, blocking };
}

/** Why the namespace fails, for the violation message. */
export function explainBlocking(verdict: EgressVerdict): string {
    return verdict.blocking
        .map((p) => {
            const selector = describeSelector(p.spec.podSelector);
            const what = (p.spec.egress ?? []).length === 0 ? "denies all egress" : "restricts egress";
            return `NetworkPolicy "${p.name}" ${what} of ${selector === "{}" ? "all pods" : `pods ${selector}`}`;
        })
        .join("; ");
}
