/**
 * The real-engine bench's cases, figures and report (pure; real-engine.ts runs them): what one run measures, the
 * results entry (medians and ratios) under `realEngine` in bench/results.json, the README table, the plain baseline's plan.
 */
import * as path from "path";
import * as YAML from "yaml";
import { median } from "./measure";
import { PlainItem, plainBaselinePlan } from "./plain-baseline-plan";

export interface RealCase {
    key: string;
    name: string;
    stack: string;
    /** [app namespaces, external services] of a generated config (on the committed dev stack file). */
    generated?: [number, number];
    /** Every command with PULUMI_SKIP_CHECKPOINTS=true: the engine writes the state once at the end instead of after
     *  every step (the file backend rewrites the whole state each time, quadratic in the stack's size). */
    skipCheckpoints?: boolean;
}

/** The case with checkpoints skipped, under a name of its own so both variants can sit in the results (pure). */
export function withoutCheckpoints(c: RealCase): RealCase {
    return { ...c, key: `${c.key}-skip-checkpoints`, name: `${c.name}, checkpoints skipped`, skipCheckpoints: true };
}

export const REAL_CASES: RealCase[] = [
    { key: "dev", name: "dev", stack: "dev" },
    { key: "prod", name: "prod", stack: "prod" },
    { key: "100", name: "100 ns + 200 svc", stack: "bench-100", generated: [100, 200] },
    { key: "300", name: "300 ns + 200 svc", stack: "bench-300", generated: [300, 200] },
    { key: "1000", name: "1000 ns + 200 svc", stack: "bench-1000", generated: [1000, 200] },
];
export const DEFAULT_CASES = ["dev", "prod", "100"];

/** One timed command. */
export interface Timed {
    seconds: number;
    peakMiB: number;
    /** The CLI's "Resources:" summary, e.g. "+ 29 to create" or "29 unchanged" (checks what the run did). */
    resources: string;
}

/** The CLI's closing "Resources:" block as one line (pure). */
export function resourceSummary(output: string): string {
    const m = /^Resources:\n((?:[ \t]+\S.*\n?)+)/m.exec(output);
    return m ? m[1].split("\n").map((l) => l.trim()).filter(Boolean).join(", ") : "";
}

/** The figures of one run of one case. */
export interface RunFigures {
    preview: Timed;
    previewWithPack: Timed;
    up: Timed;
    upNoChange: Timed;
    plainPreview: Timed;
    plainUp: Timed;
    plainUpNoChange: Timed;
}

export interface RealEngineEntry {
    case: string;
    stack: string;
    /** App namespaces and external services of a generated case. */
    generated?: [number, number];
    skipCheckpoints?: boolean;
    runs: number;
    /** Kubernetes objects (+ Helm releases) both projects register. */
    objects: number;
    previewSeconds: number;
    plainPreviewSeconds: number;
    previewWithPackSeconds: number;
    upSeconds: number;
    plainUpSeconds: number;
    upNoChangeSeconds: number;
    plainUpNoChangeSeconds: number;
    /** Largest of the medians of the per-command tree peaks (preview, up, no-change up; no pack). */
    peakMiB: number;
    plainPeakMiB: number;
    previewWithPackPeakMiB: number;
    ratios: { preview: number; up: number; upNoChange: number; memory: number; packOverhead: number };
    /** When the case was measured (a file may keep cases of earlier runs). */
    measuredAt?: string;
    /** Every run's figures, for the record. */
    samples: RunFigures[];
}

export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Medians and ratios of a case's runs (pure). */
export function summarize(c: Pick<RealCase, "name" | "stack" | "generated" | "skipCheckpoints">, objects: number, samples: RunFigures[]): RealEngineEntry {
    const med = (k: keyof RunFigures, f: "seconds" | "peakMiB") => round(median(samples.map((s) => s[k][f])), f === "seconds" ? 2 : 1);
    const peakMiB = Math.max(med("preview", "peakMiB"), med("up", "peakMiB"), med("upNoChange", "peakMiB"));
    const plainPeakMiB = Math.max(med("plainPreview", "peakMiB"), med("plainUp", "peakMiB"), med("plainUpNoChange", "peakMiB"));
    const e = {
        case: c.name,
        stack: c.stack,
        ...(c.generated ? { generated: c.generated } : {}),
        ...(c.skipCheckpoints ? { skipCheckpoints: true } : {}),
        runs: samples.length,
        objects,
        previewSeconds: med("preview", "seconds"),
        plainPreviewSeconds: med("plainPreview", "seconds"),
        previewWithPackSeconds: med("previewWithPack", "seconds"),
        upSeconds: med("up", "seconds"),
        plainUpSeconds: med("plainUp", "seconds"),
        upNoChangeSeconds: med("upNoChange", "seconds"),
        plainUpNoChangeSeconds: med("plainUpNoChange", "seconds"),
        peakMiB,
        plainPeakMiB,
        previewWithPackPeakMiB: med("previewWithPack", "peakMiB"),
    };
    return {
        ...e,
        ratios: {
            preview: round(e.previewSeconds / e.plainPreviewSeconds),
            up: round(e.upSeconds / e.plainUpSeconds),
            upNoChange: round(e.upNoChangeSeconds / e.plainUpNoChangeSeconds),
            memory: round(peakMiB / plainPeakMiB),
            packOverhead: round(e.previewWithPackSeconds / e.previewSeconds),
        },
        samples,
    };
}

