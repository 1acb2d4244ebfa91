/**
 * The bench's results: one entry per case with its baseline, the scaling of the program with namespaces and services,
 * the performance targets (README "Performance"), and the table printed at the end. Pure: no processes, no files.
 */
import * as os from "os";
import { median, Sample } from "./measure";

export interface Figure {
    case: string;
    /** Resources registered (program, baselines) or analyzed (policy checks). */
    resources: number;
    medianWallS: number;
    peakMiB: number;
    /** Peak of the Node processes it started (the policy pack), when any. */
    childPeakMiB?: number;
    runs: { wallS: number; peakMiB: number }[];
}

export interface CaseResult extends Figure {
    /** Kubernetes objects + Helm releases written (synth, program). */
    objects?: number;
    baseline?: Figure;
    timeRatio?: number;
    memoryRatio?: number;
    /** Median wall time minus the median of the same command over (almost) nothing. */
    beyondStartS?: number;
}

export interface Target {
    target: string;
    case: string;
    value: number;
    limit: number;
    met: boolean;
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

export function figure(name: string, resources: number, samples: readonly Sample[]): Figure {
    const children = samples.flatMap((s) => s.children.map((c) => c.peakMiB));
    return {
        case: name,
        resources,
        medianWallS: round(median(samples.map((s) => s.wallS))),
        peakMiB: round(median(samples.map((s) => s.peakMiB)), 1),
        ...(children.length ? { childPeakMiB: round(median(children), 1) } : {}),
        runs: samples.map((s) => ({ wallS: round(s.wallS), peakMiB: s.peakMiB })),
    };
}

export function withBaseline(f: Figure, baseline: Figure, extra: Partial<CaseResult> = {}): CaseResult {
    return { ...f, ...extra, baseline, timeRatio: round(f.medianWallS / baseline.medianWallS, 2), memoryRatio: round(f.peakMiB / baseline.peakMiB, 2) };
}

export function machine() {
    const cpus = os.cpus();
    return {
        cpu: cpus[0]?.model ?? "unknown",
        cpus: cpus.length,
        memoryGiB: round(os.totalmem() / 2 ** 30, 1),
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        node: process.version,
    };
}

/** Marginal cost per added unit between two cases: (t2 - t1) / (n2 - n1), in milliseconds. */
export function marginalMs(a: Figure, b: Figure, unitsA: number, unitsB: number): number {
    return round(((b.medianWallS - a.medianWallS) * 1000) / (unitsB - unitsA), 2);
}

function pad(cells: string[][]): string {
    const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => r[i].length)));
    return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")).join("\n");
}

export function table(results: readonly CaseResult[]): string {
    const s = (n: number | undefined, d = 2) => (n === undefined ? "" : n.toFixed(d));
    const rows = results.map((r) => [
        r.case,
        String(r.resources) + (r.objects !== undefined ? ` (${r.objects} obj)` : ""),
        s(r.medianWallS),
        s(r.peakMiB, 0) + (r.childPeakMiB !== undefined ? ` +${s(r.childPeakMiB, 0)}` : ""),
        r.beyondStartS !== undefined ? s(r.beyondStartS) : "",
        r.baseline?.case ?? "",
        r.baseline ? s(r.baseline.medianWallS) : "",
        r.baseline ? s(r.baseline.peakMiB, 0) : "",
        r.timeRatio !== undefined ? `${s(r.timeRatio)}×` : "",
        r.memoryRatio !== undefined ? `${s(r.memoryRatio)}×` : "",
    ]);
    return pad([["case", "resources", "median s", "peak MiB", "beyond start s", "baseline", "baseline s", "baseline MiB", "time ×", "mem ×"], ...rows]);
}
