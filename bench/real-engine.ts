/**
 * npm run bench -- --real-engine [--cases dev,prod,100] [--runs 3]     (300, 1000: only when named in --cases)
 *
 * The real Pulumi CLI (toolchain: CLI, our language host, the Kubernetes provider) on the embedded cluster, local
 * file backend, for the program and for the plain baseline project (bench/plain-baseline-project: exactly the program's objects as plain
 * @pulumi/kubernetes resources, the chart as the same Release — plain-baseline-plan.ts's plan of the program's mock
 * plan), same CLI, provider, backend and cluster. Per run, each command a fresh CLI process, a fresh state dir:
 *   program: preview, preview with the policy pack, up (create), up (no change), destroy (untimed);
 *   plain:   preview, up (create), up (no change), destroy (untimed).
 * Wall time from spawn to exit; peak memory = the largest sum of RSS over the CLI and all its descendants
 * (language host, Node program, provider, pack), sampled from /proc every 50 ms (proc-tree.ts).
 * Medians over runs; written to bench/results.json under `realEngine` (other keys kept). With --traces DIR, each
 * command also writes its OTLP spans there (`--otel-traces`) and nothing is written to results.json. With
 * --skip-checkpoints, every command runs with PULUMI_SKIP_CHECKPOINTS=true (the untimed destroys always do). With
 * --add-runs, a case's new runs join its samples already in results.json (same versions), medians over all.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { generatedStackFile } from "./fixtures";
import { measure } from "./measure";
import { sampleTree } from "./proc-tree";
import { machine } from "./report";
import { plainProjectPlan, growth, RealCase, RealEngineEntry, round, RunFigures, resourceSummary, summarize, Timed } from "./real-engine-report";

export { DEFAULT_CASES, growth, growthTable, realEngineTable, selectCases, withoutCheckpoints } from "./real-engine-report";
import { clusterUp } from "../toolchain/cluster/cluster";
import { run } from "../toolchain/kit/exec";
import { localEnv, packArgs } from "../toolchain/local/local";
import { providePlatform, referencedByStack } from "../toolchain/local/platform";
import { Workspace, workspaceDir, writeWorkspace } from "../toolchain/local/workspace";
import { PROJECT_DIR } from "../toolchain/kit/paths";
import { stackNames } from "../toolchain/local/stack-defaults";
import { toolPaths } from "../toolchain/build/tools";

const ROOT = PROJECT_DIR;
const PLAIN_PROJECT_DIR = path.join(ROOT, "bench", "plain-baseline-project");
const PLAIN_PROJECT = "eco2-tracing-plain-baseline";
const PACK_DIR = path.join(ROOT, "policy-pack");
const PROGRAM_SCRIPT = path.join(ROOT, "bin", "bench", "program.js");

interface Env {
    tools: Record<string, string>;
    kubeconfig: string;
}

/** The toolchain and the cluster, found once so each timed command is the CLI alone. */
async function engineEnv(log: (l: string) => void): Promise<Env> {
    const tools = await toolPaths(["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes", "kubectl"], log);
    return { tools, kubeconfig: await clusterUp(log) };
}

/** The environment runLocal gives the CLI, with a fresh backend under `dir`. */
const dirEnv = (e: Env, dir: string, c: RealCase): NodeJS.ProcessEnv => ({
    ...localEnv(e.tools, e.kubeconfig, dir),
    ...(c.skipCheckpoints ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {}),
});
/** The untimed destroy: more operations at once, the state written once (it is thrown away). */
const DESTROY = ["destroy", "--yes", "--parallel", "32"];
const destroyEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...env, PULUMI_SKIP_CHECKPOINTS: "true" });

class CommandFailed extends Error {}

