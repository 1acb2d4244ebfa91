/**
 * The embedded cluster: kwokctl's binary runtime runs etcd, kube-apiserver, kube-controller-manager, kube-scheduler
 * and the kwok controller from the toolchain's binaries (it downloads nothing when every path is given), bound to
 * loopback. kwok simulates the nodes: pods scheduled there are marked Running and Ready with an IP, so Deployments
 * become Available and Services get endpoints; no container ever runs. `up` also installs Istio's CRDs from
 * istioctl's embedded manifests, so the API server checks Telemetry and ServiceEntry against Istio's real schemas.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { K8S_VERSION } from "../build/components";
import { run } from "../kit/exec";
import { cacheDir } from "../kit/paths";
import { toolPaths } from "../build/tools";
import { ToolchainError } from "../kit/command";

export const CLUSTER_NAME = "eco2";
/** Simulated nodes: two, so a two-replica prod Jaeger with anti-affinity can schedule. */
export const NODES = ["kwok-node-0", "kwok-node-1"];

const kwokWorkdir = () => path.join(cacheDir(), "kwok");
const clusterDir = () => path.join(kwokWorkdir(), "clusters", CLUSTER_NAME);
export const kubeconfigPath = () => path.join(clusterDir(), "kubeconfig.yaml");

/** running: answers; starting: its processes live but it does not answer yet; stale: its processes are gone. */
export type ClusterState = "running" | "starting" | "unhealthy" | "stale" | "absent";

const kwokEnv = () => ({ ...process.env, KWOK_WORKDIR: kwokWorkdir() });

/** Each process kwokctl started (by its pid file's name) and whether it still runs a toolchain binary. */
function clusterProcesses(): { name: string; pid: number; alive: boolean }[] {
    const dir = path.join(clusterDir(), "pids");
    if (!fs.existsSync(dir)) return [];
    // Real paths: /proc's exe link is resolved, a cache whose bin/ is a link to another one's is not.
    const bins = [path.join(cacheDir(), "bin"), path.join(clusterDir(), "bin")]
        .filter((d) => fs.existsSync(d))
        .map((d) => fs.realpathSync(d));
    return fs.readdirSync(dir).sort().map((f) => {
        const pid = Number(fs.readFileSync(path.join(dir, f), "utf8").trim());
        let alive = false;
        try {
            const exe = fs.readlinkSync(`/proc/${pid}/exe`);
            alive = bins.some((bin) => exe.startsWith(bin + path.sep));
        } catch {
            // No such process (or not ours to read): not one of the cluster's.
        }
        return { name: f.replace(/\.pid$/, ""), pid, alive };
    });
}

/** The cluster's own processes: a pid file whose process runs a toolchain binary (never a reused pid). */
export function clusterPids(): number[] {
    return clusterProcesses().flatMap((p) => (p.alive ? [p.pid] : []));
}

/** Why a cluster whose API server does not answer will not recover on its own: its gone processes, if any. */
export function clusterFault(): string | undefined {
    const gone = clusterProcesses().filter((p) => !p.alive);
    if (!gone.length || gone.length === clusterProcesses().length) return undefined;
    const names = gone.map((p) => `${p.name} (pid ${p.pid})`).join(", ");
    return `${names} no longer running; \`npm run cluster -- down\` removes the cluster, the next command starts a new one`;
}

async function ready(): Promise<boolean> {
    const { kubectl } = await toolPaths(["kubectl"]);
    const r = run(kubectl, ["--kubeconfig", kubeconfigPath(), "--request-timeout=5s", "get", "--raw", "/readyz"]);
    return r.code === 0 && r.stdout.trim() === "ok";
}

export async function clusterState(): Promise<ClusterState> {
    if (!fs.existsSync(clusterDir())) return "absent";
    // A gone process is checked first: a dead API server would keep `ready()` waiting for its timeout.
    if (clusterPids().length && clusterFault()) return "unhealthy";
    if (fs.existsSync(kubeconfigPath()) && (await ready())) return "running";
    return clusterPids().length ? "starting" : "stale";
}

