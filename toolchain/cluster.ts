/**
 * The embedded cluster: kwokctl's binary runtime runs etcd, kube-apiserver, kube-controller-manager, kube-scheduler
 * and the kwok controller from the toolchain's binaries (it downloads nothing when every path is given), bound to
 * loopback. kwok simulates the nodes: pods scheduled there are marked Running and Ready with an IP, so Deployments
 * become Available and Services get endpoints; no container ever runs. `up` also installs Istio's CRDs from
 * istioctl's embedded manifests, so the API server checks Telemetry and ServiceEntry against Istio's real schemas.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { cacheDir } from "./paths";
import { toolPaths, ToolchainError } from "./tools";

export const CLUSTER_NAME = "eco2";
/** Simulated nodes: two, so a two-replica prod Jaeger with anti-affinity can schedule. */
const NODES = ["kwok-node-0", "kwok-node-1"];

export const kwokWorkdir = () => path.join(cacheDir(), "kwok");
const clusterDir = () => path.join(kwokWorkdir(), "clusters", CLUSTER_NAME);
export const kubeconfigPath = () => path.join(clusterDir(), "kubeconfig.yaml");

export type ClusterState = "running" | "stale" | "absent";

function exec(cmd: string, args: string[], input?: string): { ok: boolean; out: string } {
    const r = spawnSync(cmd, args, {
        input,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, KWOK_WORKDIR: kwokWorkdir() },
    });
    return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

export async function clusterState(): Promise<ClusterState> {
    if (!fs.existsSync(kubeconfigPath())) return fs.existsSync(clusterDir()) ? "stale" : "absent";
    const { kubectl } = await toolPaths(["kubectl"]);
    const ready = exec(kubectl, ["--kubeconfig", kubeconfigPath(), "--request-timeout=5s", "get", "--raw", "/readyz"]);
    return ready.ok && ready.out.trim() === "ok" ? "running" : "stale";
}

function kwokctlConfig(tools: Record<string, string>): string {
    return stringify({
        apiVersion: "config.kwok.x-k8s.io/v1alpha1",
        kind: "KwokctlConfiguration",
        options: {
            runtime: "binary",
            bindAddress: "127.0.0.1",
            kubeVersion: "v1.36.3",
            kubeApiserverBinary: tools["kube-apiserver"],
            kubeControllerManagerBinary: tools["kube-controller-manager"],
            kubeSchedulerBinary: tools["kube-scheduler"],
            kubectlBinary: tools.kubectl,
            kwokControllerBinary: tools.kwok,
            etcdBinary: tools.etcd,
        },
    });
}

function nodeManifest(name: string) {
    const capacity = { cpu: "32", memory: "128Gi", pods: "110" };
    return {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
            name,
            annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
            labels: { type: "kwok", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" },
        },
        status: { allocatable: capacity, capacity },
    };
}

/** Istio's CRDs as istioctl embeds them (its base chart), applied server-side and waited for. */
function installIstioCrds(tools: Record<string, string>): void {
    const gen = exec(tools.istioctl, ["manifest", "generate", "--set", "profile=minimal"]);
    if (!gen.ok) throw new ToolchainError(`istioctl manifest generate failed:\n${gen.out}`);
    const crds = gen.out.split(/^---\s*$/m).filter((doc) => /^kind:\s*CustomResourceDefinition\s*$/m.test(doc));
    if (!crds.length) throw new ToolchainError("istioctl manifest generate printed no CustomResourceDefinition");
    kubectl(tools, ["apply", "--server-side", "--field-manager=eco2-cluster", "-f", "-"], crds.join("\n---\n"));
    kubectl(tools, ["wait", "--for=condition=Established", "--timeout=60s", "crd", "telemetries.telemetry.istio.io", "serviceentries.networking.istio.io"]);
}

function kubectl(tools: Record<string, string>, args: string[], input?: string): string {
    const r = exec(tools.kubectl, ["--kubeconfig", kubeconfigPath(), ...args], input);
    if (!r.ok) throw new ToolchainError(`kubectl ${args.join(" ")}:\n${r.out}`);
    return r.out;
}

/** Starts the cluster unless it runs; a stale one (processes gone, e.g. after a reboot) is removed first. */
export async function clusterUp(log: (line: string) => void = () => undefined): Promise<string> {
    const state = await clusterState();
    if (state === "running") return kubeconfigPath();
    const tools = await toolPaths(["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "etcd", "kwok", "kwokctl", "istioctl"], log);
    if (state === "stale") {
        log(`cluster ${CLUSTER_NAME}: stale (its processes are gone); removing it before starting again`);
        await clusterDown();
    }
    fs.mkdirSync(kwokWorkdir(), { recursive: true });
    const config = path.join(kwokWorkdir(), `${CLUSTER_NAME}.kwokctl.yaml`);
    fs.writeFileSync(config, kwokctlConfig(tools));
    log(`cluster ${CLUSTER_NAME}: starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok on 127.0.0.1`);
    const created = exec(tools.kwokctl, ["create", "cluster", "--name", CLUSTER_NAME, "--config", config, "--kubeconfig", "", "--wait", "2m", "--quiet-pull"]);
    try {
        if (!created.ok) throw new ToolchainError(`kwokctl create cluster failed (nothing is left running):\n${created.out.trim()}`);
        kubectl(tools, ["apply", "--server-side", "--field-manager=eco2-cluster", "-f", "-"], NODES.map((n) => stringify(nodeManifest(n))).join("---\n"));
        kubectl(tools, ["wait", "--for=condition=Ready", "--timeout=60s", ...NODES.map((n) => `node/${n}`)]);
        installIstioCrds(tools);
    } catch (e) {
        await clusterDown();
        throw e;
    }
    log(`cluster ${CLUSTER_NAME}: ready (${NODES.length} simulated nodes, Istio CRDs); kubeconfig ${kubeconfigPath()}`);
    return kubeconfigPath();
}

/** Stops every process of the cluster and removes its state. */
export async function clusterDown(): Promise<void> {
    if (!fs.existsSync(clusterDir())) return;
    const { kwokctl } = await toolPaths(["kwokctl"]);
    // `create` was told not to touch the user's kubeconfig; `delete` only removes a context it finds there.
    const r = exec(kwokctl, ["delete", "cluster", "--name", CLUSTER_NAME]);
    if (!r.ok && fs.existsSync(clusterDir())) throw new ToolchainError(`kwokctl delete cluster failed:\n${r.out}`);
}