/** `pulumi <args>` in `cwd`, timed, with the process tree's peak RSS. */
function timed(pulumi: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Timed> {
    return new Promise((resolve, reject) => {
        const start = process.hrtime.bigint();
        const child = spawn(pulumi, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        const sampler = sampleTree(child.pid!);
        let output = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
        let end = start;
        child.on("exit", () => (end = process.hrtime.bigint()));
        child.on("error", reject);
        child.on("close", (code) => {
            const peakKiB = sampler.stop();
            if (code !== 0) return reject(new CommandFailed(`pulumi ${args.join(" ")} (in ${cwd}): exit ${code}\n${output.slice(-4000)}`));
            resolve({ seconds: round(Number(end - start) / 1e9, 3), peakMiB: round(peakKiB / 1024, 1), resources: resourceSummary(output) });
        });
    });
}

function untimed(pulumi: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): void {
    const r = run(pulumi, args, { cwd, env });
    if (r.code !== 0) throw new CommandFailed(`pulumi ${args.join(" ")} (in ${cwd}): exit ` +
        `${r.code}\n${(r.stdout + r.stderr).slice(-4000)}`);
}

/** The program's workspace in `dir` (a generated case's stack file written first) with its stack initialised. */
function programWorkspace(e: Env, dir: string, c: RealCase): Workspace {
    if (c.generated) {
        const file = path.join(workspaceDir(dir, "eco2-tracing"), `Pulumi.${c.stack}.yaml`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, generatedStackFile(path.join(ROOT, "Pulumi.dev.yaml"), ...c.generated));
    }
    return writeWorkspace(dir, ROOT, c.stack, e.tools);
}

function plainWorkspace(e: Env, dir: string, stack: string, planFile: string): Workspace {
    const file = path.join(workspaceDir(dir, PLAIN_PROJECT), `Pulumi.${stack}.yaml`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, YAML.stringify({ config: { [`${PLAIN_PROJECT}:plan`]: planFile } }));
    return writeWorkspace(dir, PLAIN_PROJECT_DIR, stack, e.tools);
}

/** The case's plain baseline plan, from the program's mock plan of the stack file its workspace holds: the plan file and its size. */
async function prepareCase(e: Env, c: RealCase, tmp: string, log: (l: string) => void): Promise<{ planFile: string; objects: number }> {
    const dir = path.join(tmp, `${c.key}-plan`);
    const ws = programWorkspace(e, dir, c);
    const out = path.join(dir, "out");
    await measure(PROGRAM_SCRIPT, [c.stack, "--config-file", path.join(ws.dir, `Pulumi.${c.stack}.yaml`), "--out", out], ROOT);
    const plan = plainProjectPlan(fs.readFileSync(path.join(out, "manifests.yaml"), "utf8"), fs.readFileSync(path.join(out, "helm-releases.yaml"), "utf8"), ROOT);
    const planFile = path.join(tmp, `${c.key}-plain-baseline-plan.json`);
    fs.writeFileSync(planFile, JSON.stringify(plan));
    log(`bench: ${c.name}: ${plan.length} objects and releases in the plain baseline plan`);
    return { planFile, objects: plan.length };
}

/** With a traces dir, each timed command's OTLP spans (CLI, host, provider) go to `<dir>/<case>-<run>-<label>.json`. */
type Traces = (label: string) => string[];

async function oneRun(e: Env, c: RealCase, planFile: string, dir: string, traces: Traces, log: (l: string) => void): Promise<RunFigures> {
    const pulumi = e.tools.pulumi;
    const s = ["-s", c.stack, "--non-interactive"];
    const time = (label: keyof RunFigures, args: string[], cwd: string, env: NodeJS.ProcessEnv) => timed(pulumi, [...args, ...s, ...traces(label)], cwd, env);
    // The program.
    const pdir = path.join(dir, "program");
    const pws = programWorkspace(e, pdir, c);
    const penv = dirEnv(e, pdir, c);
    untimed(pulumi, ["stack", "init", c.stack, "--non-interactive"], pws.dir, penv);
    providePlatform(e.tools.kubectl, e.kubeconfig, referencedByStack(stackNames(pws.project, pws.config)), log);
    const pack = packArgs(c.stack);
    const f: Partial<RunFigures> = {};
    try {
        f.preview = await time("preview", ["preview"], pws.dir, penv);
        f.previewWithPack = await time("previewWithPack", ["preview", ...pack], pws.dir, penv);
        f.up = await time("up", ["up", "--yes"], pws.dir, penv);
        f.upNoChange = await time("upNoChange", ["up", "--yes"], pws.dir, penv);
    } finally {
        untimed(pulumi, [...DESTROY, ...s], pws.dir, destroyEnv(penv));
    }
    // The plain baseline, same cluster, after the program's objects are gone.
    const fdir = path.join(dir, "plain-baseline");
    const fws = plainWorkspace(e, fdir, c.stack, planFile);
    const fenv = dirEnv(e, fdir, c);
    untimed(pulumi, ["stack", "init", c.stack, "--non-interactive"], fws.dir, fenv);
    try {
        f.plainPreview = await time("plainPreview", ["preview"], fws.dir, fenv);
        f.plainUp = await time("plainUp", ["up", "--yes"], fws.dir, fenv);
        f.plainUpNoChange = await time("plainUpNoChange", ["up", "--yes"], fws.dir, fenv);
    } finally {
        untimed(pulumi, [...DESTROY, ...s], fws.dir, destroyEnv(fenv));
    }
    return f as RunFigures;
}

function versions(e: Env): Record<string, string> {
    const pkg = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version as string;
    return {
        pulumi: run(e.tools.pulumi, ["version"]).stdout.trim(),
        languageHost: path.basename(path.dirname(e.tools["pulumi-language-nodejs"])),
        provider: path.basename(path.dirname(e.tools["pulumi-resource-kubernetes"])),
        "@pulumi/pulumi": pkg("@pulumi/pulumi"),
        "@pulumi/kubernetes": pkg("@pulumi/kubernetes"),
        kubectl: run(e.tools.kubectl, ["version", "--client", "-o", "json"]).stdout.match(/"gitVersion":\s*"([^"]+)"/)?.[1] ?? "unknown",
    };
}

export interface RealEngineOptions {
    runs: number;
    /** Where the results go (bench/results.json); none when profiling. */
    outFile?: string;
    /** Profile: each timed command's OTLP spans in this dir. */
    tracesDir?: string;
    /** Add the runs to each case's samples already in outFile (same CLI, host, provider and SDK versions). */
    addRuns?: boolean;
}

/** A case's samples already in `outFile`, refused when measured with other versions. */
function earlierSamples(outFile: string, name: string, current: Record<string, string>): RunFigures[] {
    const existing = fs.existsSync(outFile) ? JSON.parse(fs.readFileSync(outFile, "utf8")).realEngine : undefined;
    const entry = (existing?.cases as RealEngineEntry[] | undefined)?.find((c) => c.case === name);
    if (!entry) return [];
    if (JSON.stringify(existing.versions) !== JSON.stringify(current)) throw new Error(`--add-runs: ${name} in ${outFile} was measured ` +
        `with other versions (${JSON.stringify(existing.versions)})`);
    return entry.samples;
}

/** Runs the cases and merges `realEngine` into `outFile`. */
export async function realEngine(cases: RealCase[], o: RealEngineOptions, log: (l: string) => void): Promise<RealEngineEntry[]> {
    const e = await engineEnv(log);
    if (!fs.existsSync(path.join(PACK_DIR, "node_modules"))) throw new Error("policy-pack/node_modules is missing: run `npm ci` in " +
        "policy-pack/ (or `npm run local -- preview -s dev` once)");
    if (o.tracesDir) fs.mkdirSync(o.tracesDir, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "eco2-bench-real-"));
    const started = Date.now();
    const current = versions(e);
    const entries: RealEngineEntry[] = [];
    try {
        for (const c of cases) {
            const { planFile, objects } = await prepareCase(e, c, tmp, log);
            const samples: RunFigures[] = o.addRuns && o.outFile ? [...earlierSamples(o.outFile, c.name, current)] : [];
            const first = samples.length;
            for (let i = first; i < first + o.runs; i++) {
                log(`bench: ${c.name}: run ${i + 1}/${first + o.runs} …`);
                const traces: Traces = (label) => (o.tracesDir ? ["--otel-traces", `file://${path.join(o.tracesDir, `${c.key}-${i}-${label}.json`)}`] : []);
                samples.push(await oneRun(e, c, planFile, path.join(tmp, `${c.key}-run-${i}`), traces, log));
                log(`bench: ${c.name}: run ${i + 1}: ${JSON.stringify(samples[i])}`);
            }
            entries.push({ ...summarize(c, objects, samples), measuredAt: new Date().toISOString() });
            if (o.outFile) write(o.outFile, { date: new Date().toISOString(), machine: machine(), versions: current, totalSeconds: Math.round((Date.now() - started) / 1000), cases: entries });
        }
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    return entries;
}

/** Merges into `outFile`: its other keys stay, and so do cases of an earlier real-engine run not measured now. */
function write(outFile: string, realEngine: { cases: RealEngineEntry[] } & Record<string, unknown>): void {
    const existing = fs.existsSync(outFile) ? JSON.parse(fs.readFileSync(outFile, "utf8")) : {};
    const now = new Set(realEngine.cases.map((c) => c.case));
    const kept = ((existing.realEngine?.cases ?? []) as RealEngineEntry[]).filter((c) => !now.has(c.case));
    const cases = [...kept, ...realEngine.cases];
    fs.writeFileSync(outFile, `${JSON.stringify({ ...existing, realEngine: { ...realEngine, cases, growth: growth(cases) } }, null, 2)}\n`);
}

