/**
 * The seeds' Python processes for the e2e: FastAPI apps under `opentelemetry-instrument uvicorn`, a Celery worker
 * under `opentelemetry-instrument celery`, both from the toolchain's pinned venv (toolchain/python/requirements.txt),
 * and the broker, Debian's redis-server on loopback.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ensurePythonEnv, venvScript } from "../../toolchain/build/python";
import { run } from "../../toolchain/kit/exec";
import { ROOT } from "../helpers";
import { freePort } from "./jaeger-process";
import { tmpDir } from "./harness";
import type { App, Launcher } from "./two-hop";

export const PYTHON_FIXTURES = path.join(ROOT, "test", "fixtures", "python");

let venv: Promise<string> | undefined;
/** The venv's python, made on first use (a cold install prints its progress). */
export const venvPython = () =>
    (venv ??= ensurePythonEnv((line) => process.stderr.write(`      [toolchain] ${line}\n`)).then((e) => e.path));

/** Starts a process and resolves when its output matches `ready`; rejects with its output if it exits first. */
export function startUntil(
    cmd: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 60_000,
): Promise<{ child: ChildProcess; output: () => string }> {
    const child = spawn(cmd, args, { env, cwd: PYTHON_FIXTURES, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`${path.basename(cmd)} not ready after ${timeoutMs} ms:\n${out.slice(-4000)}`));
        }, timeoutMs);
        const onData = (d: Buffer) => {
            out += d;
            if (ready.test(out)) {
                clearTimeout(timer);
                resolve({ child, output: () => out });
            }
        };
        child.stdout!.on("data", onData);
        child.stderr!.on("data", onData);
        child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`${path.basename(cmd)} exited ${code}:\n${out.slice(-4000)}`));
        });
    });
}

/** `opentelemetry-instrument uvicorn app:app` (test/fixtures/python/app.py) on a free loopback port. */
export const startPythonApp: Launcher = async (env): Promise<App> => {
    const python = await venvPython();
    const port = await freePort();
    const args = [venvScript(python, "uvicorn"), "app:app", "--app-dir", PYTHON_FIXTURES, "--host", "127.0.0.1", "--port", String(port)];
    const { child } = await startUntil(venvScript(python, "opentelemetry-instrument"), args, env, /Uvicorn running on/);
    // uvicorn re-raises a SIGTERM after its graceful shutdown, so the process dies of it before the SDK's atexit flush
    // and the last batch is lost (exit 143; the e2e shows it). SIGINT (a `STOPSIGNAL SIGINT` image) exits 0, flushed.
    return { child, url: `http://127.0.0.1:${port}`, stopSignal: "SIGINT" };
};

/** `opentelemetry-instrument celery -A tasks worker` (test/fixtures/python/tasks.py), one process, ready to consume. */
export async function startWorker(env: NodeJS.ProcessEnv): Promise<App & { output: () => string }> {
    const python = await venvPython();
    const args = [venvScript(python, "celery"), "-A", "tasks", "worker", "--pool=solo", "--without-gossip", "--without-mingle",
        "--without-heartbeat", "--loglevel=INFO", "--hostname", `scan-worker-${process.pid}@localhost`];
    const { child, output } = await startUntil(venvScript(python, "opentelemetry-instrument"), args, env, /@localhost ready/);
    return { child, url: "", output };
}

/**
 * Debian's redis-server, installed with apt when missing (as root, as CI runs here); where that cannot be done the
 * test fails with the reason rather than skip the hop.
 */
export function redisServer(): string {
    const found = run("sh", ["-c", "command -v redis-server"]).stdout.trim();
    if (found) return found;
    if (process.getuid?.() !== 0 || !run("sh", ["-c", "command -v apt-get"]).stdout.trim()) {
        throw new Error("redis-server is missing and cannot be installed here (needs root and apt-get): apt-get install -y redis-server");
    }
    process.stderr.write("      [broker] apt-get install -y redis-server\n");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const install = () => run("apt-get", ["install", "-y", "-qq", "redis-server"], { env });
    let r = install();
    if (r.code !== 0) {
        run("apt-get", ["update", "-qq"]);
        r = install();
    }
    if (r.code !== 0) throw new Error(`apt-get install -y redis-server failed:\n${r.stderr.slice(-2000)}`);
    return run("sh", ["-c", "command -v redis-server"]).stdout.trim();
}

export interface Broker {
    url: string;
    stop(): Promise<void>;
}

/** redis-server on 127.0.0.1 and a free port, no persistence, its files in a temp dir. */
export async function startRedis(): Promise<Broker> {
    const bin = redisServer();
    const port = await freePort();
    const dir = tmpDir("redis");
    const args = ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--save", "", "--appendonly", "no"];
    const { child } = await startUntil(bin, args, process.env, /Ready to accept connections/);
    return {
        url: `redis://127.0.0.1:${port}/0`,
        stop: async () => {
            const exited = new Promise((resolve) => child.on("exit", resolve));
            child.kill("SIGTERM");
            await exited;
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
