/**
 * One measured run: a fresh Node process (the mock runtime is process-global), wall time taken by the parent from
 * spawn to exit, peak memory reported by every Node process of the run through the peak.ts preload.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface ProcessPeak {
    script: string;
    peakMiB: number;
}

export interface Sample {
    wallS: number;
    /** Peak RSS of the measured process itself. */
    peakMiB: number;
    /** Node processes it started (the policy pack), with their own peaks. */
    children: ProcessPeak[];
    stdout: string;
}

const PEAK_PRELOAD = path.join(__dirname, "peak.js");
const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

export class RunFailed extends Error {}

/** Runs `node <script> ...args` in `cwd`; rejects unless it exits with one of `okCodes`. */
export function measure(script: string, args: readonly string[], cwd: string, okCodes: readonly number[] = [0]): Promise<Sample> {
    const peakFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-peak-")), "peaks.jsonl");
    const env = {
        ...process.env,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${JSON.stringify(PEAK_PRELOAD)}`.trim(),
        BENCH_PEAK_FILE: peakFile,
    };
    return new Promise((resolve, reject) => {
        const start = process.hrtime.bigint();
        let end = start;
        const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.on("error", reject);
        child.on("exit", () => (end = process.hrtime.bigint()));
        child.on("close", (code, signal) => {
            const peaks = fs.existsSync(peakFile)
                ? fs.readFileSync(peakFile, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { pid: number; script: string; maxRssKiB: number })
                : [];
            fs.rmSync(path.dirname(peakFile), { recursive: true, force: true });
            const own = peaks.find((p) => p.pid === child.pid);
            if (code === null || !okCodes.includes(code) || !own) {
                const why = !own && code === 0 ? "no peak memory record (was bin/bench/peak.js built?)" : `exit ${signal ?? code}`;
                reject(new RunFailed(`node ${path.relative(cwd, script)} ${args.join(" ")}: ${why}\n${stderr.trim()}`));
                return;
            }
            resolve({
                wallS: Number(end - start) / 1e9,
                peakMiB: mib(own.maxRssKiB),
                children: peaks.filter((p) => p !== own).map((p) => ({ script: p.script, peakMiB: mib(p.maxRssKiB) })),
                stdout,
            });
        });
    });
}

export function median(values: readonly number[]): number {
    const s = [...values].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
