/**
 * The real Jaeger v2 binary (from the toolchain) run as a local process with a userconfig the program generated:
 * every listener moved to loopback on a free port (the only change), health-checked, queried and measured.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import * as YAML from "yaml";
import * as grpc from "@grpc/grpc-js";
import { HEALTH_CHECK } from "../../components/jaeger/values";
import { PORTS } from "../../components/foundation/topology";
import { toolPath } from "../../toolchain/build/tools";
import { tmpDir } from "./harness";

/**
 * Ports handed to Jaeger are picked here and bound by Jaeger later. A port from the kernel's ephemeral range
 * (listen(0)) can be taken in between by any outgoing connection on the machine (CI lost a run that way), so these
 * come from below it, in order, each checked free, clear of the top 2,000 where kwokctl assigns the cluster's ports
 * (downwards from 32767): nothing else on the machine is handed ports there at random.
 */
const PORT_RANGE = (() => {
    const ephemeral = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return { first: Math.max(1024, ephemeral - 12_000), last: ephemeral - 2_001 };
})();
let nextPort = PORT_RANGE.first + (process.pid % 1000) * 10; // apart from another run's

async function bindable(port: number): Promise<boolean> {
    const server = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
        server.once("error", () => resolve(false));
        server.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (ok) await new Promise((resolve) => server.close(resolve));
    return ok;
}

export async function freePort(): Promise<number> {
    for (let tries = 0; tries <= PORT_RANGE.last - PORT_RANGE.first; tries++) {
        const port = nextPort;
        nextPort = port >= PORT_RANGE.last ? PORT_RANGE.first : port + 1;
        if (await bindable(port)) return port;
    }
    throw new Error(`no free port in ${PORT_RANGE.first}-${PORT_RANGE.last}`);
}

type Json = Record<string, any>;

/**
 * The userconfig with each `endpoint: 0.0.0.0:N` and the Prometheus reader's host/port moved to 127.0.0.1 and a free
 * port; `ports` maps each original port (PORTS, 13133) to the one used here. Nothing else is touched: the test
 * checks that putting the addresses back gives the generated config.
 */
export async function onLoopback(userconfig: Json): Promise<{ config: Json; ports: Record<number, number> }> {
    const ports: Record<number, number> = {};
    const local = async (original: number) => (ports[original] ??= await freePort());
    const walk = async (v: unknown): Promise<unknown> => {
        if (Array.isArray(v)) return Promise.all(v.map(walk));
        if (!v || typeof v !== "object") return v;
        const out: Json = {};
        for (const [k, x] of Object.entries(v)) {
            const m = k === "endpoint" && typeof x === "string" ? /^0\.0\.0\.0:(\d+)$/.exec(x) : null;
            out[k] = m ? `127.0.0.1:${await local(Number(m[1]))}` : await walk(x);
        }
        if (out.host === "0.0.0.0" && typeof out.port === "number") Object.assign(out, { host: "127.0.0.1", port: await local(out.port) });
        return out;
    };
    return { config: (await walk(userconfig)) as Json, ports };
}

/** The inverse, to prove `onLoopback` changed nothing but the listen addresses. */
export function offLoopback(config: Json, ports: Record<number, number>): Json {
    const back = new Map(Object.entries(ports).map(([orig, local]) => [local, Number(orig)]));
    return JSON.parse(JSON.stringify(config), (k, v) => {
        if (k === "endpoint" && typeof v === "string" && v.startsWith("127.0.0.1:")) return `0.0.0.0:${back.get(Number(v.split(":")[1]))}`;
        if (v && typeof v === "object" && v.host === "127.0.0.1" && typeof v.port === "number") return { ...v, host: "0.0.0.0", port: back.get(v.port) };
        return v;
    });
}

export interface RunningJaeger {
    pid: number;
    /** `http://127.0.0.1:<local port>` for an original port. */
    url(port: number): string;
    ports: Record<number, number>;
    log(): string;
    /** Resident and peak resident memory from /proc, in bytes. */
    memory(): { rss: number; hwm: number };
    stop(): Promise<void>;
}

