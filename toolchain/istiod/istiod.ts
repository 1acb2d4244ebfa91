/**
 * A throwaway istiod (the toolchain's pilot-discovery) on the embedded cluster: loopback ports picked free, plaintext
 * xDS only, and nothing that writes into the cluster. Checked against the source it is built from
 * (istio.io/istio pilot/pkg/features, pilot/pkg/bootstrap, pilot/cmd/pilot-discovery/app/cmd.go):
 * - ENABLE_CA_SERVER=false, PILOT_CERT_PROVIDER=none: no CA, no istio-ca-root-cert ConfigMaps, no DNS certificate;
 *   with --secureGRPCAddr= and --httpsAddr= empty there is no TLS listener either.
 * - INJECT_ENABLED=false and empty INJECTION_/VALIDATION_WEBHOOK_CONFIG_NAME: no webhook server, no caBundle patch.
 * - ENABLE_LEADER_ELECTION=false: no Lease or ConfigMap lock. The leader-only writers then run unconditionally, so
 *   each is switched off: IP auto-allocation (ServiceEntry status), Gateway API (status and deployment controllers),
 *   and, though off by default, PILOT_ENABLE_STATUS and PILOT_ENABLE_ANALYSIS. Istio's Ingress status writer only
 *   touches Ingress objects of class istio, which no stack here creates.
 * The e2e suite checks that the cluster is unchanged after a run.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { ToolchainError } from "../kit/command";

export interface IstiodOptions {
    pilotDiscovery: string;
    kubeconfig: string;
    /** The mesh config istiod reads (camelCase, as in the `istio` ConfigMap's `mesh` key). */
    meshConfig: Record<string, unknown>;
    /** Istio's own namespace (POD_NAMESPACE, --namespace). */
    namespace?: string;
    readyTimeoutMs?: number;
}

export interface Istiod {
    /** Plaintext gRPC xDS, host:port. */
    grpcAddr: string;
    httpAddr: string;
    /** From spawn to /ready answering 200. */
    startMs: number;
    /** istiod's log so far. */
    log(): string;
    stop(): Promise<void>;
}

/** A free loopback port (released before istiod binds it; a lost race fails the start, which names the port). */
export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

/** The environment that keeps istiod from creating or changing anything in the cluster (see the file comment). */
export function istiodEnv(namespace: string): Record<string, string> {
    return {
        POD_NAMESPACE: namespace,
        POD_NAME: "eco2-mesh-check",
        ENABLE_CA_SERVER: "false",
        PILOT_CERT_PROVIDER: "none",
        INJECT_ENABLED: "false",
        INJECTION_WEBHOOK_CONFIG_NAME: "",
        VALIDATION_WEBHOOK_CONFIG_NAME: "",
        ENABLE_LEADER_ELECTION: "false",
        PILOT_ENABLE_IP_AUTOALLOCATE: "false",
        PILOT_ENABLE_GATEWAY_API: "false",
        PILOT_ENABLE_GATEWAY_API_STATUS: "false",
        PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER: "false",
        PILOT_ENABLE_STATUS: "false",
        PILOT_ENABLE_ANALYSIS: "false",
    };
}

export interface IstiodPorts {
    grpc: number;
    http: number;
    monitoring: number;
}

export function istiodArgs(o: { kubeconfig: string; meshFile: string; networksFile: string; namespace: string } & IstiodPorts): string[] {
    return [
        "discovery",
        `--kubeconfig=${o.kubeconfig}`,
        `--meshConfig=${o.meshFile}`,
        `--networksConfig=${o.networksFile}`,
        `--namespace=${o.namespace}`,
        "--clusterID=Kubernetes",
        "--domain=cluster.local",
        `--grpcAddr=127.0.0.1:${o.grpc}`,
        `--httpAddr=127.0.0.1:${o.http}`,
        `--monitoringAddr=127.0.0.1:${o.monitoring}`,
        "--secureGRPCAddr=",
        "--httpsAddr=",
        // ControlZ on an ephemeral loopback port (0 is not "off" in pkg/ctrlz: it listens on a free one).
        "--ctrlz_port=0",
        "--ctrlz_address=127.0.0.1",
        "--shutdownDuration=1s",
    ];
}

async function ready(httpAddr: string): Promise<boolean> {
    try {
        const r = await fetch(`http://${httpAddr}/ready`, { signal: AbortSignal.timeout(2000) });
        return r.status === 200;
    } catch {
        return false;
    }
}

function exited(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Starts istiod and waits until it reports ready (its caches synced with the cluster). */
export async function startIstiod(opts: IstiodOptions): Promise<Istiod> {
    const namespace = opts.namespace ?? "istio-system";
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eco2-istiod-"));
    const meshFile = path.join(dir, "mesh.yaml");
    const networksFile = path.join(dir, "meshNetworks.yaml");
    fs.writeFileSync(meshFile, stringify(opts.meshConfig));
    fs.writeFileSync(networksFile, "{}\n");
    const [grpc, http, monitoring] = [await freePort(), await freePort(), await freePort()];
    const started = Date.now();
    const args = istiodArgs({ kubeconfig: opts.kubeconfig, meshFile, networksFile, namespace, grpc, http, monitoring });
    const child = spawn(opts.pilotDiscovery, args, {
        env: { PATH: process.env.PATH ?? "", HOME: dir, ...istiodEnv(namespace) },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout!.on("data", (d) => (log += d));
    child.stderr!.on("data", (d) => (log += d));
    const gone = exited(child);
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await gone;
        clearTimeout(timer);
        fs.rmSync(dir, { recursive: true, force: true });
    };
    const httpAddr = `127.0.0.1:${http}`;
    const deadline = started + (opts.readyTimeoutMs ?? 60_000);
    while (!(await ready(httpAddr))) {
        if (child.exitCode !== null || Date.now() > deadline) {
            const why = child.exitCode !== null ? `exited with ${child.exitCode}` : `not ready after ${opts.readyTimeoutMs ?? 60_000} ms`;
            await stop();
            throw new ToolchainError(`istiod ${why}:\n${log.trim().split("\n").slice(-15).join("\n")}`);
        }
        await new Promise((r) => setTimeout(r, 200));
    }
    return { grpcAddr: `127.0.0.1:${grpc}`, httpAddr, startMs: Date.now() - started, log: () => log, stop };
}
