/**
 * The toolchain's Python kind: one virtual environment with the e2e apps' packages (toolchain/python/requirements.txt,
 * every package pinned with its wheel's hash), made with the machine's python3 and pip from PyPI into the cache,
 * keyed by the file's contents and the interpreter's version. `npm run -s toolchain -- --json` reports its python as
 * `python`; the venv's bin/ has `opentelemetry-instrument`, `uvicorn` and `celery` beside it.
 */
import { spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ToolchainError } from "../kit/command";
import { run } from "../kit/exec";
import { cacheDir, TOOLCHAIN_DIR } from "../kit/paths";

export const PYTHON_REQUIREMENTS = path.join(TOOLCHAIN_DIR, "python", "requirements.txt");
/** Written last: a venv without it is a half-made one (an interrupted install) and is made again. */
const COMPLETE = ".eco2-complete";

export interface PythonEnv {
    tool: "python";
    /** The interpreter and the requirements key, e.g. `3.11.7 requirements 1a2b...`. */
    version: string;
    /** The venv's bin/python. */
    path: string;
    origin: "built" | "cached";
}

function interpreter(): { bin: string; version: string } {
    const bin = "python3";
    const r = run(bin, ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]);
    if (r.code !== 0) throw new ToolchainError(`python3 is needed for the Python environment (toolchain/python): ${r.stderr.trim()}`);
    return { bin, version: r.stdout.trim() };
}

/** The cache key: the requirements file and the interpreter's version (a venv is bound to its interpreter). */
export function pythonEnvKey(requirements: string, pythonVersion: string): string {
    return createHash("sha256").update(pythonVersion).update(requirements).digest("hex").slice(0, 16);
}

function pip(python: string, args: string[]): Promise<{ code: number; stderr: string }> {
    return new Promise((resolve) => {
        const env = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1" };
        const child = spawn(python, ["-m", "pip", ...args], { stdio: ["ignore", "ignore", "pipe"], env });
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => resolve({ code: code ?? 1, stderr }));
    });
}

let making: Promise<PythonEnv> | undefined;

/** The venv, made if missing (about a minute cold, mostly downloading grpcio and the rest). */
export function ensurePythonEnv(log: (line: string) => void = () => undefined): Promise<PythonEnv> {
    return (making ??= makePythonEnv(log).finally(() => (making = undefined)));
}

async function makePythonEnv(log: (line: string) => void): Promise<PythonEnv> {
    const { bin, version } = interpreter();
    const key = pythonEnvKey(fs.readFileSync(PYTHON_REQUIREMENTS, "utf8"), version);
    // Made in place: a venv's scripts name its absolute path, so it cannot be built elsewhere and moved.
    const dir = path.join(cacheDir(), "python", `venv-${key}`);
    const python = path.join(dir, "bin", "python");
    const env = (origin: PythonEnv["origin"]): PythonEnv => ({
        tool: "python", version: `${version} requirements ${key}`, path: python, origin,
    });
    if (fs.existsSync(path.join(dir, COMPLETE))) return env("cached");
    const started = Date.now();
    log(`python: making a venv (Python ${version}) from toolchain/python/requirements.txt`);
    fs.rmSync(dir, { recursive: true, force: true });
    const venv = run(bin, ["-m", "venv", dir]);
    if (venv.code !== 0) throw new ToolchainError(`python -m venv ${dir} failed: ${venv.stderr.trim()}`);
    // --no-deps: the file lists the whole closure, so nothing unpinned (or unhashed) can come in.
    const r = await pip(python, ["install", "--quiet", "--require-hashes", "--no-deps", "-r", PYTHON_REQUIREMENTS]);
    if (r.code !== 0) {
        fs.rmSync(dir, { recursive: true, force: true });
        const tail = r.stderr.trim().split("\n").slice(-20).join("\n");
        // The likeliest cause on another machine: the hashes are those of CPython 3.11's manylinux x86_64 wheels.
        const hint = `(Python ${version} on ${process.platform}/${process.arch}; the file hashes CPython 3.11 linux/x64 wheels)`;
        throw new ToolchainError(`python: pip install -r toolchain/python/requirements.txt failed ${hint}:\n${tail}`);
    }
    fs.writeFileSync(path.join(dir, COMPLETE), `${new Date(started).toISOString()} ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    log(`python: venv made in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return env("built");
}

/** A console script of the venv (`opentelemetry-instrument`, `uvicorn`, `celery`). */
export const venvScript = (python: string, name: string) => path.join(path.dirname(python), name);
