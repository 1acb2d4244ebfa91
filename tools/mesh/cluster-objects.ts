/**
 * What the mesh check puts into the embedded cluster, and takes out again: the stack's objects istiod reads (its
 * Namespaces, Services and *.istio.io objects, from the plan), probe pods that kwok gives an IP (one sidecar per app
 * namespace, one per workload override with its labels, the ingress gateway), and a Gateway of the check's own so the
 * gateway gets an HTTP listener (a router has none without one). Objects that already exist (a stack deployed with
 * `npm run local`) are left as they are and not taken out; everything created is deleted afterwards, except the
 * namespaces the stack only references, which stay as the platform's (as `npm run local` leaves them).
 */
import * as YAML from "yaml";
import type { KubeObject } from "../synth/write-manifests";
import type { ProxySpec } from "../../toolchain/istiod/probe";
import { Intent } from "./expectations";
import { run } from "../../toolchain/kit/exec";
import { ToolchainError } from "../../toolchain/kit/command";

type Doc = Record<string, any>;
export const PROBE_LABEL = "eco2.growbin.app/mesh-probe";
const GATEWAY_LABELS = { istio: "ingressgateway", app: "istio-ingressgateway" };

/** The objects istiod reads: Namespaces, Services and Istio's own kinds; patches of existing objects are left out. */
export function meshObjects(objects: readonly KubeObject[]): Doc[] {
    return objects
        .filter((o) => !o.patch)
        .filter((o) => (o.apiVersion === "v1" && (o.kind === "Namespace" || o.kind === "Service")) || /\.istio\.io\//.test(o.apiVersion))
        .map((o) => o.body as Doc);
}

export interface Probe {
    kind: ProxySpec["kind"];
    pod: string;
    namespace: string;
    labels: Record<string, string>;
}

const SIDECAR = "sidecar" as const;

export function probesFor(intent: Intent): Probe[] {
    return [
        ...intent.appNamespaces.map((namespace) => ({ kind: SIDECAR, pod: "mesh-probe", namespace, labels: { app: "mesh-probe" } })),
        ...intent.overrides.map((o) => ({ kind: SIDECAR, pod: `mesh-probe-${o.name}`, namespace: o.namespace, labels: { ...o.labels } })),
        { kind: "router" as const, pod: "mesh-probe-ingressgateway", namespace: intent.gatewayNamespace, labels: { ...GATEWAY_LABELS } },
    ];
}

export function probeDocs(probes: readonly Probe[]): Doc[] {
    const pods = probes.map((p) => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: p.pod, namespace: p.namespace, labels: { ...p.labels, [PROBE_LABEL]: "true" } },
        // kwok runs no container: the image is never pulled.
        spec: { containers: [{ name: p.kind === "router" ? "istio-proxy" : "app", image: "eco2/mesh-probe:none" }] },
    }));
    const gateways = [...new Set(probes.filter((p) => p.kind === "router").map((p) => p.namespace))].map((ns) => ({
        apiVersion: "networking.istio.io/v1",
        kind: "Gateway",
        metadata: { name: "mesh-probe", namespace: ns, labels: { [PROBE_LABEL]: "true" } },
        spec: {
            selector: { istio: GATEWAY_LABELS.istio },
            servers: [{ port: { number: 8080, name: "http", protocol: "HTTP" }, hosts: ["*"] }],
        },
    }));
    return [...pods, ...gateways];
}

/** kubectl's -o json: a List for several objects, the object itself for one. */
const items = (stdout: string): Doc[] => {
    const j = JSON.parse(stdout || "{}");
    return j.kind === "List" ? j.items ?? [] : j.kind ? [j] : [];
};
const key = (d: Doc) => `${d.kind}/${d.metadata?.namespace ?? ""}/${d.metadata?.name}`;
const yaml = (docs: readonly Doc[]) => docs.map((d) => YAML.stringify(d)).join("---\n");

export class ClusterObjects {
    private created: Doc[] = [];
    constructor(private readonly kubectl: string, private readonly kubeconfig: string, private readonly log: (line: string) => void) {}

    private k(args: string[], input?: string) {
        return run(this.kubectl, ["--kubeconfig", this.kubeconfig, ...args], { input });
    }

    /**
     * Creates the missing ones, namespaces first. The stack's own Namespaces are taken out again (a later `pulumi up`
     * creates them); the ones it only references stay, as the platform's.
     */
    create(docs: readonly Doc[]): void {
        const namespaceOf = (d: Doc) => (d.kind === "Namespace" ? d.metadata.name : d.metadata?.namespace);
        const own = docs.filter((d) => d.kind === "Namespace");
        const referenced = [...new Set(docs.map(namespaceOf).filter(Boolean))]
            .filter((name) => !own.some((d) => d.metadata.name === name))
            .map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } }));
        const rest = docs.filter((d) => d.kind !== "Namespace");
        for (const [batch, removable] of [[referenced, false], [own, true], [rest, true]] as const) {
            if (!batch.length) continue;
            const existing = this.k(["get", "-f", "-", "--ignore-not-found", "-o", "json"], yaml(batch));
            if (existing.code !== 0) throw new ToolchainError(`kubectl get failed:\n${existing.stderr}`);
            const found = new Set(items(existing.stdout).map(key));
            const missing = batch.filter((d) => !found.has(key(d)));
            if (found.size && removable) this.log(`left as they are (already in the cluster): ${[...found].join(", ")}`);
            if (!missing.length) continue;
            const r = this.k(["create", "-f", "-"], yaml(missing));
            if (r.code !== 0) throw new ToolchainError(`kubectl create failed:\n${r.stderr}`);
            if (removable) this.created.push(...missing);
        }
    }

    /** Each probe pod's IP, once kwok has given every one of them one. */
    async podIps(probes: readonly Probe[], timeoutMs = 60_000): Promise<Map<string, string>> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const r = this.k(["get", "pods", "-A", "-l", PROBE_LABEL, "-o", "json"]);
            const ips = new Map(items(r.stdout)
                .filter((p) => p.status?.podIP).map((p) => [`${p.metadata.name}.${p.metadata.namespace}`, String(p.status.podIP)]));
            if (probes.every((p) => ips.has(`${p.pod}.${p.namespace}`))) return ips;
            if (Date.now() > deadline) throw new ToolchainError(`probe pods got no IP within ${timeoutMs / 1000} s (is kwok running?)`);
            await new Promise((res) => setTimeout(res, 250));
        }
    }

    /** Deletes what `create` created (newest first), waiting so the next run can create the same names again. */
    removeCreated(): void {
        if (!this.created.length) return;
        const args = ["delete", "-f", "-", "--ignore-not-found", "--wait=true", "--timeout=60s", "--grace-period=0", "--force"];
        const r = this.k(args, yaml([...this.created].reverse()));
        if (r.code !== 0) throw new ToolchainError(`removing what the mesh check created failed:\n${r.stderr}`);
        this.created = [];
    }
}
