/**
 * npm run bench [-- --runs N] [--only REGEX]
 * npm run bench -- --real-engine [--cases dev,prod,100] [--runs 3]   (the real CLI on the embedded cluster: real-engine.ts)
 * npm run bench -- --tier   (the router tier against tail-sampling Jaeger, real processes: tier.ts)
 *
 * Program cost at fleet scale, every figure a fresh process on this machine, median of several runs,
 * peak RSS per process (bench/peak.ts):
 * - SDK baseline: load @pulumi/pulumi and @pulumi/kubernetes, register one resource under the mock runtime;
 * - per config (dev, prod, generated fleets): the program under the mock runtime writing its plan
 *   (bench/program.ts), and plain baseline — the same objects as plain @pulumi/kubernetes resources;
 * - `npm run policy:check` over 0 / 1,000 / 10,000 fleet objects as YAML.
 * `npm run synth` now runs on the real engine (toolchain); its figures, and the engine's policy run, are not
 * measured here yet (the hand-written gRPC analyzer client they were compared with is gone).
 * Runs of one case are interleaved (A B C, A B C, …) so drift hits every figure alike; one untimed warm-up run
 * fills the file cache first. Prints a table; writes bench/results.json.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { fleetObjects, generatedStackFile, manifestYaml } from "./fixtures";
import { plainBaselinePlan } from "./plain-baseline-plan";
import { measure, Sample } from "./measure";
import { DEFAULT_CASES, growth, growthTable, realEngine, realEngineTable, selectCases, withoutCheckpoints } from "./real-engine";
import { tierBench } from "./tier";
import { CaseResult, Figure, figure, machine, marginalMs, table, Target, withBaseline } from "./report";
import { callerPath, CommandIO, PROCESS_IO, runWhenMain, shownPath } from "../toolchain/kit/command";
import { PROJECT_DIR } from "../toolchain/kit/paths";

const ROOT = PROJECT_DIR;
const BIN = path.join(ROOT, "bin");
const SCRIPT = {
    check: path.join(BIN, "tools", "policy-check", "main.js"),
    program: path.join(BIN, "bench", "program.js"),
    sdkBaseline: path.join(BIN, "bench", "sdk-baseline.js"),
    plainBaseline: path.join(BIN, "bench", "plain-baseline.js"),
};

interface ConfigCase {
    name: string;
    stack: string;
    /** [app namespaces, external services] of a generated config; the committed stack file otherwise. */
    generated?: [number, number];
    runs: number;
}

const CONFIGS: ConfigCase[] = [
    { name: "dev", stack: "dev", runs: 5 },
    { name: "prod", stack: "prod", runs: 5 },
    { name: "10 ns + 200 svc", stack: "fleet-10", generated: [10, 200], runs: 5 },
    { name: "100 ns + 200 svc", stack: "fleet-100", generated: [100, 200], runs: 5 },
    { name: "1000 ns + 200 svc", stack: "fleet-1000", generated: [1000, 200], runs: 3 },
    { name: "10 ns + 1000 svc", stack: "fleet-10-svc", generated: [10, 1000], runs: 3 },
];
const CHECK_SIZES: { objects: number; runs: number }[] = [{ objects: 0, runs: 5 }, { objects: 1000, runs: 5 }, { objects: 10000, runs: 3 }];

const log = (line: string) => process.stderr.write(`${line}\n`);
const json = <T>(s: Sample): T => JSON.parse(s.stdout.trim().split("\n").pop()!) as T;

/** Interleaved runs of several commands; returns each command's samples. */
async function series<K extends string>(runs: number, commands: Record<K, () => Promise<Sample>>): Promise<Record<K, Sample[]>> {
    const out = Object.fromEntries(Object.keys(commands).map((k) => [k, [] as Sample[]])) as Record<K, Sample[]>;
    for (let i = 0; i < runs; i++) for (const k of Object.keys(commands) as K[]) out[k].push(await commands[k]());
    return out;
}

