/**
 * Builds the pinned components into a cache outside the clone, keyed by each tool module's contents, and finds
 * them again. A binary already on PATH is reused when it reports the pinned version.
 */
import { spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { COMPONENTS, Component, Tool, ToolName } from "./components";
import { ToolchainError } from "../kit/command";
import { run as runSync } from "../kit/exec";
import { cacheDir, goEnv, TOOLCHAIN_DIR } from "../kit/paths";
import { ensureOpenSearch } from "./opensearch";

export type Origin = "built" | "cached" | "PATH";
export interface Resolved {
    tool: ToolName;
    version: string;
    path: string;
    origin: Origin;
}

let go: string | undefined;
/** Asked only when something must be built or looked up in the cache: tools all on PATH need no Go. */
function goVersion(): string {
    if (go) return go;
    const r = runSync("go", ["env", "GOVERSION", "GOOS", "GOARCH"], { env: goEnv() });
    if (r.code !== 0) throw new ToolchainError(`the go command is needed to build the toolchain: ${r.stderr}`);
    return (go = r.stdout.trim().split("\n").join("/"));
}

function ldflags(c: Component): string {
    const stamps = Object.entries(c.stamps).sort(([a], [b]) => a.localeCompare(b));
    return ["-s", "-w", ...stamps.map(([k, v]) => `-X ${k}=${v}`)].join(" ");
}

/** The cache key: the module's files, the recipe and the Go version; any change rebuilds only that component. */
export function componentKey(c: Component, go: string): string {
    const dir = path.join(TOOLCHAIN_DIR, "go", c.module);
    const h = createHash("sha256").update(go).update(JSON.stringify({ ...c, ldflags: ldflags(c) }));
    for (const f of fs.readdirSync(dir).filter((f) => /^go\.(mod|sum)$|\.go$/.test(f)).sort()) {
        h.update(f).update(fs.readFileSync(path.join(dir, f)));
    }
    return h.digest("hex").slice(0, 16);
}

/** The expected version as a whole word: 0.8.0 is not 10.8.0, v1.36.3 is not v1.36.30. */
export function reportsVersion(output: string, expect: string): boolean {
    const escaped = expect.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`(^|[^\\w.])${escaped}($|[^\\w.])`, "m").test(output);
}

const binDir = (c: Component, key: string) => path.join(cacheDir(), "bin", `${c.module}-${key}`);

function onPath(t: Tool): string | undefined {
    if (!t.versionCheck) return undefined;
    for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
        const candidate = path.join(dir, t.name);
        if (!fs.existsSync(candidate) || candidate.startsWith(cacheDir())) continue;
        const r = runSync(candidate, t.versionCheck.args, { timeoutMs: 10_000 });
        return reportsVersion(`${r.stdout}${r.stderr}`, t.versionCheck.expect) ? candidate : undefined;
    }
    return undefined;
}

/** The proxy's refusal as "module version", when that is why go failed. */
export function refusedModule(stderr: string): string | undefined {
    const m = /([\w.\-/]+)@(v[\w.\-+]+): (?:reading|verifying|invalid version)[^\n]*(?:\n[^\n]*)?(403|404|410|not available|unknown revision)/.exec(stderr);
    return m ? `${m[1]} ${m[2]}` : undefined;
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(cmd, args, { cwd, env: { ...goEnv(), ...env }, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => resolve({ code: code ?? 1, stderr }));
    });
}

const elapsed = (since: number) => {
    const s = Math.round((Date.now() - since) / 1000);
    return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
};

async function buildComponent(c: Component, dest: string, log: (line: string) => void): Promise<void> {
    const cwd = path.join(TOOLCHAIN_DIR, "go", c.module);
    const tmp = `${dest}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    const started = Date.now();
    log(`${c.module}: building ${c.tools.map((t) => t.name).join(", ")} from ${c.source}`);
    // A line every minute, so a cold build on two cores visibly makes progress.
    const tick = setInterval(() => log(`${c.module}: still building (${elapsed(started)})`), 60_000);
    try {
        for (const t of c.tools) {
            const r = await run("go", ["build", "-trimpath", "-ldflags", ldflags(c), "-o", path.join(tmp, t.name), t.pkg], cwd, c.env);
            if (r.code !== 0) {
                const refused = refusedModule(r.stderr);
                throw new ToolchainError(
                    refused
                        ? `${c.module}: the Go module proxy does not serve ${refused} (toolchain/go/${c.module}/go.mod)`
                        : `${c.module}: go build ${t.pkg} failed:\n${r.stderr.trim().split("\n").slice(-20).join("\n")}`,
                );
            }
        }
        if (c.moduleFiles) copyModuleFiles(c.moduleFiles, cwd, tmp);
    } catch (e) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw e;
    } finally {
        clearInterval(tick);
    }
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
    log(`${c.module}: built in ${elapsed(started)}`);
}

function copyModuleFiles(spec: NonNullable<Component["moduleFiles"]>, cwd: string, dest: string): void {
    const r = runSync("go", ["list", "-m", "-f", "{{.Dir}}", spec.module], { cwd, env: goEnv() });
    if (r.code !== 0) throw new ToolchainError(`go list -m ${spec.module}: ${r.stderr}`);
    for (const [from, to] of Object.entries(spec.files)) fs.copyFileSync(path.join(r.stdout.trim(), from), path.join(dest, to));
}

const building = new Map<string, Promise<void>>();

export interface EnsureOptions {
    /** Only these tools (and so only their components); all by default. */
    only?: ToolName[];
    log?: (line: string) => void;
}

/** Every requested tool as a path: from PATH when it is the pinned version, else from the cache, built if missing. */
export async function ensureToolchain(opts: EnsureOptions = {}): Promise<Resolved[]> {
    const log = opts.log ?? (() => undefined);
    const wanted = (t: Tool) => !opts.only || opts.only.includes(t.name);
    const out: Resolved[] = [];
    for (const c of COMPONENTS.filter((c) => c.tools.some(wanted))) {
        const tools = c.tools.filter(wanted);
        const found = tools.map((t) => [t, onPath(t)] as const);
        if (found.every(([, p]) => p)) {
            out.push(...found.map(([t, p]) => ({ tool: t.name, version: c.version, path: p!, origin: "PATH" as const })));
            continue;
        }
        const dest = binDir(c, componentKey(c, goVersion()));
        const cached = c.tools.every((t) => fs.existsSync(path.join(dest, t.name)));
        if (!cached) {
            // Callers that ask at once (a suite's hooks) share one build of each component.
            if (!building.has(dest)) building.set(dest, buildComponent(c, dest, log).finally(() => building.delete(dest)));
            await building.get(dest);
        }
        out.push(...tools.map((t) => ({ tool: t.name, version: c.version, path: path.join(dest, t.name), origin: cached ? ("cached" as const) : ("built" as const) })));
    }
    if (!opts.only || opts.only.includes("opensearch")) {
        const os = await ensureOpenSearch(log);
        out.push({ tool: "opensearch", version: os.version, path: os.path, origin: os.cached ? "cached" : "built" });
    }
    return out;
}

/** The paths by tool name, building what is missing (quietly unless a log is given). */
export async function toolPaths(only?: ToolName[], log?: (line: string) => void): Promise<Record<ToolName, string>> {
    const resolved = await ensureToolchain({ only, log });
    return Object.fromEntries(resolved.map((r) => [r.tool, r.path])) as Record<ToolName, string>;
}

export async function toolPath(tool: ToolName): Promise<string> {
    return (await toolPaths([tool]))[tool];
}
