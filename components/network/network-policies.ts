/**
 * The NetworkPolicies of the tracing paths, as plain objects. Pure functions of config.
 *
 * NetworkPolicy semantics decide what is safe to emit: a pod selected by any policy with `Egress` in its
 * policyTypes loses every egress not allowed by some policy. The egress allows below are therefore only correct in
 * namespaces that already deny egress by default (`networkPolicy.defaultDenyEgress`); in an open namespace they
 * would cut the apps off from everything else. The ingress policy deliberately isolates the Jaeger pods.
 */
import type { INetworkPolicy as ModelNetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy" with { "resolution-mode": "import" };
import { PORTS } from "../foundation/topology";
import { PART_OF, sortKeys } from "../foundation/k8s";

type Spec = NonNullable<ModelNetworkPolicy["spec"]>;
/** The upstream model, with what this program always sets made required (Pulumi's args require podSelector). */
export type NetworkPolicy = Omit<ModelNetworkPolicy, "metadata" | "spec"> & {
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: Spec & { podSelector: NonNullable<Spec["podSelector"]> };
};

export const JAEGER_EGRESS_POLICY = "allow-jaeger-egress";
export const DNS_EGRESS_POLICY = "allow-dns-egress";
export const JAEGER_INGRESS_POLICY = "allow-jaeger-ingress";

/** Set by the API server on every namespace (Kubernetes ≥ 1.21); the only label a namespace is sure to carry. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Marks what this program owns: `kubectl get netpol -A -l app.kubernetes.io/part-of=eco2-tracing`. */


/** Collector ports: Zipkin (Envoy sidecars/gateways), OTLP gRPC and OTLP HTTP (app SDKs). */
export const COLLECTOR_PORTS = Object.freeze([PORTS.otlpGrpc, PORTS.otlpHttp, PORTS.zipkin]);

export interface Peer {
    namespace: string;
    /** All pods of the namespace when unset. */
    podLabels?: Record<string, string>;
}

const tcp = (port: number) => ({ protocol: "TCP" as const, port });

function peer(p: Peer) {
    return {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespace } },
        ...(p.podLabels ? { podSelector: { matchLabels: sortKeys(p.podLabels) } } : {}),
    };
}

function policy(name: string, namespace: string, spec: NetworkPolicy["spec"]): NetworkPolicy {
    return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace, labels: { ...PART_OF } }, spec };
}

/** Every pod of an app namespace may reach the Jaeger pods on the collector ports. */
export function jaegerEgressPolicy(namespace: string, jaegerNamespace: string, jaegerPodLabels: Record<string, string>): NetworkPolicy {
    return policy(JAEGER_EGRESS_POLICY, namespace, {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [peer({ namespace: jaegerNamespace, podLabels: jaegerPodLabels })], ports: COLLECTOR_PORTS.map(tcp) }],
    });
}

/** Every pod of an app namespace may resolve names (the collector's Service name among them). */
export function dnsEgressPolicy(namespace: string, dnsNamespace: string, dnsPodLabels: Record<string, string>): NetworkPolicy {
    return policy(DNS_EGRESS_POLICY, namespace, {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [peer({ namespace: dnsNamespace, podLabels: dnsPodLabels })], ports: [{ protocol: "UDP" as const, port: 53 }, tcp(53)] }],
    });
}

export interface JaegerIngressInput {
    namespace: string;
    podLabels: Record<string, string>;
    /** Namespaces whose pods report spans (app namespaces, the mesh's root and gateway namespaces). */
    collectorFrom: readonly string[];
    /** Who may use the query UI/HTTP and gRPC APIs; no rule at all when empty. */
    queryFrom: readonly Peer[];
    /** Who may scrape the metrics port (Prometheus); no rule at all when empty or unset. */
    metricsFrom?: readonly Peer[];
    /** With the router tier: only these pods (the routers, same namespace) reach the Jaeger pods, on OTLP gRPC. */
    routerPodLabels?: Record<string, string>;
}

/**
 * Namespaces in the mesh by Istio's own labels: sidecar injection (`istio-injection=enabled`) or a revision
 * (`istio.io/rev`). Their proxies report spans whether or not the stack lists them: a gateway in `istio-ingress`
 * (Istio's Helm layout) or a team namespace added after the stack must not lose its spans at Jaeger.
 */
export const MESH_NAMESPACE_SELECTORS = [
    { matchLabels: { "istio-injection": "enabled" } },
    { matchExpressions: [{ key: "istio.io/rev", operator: "Exists" as const }] },
];

export const ROUTER_INGRESS_POLICY = "allow-router-ingress";

/** The reporting namespaces reach the collector ports: the listed ones, or any in the mesh by label. */
function collectorRule(collectorFrom: readonly string[]) {
    const namespaces = [...new Set(collectorFrom)].sort();
    const inList = { key: NAMESPACE_NAME_LABEL, operator: "In" as const, values: namespaces };
    return {
        from: [{ namespaceSelector: { matchExpressions: [inList] } }, ...MESH_NAMESPACE_SELECTORS.map((namespaceSelector) => ({ namespaceSelector }))],
        ports: COLLECTOR_PORTS.map(tcp),
    };
}

/** The routers take the collector ports from the reporting namespaces (the hop the Jaeger pods had without them). */
export function routerIngressPolicy(
    namespace: string, routerPodLabels: Record<string, string>, collectorFrom: readonly string[],
): NetworkPolicy {
    return policy(ROUTER_INGRESS_POLICY, namespace, {
        podSelector: { matchLabels: sortKeys(routerPodLabels) },
        policyTypes: ["Ingress"],
        ingress: [collectorRule(collectorFrom)],
    });
}

/**
 * The Jaeger pods accept the collector ports from the reporting namespaces, listed or in the mesh by label (with the
 * router tier: OTLP gRPC from the routers only), the query and metrics ports from peers.
 */
export function jaegerIngressPolicy(input: JaegerIngressInput): NetworkPolicy {
    const spans = input.routerPodLabels
        ? { from: [{ podSelector: { matchLabels: sortKeys(input.routerPodLabels) } }], ports: [tcp(PORTS.otlpGrpc)] }
        : collectorRule(input.collectorFrom);
    // An ingress rule with an empty `from` admits everyone, so the peer rules exist only with peers.
    const peerRule = (peers: readonly Peer[], ports: number[]) => (peers.length > 0 ? [{ from: peers.map(peer), ports: ports.map(tcp) }] : []);
    return policy(JAEGER_INGRESS_POLICY, input.namespace, {
        podSelector: { matchLabels: sortKeys(input.podLabels) },
        policyTypes: ["Ingress"],
        ingress: [
            spans,
            ...peerRule(input.queryFrom, [PORTS.query, PORTS.queryGrpc]),
            ...peerRule(input.metricsFrom ?? [], [PORTS.metrics]),
        ],
    });
}