function kwokctlConfig(tools: Record<string, string>): string {
    return stringify({
        apiVersion: "config.kwok.x-k8s.io/v1alpha1",
        kind: "KwokctlConfiguration",
        options: {
            runtime: "binary",
            bindAddress: "127.0.0.1",
            kubeVersion: K8S_VERSION,
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

function kubectl(tools: Record<string, string>, args: string[], input?: string): string {
    const r = run(tools.kubectl, ["--kubeconfig", kubeconfigPath(), ...args], { input });
    if (r.code !== 0) throw new ToolchainError(`kubectl ${args.join(" ")}:\n${r.stderr}${r.stdout}`);
    return r.stdout;
}

/** Istio's CRDs as istioctl embeds them (its base chart), applied server-side and waited for. */
function installIstioCrds(tools: Record<string, string>): void {
    const gen = run(tools.istioctl, ["manifest", "generate", "--set", "profile=minimal"]);
    if (gen.code !== 0) throw new ToolchainError(`istioctl manifest generate failed:\n${gen.stderr}`);
    const crds = gen.stdout.split(/^---\s*$/m).filter((doc) => /^kind:\s*CustomResourceDefinition\s*$/m.test(doc));
    if (!crds.length) throw new ToolchainError("istioctl manifest generate printed no CustomResourceDefinition");
    kubectl(tools, ["apply", "--server-side", "--field-manager=eco2-cluster", "-f", "-"], crds.join("\n---\n"));
    kubectl(tools, ["wait", "--for=condition=Established", "--timeout=60s", "crd", "telemetries.telemetry.istio.io", "serviceentries.networking.istio.io"]);
}

async function waitReady(seconds: number): Promise<boolean> {
    for (let i = 0; i < seconds; i++) {
        if (await ready()) return true;
        await new Promise((r) => setTimeout(r, 1000));
    }
    return false;
}

/**
 * Starts the cluster unless it runs. One whose processes still live but do not answer (a busy machine) is waited
 * for, never torn down; a stale one (processes gone, e.g. after a reboot) is removed first.
 */
export async function clusterUp(log: (line: string) => void = () => undefined): Promise<string> {
    const state = await clusterState();
    if (state === "running") return kubeconfigPath();
    if (state === "unhealthy") throw new ToolchainError(`cluster ${CLUSTER_NAME} is unhealthy: ${clusterFault()}`);
    if (state === "starting") {
        if (await waitReady(60)) return kubeconfigPath();
        throw new ToolchainError(`cluster ${CLUSTER_NAME} runs (pids ${clusterPids().join(", ")}) but its API server has not answered ` +
            `for 60 s; see ${clusterDir()}/logs or run \`npm run cluster -- down\``);
    }
    const tools = await toolPaths(["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "etcd", "kwok", "kwokctl", "istioctl"], log);
    if (state === "stale") {
        // Nothing of it runs, so there is nothing to stop: kwokctl would signal whatever now holds the old pids.
        log(`cluster ${CLUSTER_NAME}: stale (its processes are gone); removing it before starting again`);
        fs.rmSync(clusterDir(), { recursive: true, force: true });
    }
    fs.mkdirSync(kwokWorkdir(), { recursive: true });
    const config = path.join(kwokWorkdir(), `${CLUSTER_NAME}.kwokctl.yaml`);
    fs.writeFileSync(config, kwokctlConfig(tools));
    log(`cluster ${CLUSTER_NAME}: starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok on 127.0.0.1`);
    try {
        const created = run(tools.kwokctl, ["create", "cluster", "--name", CLUSTER_NAME, "--config", config, "--kubeconfig", "", "--wait", "2m", "--quiet-pull"], { env: kwokEnv() });
        if (created.code !== 0) throw new ToolchainError(`kwokctl create cluster failed:\n${created.stderr.trim()}`);
        kubectl(tools, ["apply", "--server-side", "--field-manager=eco2-cluster", "-f", "-"], NODES.map((n) => stringify(nodeManifest(n))).join("---\n"));
        kubectl(tools, ["wait", "--for=condition=Ready", "--timeout=60s", ...NODES.map((n) => `node/${n}`)]);
        installIstioCrds(tools);
    } catch (e) {
        // No half-started cluster stays behind; if tearing down fails too, both are reported.
        try {
            await clusterDown();
        } catch (down) {
            throw new ToolchainError(`${(e as Error).message}\nand removing the half-started cluster failed: ${(down as Error).message}`);
        }
        throw e;
    }
    log(`cluster ${CLUSTER_NAME}: ready (${NODES.length} simulated nodes, Istio CRDs); kubeconfig ${kubeconfigPath()}`);
    return kubeconfigPath();
}

/** Stops every process of the cluster and removes its state; `log` says what goes. */
export async function clusterDown(log: (line: string) => void = () => undefined): Promise<void> {
    if (!fs.existsSync(clusterDir())) {
        log(`cluster ${CLUSTER_NAME}: absent, nothing to remove`);
        return;
    }
    const running = clusterProcesses().filter((p) => p.alive).map((p) => p.name);
    log(`cluster ${CLUSTER_NAME}: stopping ${running.join(", ") || "nothing (no process runs)"} and removing ${clusterDir()}; ` +
        "the local stacks' state on it is reset on next use (a new cluster has none of their objects)");
    if (!clusterPids().length) {
        fs.rmSync(clusterDir(), { recursive: true, force: true });
        return;
    }
    const { kwokctl } = await toolPaths(["kwokctl"]);
    // `create` was told not to touch the user's kubeconfig; `delete` only removes a context it finds there.
    const r = run(kwokctl, ["delete", "cluster", "--name", CLUSTER_NAME], { env: kwokEnv() });
    if (r.code !== 0 && fs.existsSync(clusterDir())) throw new ToolchainError(`kwokctl delete cluster failed:\n${r.stderr}`);
}

/** A value that changes whenever the cluster is created anew (its kube-system namespace's UID). */
export async function clusterId(): Promise<string> {
    const tools = await toolPaths(["kubectl"]);
    return kubectl(tools, ["get", "namespace", "kube-system", "-o", "jsonpath={.metadata.uid}"]).trim();
}