async function configCase(c: ConfigCase, runs: number, tmp: string): Promise<CaseResult[]> {
    const dir = path.join(tmp, c.stack);
    fs.mkdirSync(dir, { recursive: true });
    let configFile = path.join(ROOT, `Pulumi.${c.stack}.yaml`);
    if (c.generated) {
        configFile = path.join(dir, `Pulumi.${c.stack}.yaml`);
        fs.writeFileSync(configFile, generatedStackFile(path.join(ROOT, "Pulumi.dev.yaml"), ...c.generated));
    }
    const programOut = path.join(dir, "program");
    const program = () => measure(SCRIPT.program, [c.stack, "--config-file", configFile, "--out", programOut], ROOT);

    // Plain baseline registers what the program wrote: a first program run produces it (and counts as the first sample).
    const first = await program();
    const { registered, objects, releases } = json<{ registered: number; objects: number; releases: number }>(first);
    const plan = plainBaselinePlan(fs.readFileSync(path.join(programOut, "manifests.yaml"), "utf8"), fs.readFileSync(path.join(programOut, "helm-releases.yaml"), "utf8"));
    assert.strictEqual(plan.length, objects + releases, `${c.name}: plain baseline plan vs the program's objects + releases`);
    const planFile = path.join(dir, "plain-baseline.json");
    fs.writeFileSync(planFile, JSON.stringify(plan));
    const plainBaseline = () => measure(SCRIPT.plainBaseline, [planFile], ROOT);

    const s: Record<"program" | "plainBaseline", Sample[]> = { program: [first], plainBaseline: [] };
    for (let i = 0; i < runs; i++) {
        if (i > 0) s.program.push(await program());
        s.plainBaseline.push(await plainBaseline());
    }
    for (const run of s.plainBaseline) assert.strictEqual(json<{ registered: number }>(run).registered, objects + releases, `${c.name}: ` +
        `plain baseline registered count`);
    for (const run of s.program) assert.deepStrictEqual(json(run), { registered, objects, releases, unrendered: 0 }, `${c.name}: ` +
        `program counts differ between runs`);

    const baseline = figure(`plain baseline ${c.name}`, objects + releases, s.plainBaseline);
    return [withBaseline(figure(`program ${c.name}`, registered, s.program), baseline, { objects: objects + releases })];
}

async function checkCases(runsFor: (n: number) => number, tmp: string): Promise<CaseResult[]> {
    const results: CaseResult[] = [];
    let checkStart: Figure | undefined;
    for (const { objects, runs } of CHECK_SIZES) {
        const fleet = objects === 0 ? [] : fleetObjects(objects);
        const yamlFile = path.join(tmp, `fleet-${objects}.yaml`);
        fs.writeFileSync(yamlFile, manifestYaml(fleet));
        const s = await series(runsFor(runs), { check: () => measure(SCRIPT.check, [yamlFile], ROOT) });
        const label = objects === 0 ? "process start (0 objects)" : `${objects.toLocaleString("en")} objects`;
        const check = figure(`policy:check ${label}`, fleet.length, s.check);
        checkStart ??= check;
        results.push({ ...check, ...(objects ? { beyondStartS: Math.round((check.medianWallS - checkStart.medianWallS) * 1000) / 1000 } : {}) });
    }
    return results;
}

const USAGE = [
    "usage: npm run bench -- [--runs N] [--only REGEX]   (writes bench/results.json)",
    `       npm run bench -- --real-engine [--cases ${DEFAULT_CASES.join(",")}] [--runs 3]   (cases: dev, prod, 100, 300, 1000; writes ` +
        `its key realEngine)`,
    "       npm run bench -- --tier   (router tier vs tail-sampling Jaeger, real processes on loopback; writes its key tier)",
    "       npm run bench -- --real-engine --skip-checkpoints [--cases …]   (every command with PULUMI_SKIP_CHECKPOINTS=true: cases " +
        "named \"…, checkpoints skipped\")",
    "       npm run bench -- --real-engine --add-runs --runs N [--cases …]   (N more runs added to each case's recorded samples; same " +
        "versions only)",
    "       npm run bench -- --real-engine --traces DIR [--cases …] [--runs 1]   (profile: each command's engine, host and provider " +
        "spans as OTLP JSON in DIR; results not written)",
].join("\n");

