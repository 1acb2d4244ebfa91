/**
 * Runs the toolchain's xds-probe (toolchain/go/xds-probe) as one proxy against a running istiod: what that proxy's
 * Envoy would be told, as the JSON form of the Envoy protos istiod sent.
 */
import { run } from "../kit/exec";
import { ToolchainError } from "../kit/command";

export type ProxyKind = "sidecar" | "router";

export interface ProxySpec {
    kind: ProxyKind;
    pod: string;
    namespace: string;
    ip: string;
    labels: Record<string, string>;
    /** The Istio version the proxy reports (istiod gates features such as traceContextOption on it). */
    istioVersion: string;
}

/** Envoy protos in their JSON form (lowerCamelCase fields, typed_config with "@type"). */
export type Json = Record<string, any>;

export interface XdsSnapshot {
    node: string;
    clusters: Json[];
    listeners: Json[];
    /** Resources go-control-plane's Validate rejects (what Envoy would NACK). */
    invalid: { type: string; name: string; error: string }[];
}

/** Istio's node id: <type>~<ip>~<pod>.<namespace>~<namespace>.svc.<domain>. */
export const nodeId = (p: ProxySpec) => `${p.kind}~${p.ip}~${p.pod}.${p.namespace}~${p.namespace}.svc.cluster.local`;

/** The node metadata pilot-agent would send, reduced to what istiod reads for tracing and workload selection. */
export function nodeMetadata(p: ProxySpec): Json {
    return {
        ISTIO_VERSION: p.istioVersion,
        NAMESPACE: p.namespace,
        NAME: p.pod,
        LABELS: p.labels,
        CLUSTER_ID: "Kubernetes",
        INSTANCE_IPS: p.ip,
        SERVICE_ACCOUNT: "default",
        WORKLOAD_NAME: p.labels.app ?? p.pod,
        MESH_ID: "cluster.local",
    };
}

export function probeProxy(xdsProbe: string, grpcAddr: string, p: ProxySpec, timeoutSeconds = 30): XdsSnapshot {
    const args = ["--addr", grpcAddr, "--node", nodeId(p), "--metadata", JSON.stringify(nodeMetadata(p))];
    args.push("--timeout", `${timeoutSeconds}s`);
    const r = run(xdsProbe, args);
    if (r.code !== 0) throw new ToolchainError(`xds-probe as ${p.pod}.${p.namespace}: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as XdsSnapshot;
}
