/**
 * The toolchain's otelcol (the router) as a local process with the config components/collector-tier generates,
 * listeners on loopback, the static resolver pointing at Jaeger processes (the pods' k8s resolver needs an API
 * server; collector-tier.e2e.ts runs that one against the embedded cluster separately).
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { routerConfig, RouterConfigArgs, RouterPorts } from "../../components/collector-tier/router-config";
import { toolPath } from "../../toolchain/build/tools";
import { tmpDir } from "./harness";
import { freePort } from "./jaeger-process";

export interface RunningRouter {
    pid: number;
    ports: RouterPorts;
    config: Record<string, unknown>;
    log(): string;
    /** User+system CPU seconds so far, from /proc. */
    cpuSeconds(): number;
    rssBytes(): number;
    stop(): Promise<void>;
}

const TICKS = 100; // USER_HZ on Linux

export function cpuSecondsOf(pid: number): number {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

export async function startRouter(
    resolver: RouterConfigArgs["resolver"],
    routingKey?: RouterConfigArgs["routingKey"],
    extraArgs: string[] = [],
    env: NodeJS.ProcessEnv = {},
): Promise<RunningRouter> {
    const ports = {
        otlpGrpc: await freePort(), otlpHttp: await freePort(), zipkin: await freePort(),
        health: await freePort(), metrics: await freePort(),
    };
    const config = routerConfig({ resolver, listenHost: "127.0.0.1", ports, routingKey });
    const dir = tmpDir("router");
    const file = path.join(dir, "config.yaml");
    fs.writeFileSync(file, YAML.stringify(config));
    const child: ChildProcess = spawn(await toolPath("otelcol"), ["--config", file, ...extraArgs], {
        // memory_limiter's percentages need a limit: the pod's cgroup gives it; here the same 256Mi as a Go limit.
        env: { ...process.env, GOMEMLIMIT: "200MiB", ...env }, stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-200_000));
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
    const deadline = Date.now() + 60_000;
    for (;;) {
        const early = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, 250, undefined))]);
        if (early !== undefined) throw new Error(`otelcol exited ${early} before it was healthy:\n${output.slice(-4000)}`);
        if (await fetch(`http://127.0.0.1:${ports.health}/`).then((r) => r.status === 200, () => false)) break;
        if (Date.now() > deadline) throw new Error(`otelcol not healthy after 60 s:\n${output.slice(-4000)}`);
    }
    return {
        pid: child.pid!,
        ports,
        config,
        log: () => output,
        cpuSeconds: () => cpuSecondsOf(child.pid!),
        rssBytes: () => Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? NaN) * 1024,
        stop: async () => {
            child.kill("SIGTERM");
            const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
            await exited;
            clearTimeout(kill);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