export async function main(argv: string[], io: CommandIO = PROCESS_IO): Promise<number> {
    const { values } = parseArgs({ args: argv, options: { runs: { type: "string" }, only: { type: "string" }, "real-engine": { type: "boolean" }, cases: { type: "string" }, traces: { type: "string" }, "skip-checkpoints": { type: "boolean" }, "add-runs": { type: "boolean" }, tier: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
    if (values.help) {
        io.out(USAGE);
        return 0;
    }
    const runsOverride = values.runs === undefined ? undefined : Number(values.runs);
    if (runsOverride !== undefined && !(Number.isInteger(runsOverride) && runsOverride > 0)) throw new Error(`--runs must be a positive ` +
        `whole number, got ${values.runs}`);
    const runsFor = (n: number) => runsOverride ?? n;
    const outFile = path.join(ROOT, "bench", "results.json");
    const previous = fs.existsSync(outFile) ? JSON.parse(fs.readFileSync(outFile, "utf8")) : {};
    if (values.tier) {
        const tier = await tierBench(log);
        fs.writeFileSync(outFile, `${JSON.stringify({ ...previous, tier }, null, 2)}\n`);
        process.stdout.write(`${JSON.stringify(tier, null, 2)}\nwrote ${shownPath(outFile)} (tier)\n`);
        return 0;
    }
    if (values["real-engine"]) {
        const selected = selectCases(values.cases ? values.cases.split(",").map((k) => k.trim()) : DEFAULT_CASES);
        const cases = values["skip-checkpoints"] ? selected.map(withoutCheckpoints) : selected;
        // Traced runs are slower (every gRPC call is a span): a profile, never figures to keep.
        const traces = values.traces === undefined ? undefined : path.resolve(callerPath(values.traces));
        if (values["add-runs"] && (traces || values.runs === undefined)) throw new Error("--add-runs needs --runs N and no --traces");
        const entries = await realEngine(cases, { runs: runsFor(traces ? 1 : 3), outFile: traces ? undefined : outFile, tracesDir: traces, addRuns: values["add-runs"] }, log);
        const grown = growth(entries);
        process.stdout.write(`\n${realEngineTable(entries)}\n\n${grown.length ? `${growthTable(grown)}\n\n` : ""}${traces ? `traces in ${shownPath(traces)} (results not written)` : `wrote ${shownPath(outFile)} (realEngine)`}\n`);
        return 0;
    }
    if (values.cases || values.traces || values["skip-checkpoints"] || values["add-runs"]) throw new Error("--cases, --traces, " +
        "--skip-checkpoints and --add-runs go with --real-engine");
    const only = values.only ? new RegExp(values.only) : undefined;
    const wanted = (name: string) => !only || only.test(name);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "eco2-bench-"));
    const started = Date.now();
    const results: CaseResult[] = [];
    try {
        await measure(SCRIPT.sdkBaseline, [], ROOT); // warm-up, untimed
        if (wanted("SDK baseline")) {
            const s = await series(runsFor(5), { sdkBaseline: () => measure(SCRIPT.sdkBaseline, [], ROOT) });
            results.push(figure("SDK baseline (SDK load + 1 resource)", 1, s.sdkBaseline));
        }
        for (const c of CONFIGS.filter((c) => wanted(c.name))) {
            log(`bench: ${c.name} …`);
            results.push(...(await configCase(c, runsFor(c.runs), tmp)));
        }
        if (wanted("policy:check")) {
            log("bench: policy:check …");
            results.push(...(await checkCases(runsFor, tmp)));
        }
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }

    const byName = new Map(results.map((r) => [r.case, r]));
    const get = (name: string) => byName.get(name);
    const scaling: Record<string, number> = {};
    const ns = [10, 100, 1000].map((n) => get(`program ${n} ns + 200 svc`));
    if (ns.every(Boolean)) {
        const [a, b, c] = ns as CaseResult[];
        Object.assign(scaling, {
            "program ms per namespace, 10→100": marginalMs(a, b, 10, 100),
            "program ms per namespace, 100→1000": marginalMs(b, c, 100, 1000),
            "plain baseline ms per namespace, 10→100": marginalMs(a.baseline!, b.baseline!, 10, 100),
            "plain baseline ms per namespace, 100→1000": marginalMs(b.baseline!, c.baseline!, 100, 1000),
        });
    }
    const [s200, s1000] = [get("program 10 ns + 200 svc"), get("program 10 ns + 1000 svc")];
    if (s200 && s1000) {
        scaling["program ms per service, 200→1000"] = marginalMs(s200, s1000, 200, 1000);
        scaling["plain baseline ms per service, 200→1000"] = marginalMs(s200.baseline!, s1000.baseline!, 200, 1000);
    }
    const targets: Target[] = [];
    for (const r of results.filter((r) => r.case.startsWith("program "))) {
        targets.push({ target: "program time ≤ 1.25× plain baseline", case: r.case, value: r.timeRatio!, limit: 1.25, met: r.timeRatio! <= 1.25 });
        targets.push({ target: "program peak memory ≤ 1.25× plain baseline", case: r.case, value: r.memoryRatio!, limit: 1.25, met: r.memoryRatio! <= 1.25 });
    }

    const report = { date: new Date().toISOString(), machine: machine(), totalSeconds: Math.round((Date.now() - started) / 1000), results, scaling, targets };
    // The real-engine and tier figures (--real-engine, --tier) are kept.
    const kept = { ...(previous.realEngine ? { realEngine: previous.realEngine } : {}), ...(previous.tier ? { tier: previous.tier } : {}) };
    fs.writeFileSync(outFile, `${JSON.stringify({ ...report, ...kept }, null, 2)}\n`);
    const m = report.machine;
    process.stdout.write(`\n${m.cpu} × ${m.cpus}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; ${report.totalSeconds} s in all\n\n`);
    process.stdout.write(`${table(results)}\n\n`);
    process.stdout.write("program = the program under the mock runtime writing its plan, compared with the plain baseline.\n");
    for (const [k, v] of Object.entries(scaling)) process.stdout.write(`${k}: ${v}\n`);
    for (const t of targets) process.stdout.write(`${t.met ? "met   " : "MISSED"} ${t.target}: ${t.case} = ${t.value}\n`);
    process.stdout.write(`\nwrote ${shownPath(outFile)}\n`);
    return 0;
}

runWhenMain(module, "bench", main);