const kib = (status: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;

/** Starts Jaeger with `userconfig` (already on loopback) and waits until its health check answers 200. */
export async function startJaeger(config: Json, ports: Record<number, number>, env: NodeJS.ProcessEnv = {}): Promise<RunningJaeger> {
    const dir = tmpDir("jaeger");
    const file = path.join(dir, "config.yaml");
    fs.writeFileSync(file, YAML.stringify(config));
    const bin = await toolPath("jaeger");
    // Jaeger traces its own query calls to the OTLP SDK default, localhost:4317: in the pod that is its own receiver,
    // so its self-traces land in its own store. The receiver moved; the default follows it.
    const self = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${ports[PORTS.otlpGrpc]}`, OTEL_EXPORTER_OTLP_TRACES_INSECURE: "true" };
    const child: ChildProcess = spawn(bin, ["--config", file], { env: { ...process.env, ...self, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-200_000));
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
    const url = (p: number) => `http://127.0.0.1:${ports[p]}`;
    const health = `${url(HEALTH_CHECK.port)}${HEALTH_CHECK.path}`;
    const deadline = Date.now() + 120_000;
    for (;;) {
        const early = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, 250, undefined))]);
        if (early !== undefined) throw new Error(`jaeger exited ${early} before it was healthy:\n${output.slice(-4000)}`);
        const ok = await fetch(health).then((r) => r.status === 200, () => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`jaeger not healthy on ${health} after 120 s:\n${output.slice(-4000)}`);
    }
    return {
        pid: child.pid!,
        url,
        ports,
        log: () => output,
        memory: () => {
            const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
            return { rss: kib(status, "VmRSS"), hwm: kib(status, "VmHWM") };
        },
        stop: async () => {
            child.kill("SIGTERM");
            // Its self-tracing flushes after the receivers have stopped and retries for 10 s (so does the pod's, within
            // its grace period); nothing here depends on a graceful end.
            const kill = setTimeout(() => child.kill("SIGKILL"), 2000);
            await exited;
            clearTimeout(kill);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** A trace as the query service's HTTP API (`/api/traces/{id}`) returns it. */
export interface QuerySpan {
    spanID: string;
    operationName: string;
    references: { refType: string; spanID: string; traceID: string }[];
    tags: { key: string; value: unknown }[];
    processID: string;
}
export interface QueryTrace {
    traceID: string;
    spans: QuerySpan[];
    processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }>;
}

export async function getTrace(j: RunningJaeger, traceId: string): Promise<QueryTrace | undefined> {
    const res = await fetch(`${j.url(PORTS.query)}/api/traces/${traceId}`);
    if (res.status === 404) return undefined;
    assert.strictEqual(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { data: QueryTrace[] };
    return body.data[0];
}

export async function findTraces(j: RunningJaeger, service: string): Promise<QueryTrace[]> {
    const res = await fetch(`${j.url(PORTS.query)}/api/traces?service=${encodeURIComponent(service)}&limit=1000&lookback=1h`);
    assert.strictEqual(res.status, 200);
    return ((await res.json()) as { data: QueryTrace[] | null }).data ?? [];
}

/**
 * The trace through the query gRPC API (api_v3 `GetTrace`, what Kiali uses), as raw OTLP `TracesData` messages: the
 * request is one string field, hand-encoded, so no generated client is needed to check what the port serves.
 */
export async function getTraceGrpc(j: RunningJaeger, traceId: string): Promise<Buffer> {
    const client = new grpc.Client(`127.0.0.1:${j.ports[PORTS.queryGrpc]}`, grpc.credentials.createInsecure());
    const id = Buffer.from(traceId);
    const request = Buffer.concat([Buffer.from([0x0a, id.length]), id]);
    try {
        return await new Promise<Buffer>((resolve, reject) => {
            const chunks: Buffer[] = [];
            const call = client.makeServerStreamRequest("/jaeger.api_v3.QueryService/GetTrace", (b: Buffer) => b, (b: Buffer) => b, request);
            call.on("data", (b: Buffer) => chunks.push(b));
            call.on("error", reject);
            call.on("end", () => resolve(Buffer.concat(chunks)));
        });
    } finally {
        client.close();
    }
}

/** Sum of a Prometheus counter over all its series on Jaeger's metrics port. */
export async function metric(j: RunningJaeger, name: string, labelFilter: RegExp = /.*/): Promise<number> {
    const text = await (await fetch(`${j.url(PORTS.metrics)}/metrics`)).text();
    let sum = 0;
    for (const line of text.split("\n")) {
        const m = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
        if (m && labelFilter.test(m[1] ?? "")) sum += Number(m[2]);
    }
    return sum;
}