/** Program and plain baseline slopes, ms per app namespace, of one timed figure between two cases. */
export interface Slope {
    program: number;
    plain: number;
    /** program / plain baseline */
    ratio: number;
}

/** Growth between two generated cases with the same external services: what each added app namespace costs. */
export interface Growth {
    between: [string, string];
    skipCheckpoints?: boolean;
    namespaces: [number, number];
    perNamespaceMs: { preview: Slope; up: Slope; upNoChange: Slope };
    /** Peak tree memory per added namespace, KiB. */
    perNamespaceKiB: Slope;
}

/** Each timed figure's program and plain baseline keys in an entry. */
const TIMED_KEYS = {
    preview: ["previewSeconds", "plainPreviewSeconds"],
    up: ["upSeconds", "plainUpSeconds"],
    upNoChange: ["upNoChangeSeconds", "plainUpNoChangeSeconds"],
} as const;

/** Consecutive pairs of the generated cases (by namespace count, same services and checkpoint mode); with three or
 *  more, linearity shows as equal slopes (pure). */
export function growth(entries: readonly RealEngineEntry[]): Growth[] {
    const sameGroup = (a: RealEngineEntry, b: RealEngineEntry) => !!a.skipCheckpoints === !!b.skipCheckpoints && a.generated![1] === b.generated![1];
    const generated = entries
        .filter((e) => e.generated)
        .sort((a, b) => Number(!!a.skipCheckpoints) - Number(!!b.skipCheckpoints) || a.generated![1] - b.generated![1] || a.generated![0] - b.generated![0]);
    const out: Growth[] = [];
    for (let i = 1; i < generated.length; i++) {
        const [a, b] = [generated[i - 1], generated[i]];
        if (!sameGroup(a, b)) continue;
        const added = b.generated![0] - a.generated![0];
        const slope = (program: number, plain: number, unit: number): Slope => {
            const [p, f] = [round((program * unit) / added, 1), round((plain * unit) / added, 1)];
            return { program: p, plain: f, ratio: round(p / f) };
        };
        const timed = (k: keyof typeof TIMED_KEYS) => {
            const [P, F] = TIMED_KEYS[k];
            return slope(b[P] - a[P], b[F] - a[F], 1000);
        };
        out.push({
            between: [a.case, b.case],
            ...(a.skipCheckpoints ? { skipCheckpoints: true } : {}),
            namespaces: [a.generated![0], b.generated![0]],
            perNamespaceMs: { preview: timed("preview"), up: timed("up"), upNoChange: timed("upNoChange") },
            perNamespaceKiB: slope(b.peakMiB - a.peakMiB, b.plainPeakMiB - a.plainPeakMiB, 1024),
        });
    }
    return out;
}

/** The README's growth rows (pure). */
export function growthTable(rows: readonly Growth[]): string {
    const cell = (s: Slope) => `${s.program} / ${s.plain} (${s.ratio}×)`;
    return [
        "| growth, per added app namespace | preview ms, program / plain baseline | up (create) ms | up (no change) ms | peak KiB |",
        "|---|---|---|---|---|",
        ...rows.map((g) => `| ${g.namespaces[0]} → ${g.namespaces[1]} ns${g.skipCheckpoints ? ", checkpoints skipped" : ""} | ` +
            `${cell(g.perNamespaceMs.preview)} | ${cell(g.perNamespaceMs.up)} | ${cell(g.perNamespaceMs.upNoChange)} | ` +
            `${cell(g.perNamespaceKiB)} |`),
    ].join("\n");
}

/** The plain baseline's plan: the plain-baseline plan of the program's mock plan, the chart given as the same local path. */
export function plainProjectPlan(manifestsYaml: string, releasesYaml: string, root: string): PlainItem[] {
    const plan = plainBaselinePlan(manifestsYaml, releasesYaml);
    const releases = YAML.parseAllDocuments(releasesYaml).map((d) => d.toJS()).filter(Boolean);
    let r = 0;
    return plan.map((item) => {
        if (item.type !== "kubernetes:helm.sh/v3:Release") return item;
        const value = releases[r++];
        if (!value?.path) return item;
        return { ...item, args: { ...item.args, chart: path.resolve(root, value.path), repositoryOpts: undefined } };
    });
}

export function selectCases(keys: readonly string[]): RealCase[] {
    return keys.map((k) => {
        const c = REAL_CASES.find((c) => c.key === k);
        if (!c) throw new Error(`unknown case ${k}: one of ${REAL_CASES.map((c) => c.key).join(", ")}`);
        return c;
    });
}

/** The README table's rows (pure). */
export function realEngineTable(entries: readonly RealEngineEntry[]): string {
    const rows = entries.map(
        (r) =>
            `| ${r.case} | ${r.objects} | ${r.previewSeconds} / ${r.plainPreviewSeconds} (${r.ratios.preview}×) | ${r.upSeconds} / ` +
                `${r.plainUpSeconds} (${r.ratios.up}×) | ${r.upNoChangeSeconds} / ${r.plainUpNoChangeSeconds} (${r.ratios.upNoChange}×) ` +
                `| ${r.peakMiB} / ${r.plainPeakMiB} (${r.ratios.memory}×) | ${r.previewWithPackSeconds} (${r.ratios.packOverhead}×), ` +
                `${r.previewWithPackPeakMiB} MiB |`,
    );
    return [
        "| case | objects | preview s, program / plain baseline | up (create) s | up (no change) s | peak MiB (tree) | preview with " +
            "pack s (× without) |",
        "|---|---|---|---|---|---|---|",
        ...rows,
    ].join("\n");
}
