/**
 * Building blocks of the config schema (components/config/schema/): numbers as users write them, booleans, Kubernetes
 * names, labels and quantities, and strict objects whose unknown-key errors suggest the key that was meant.
 */
import { z } from "zod";
import { DNS1123_LABEL, labelKeyProblem, labelValueProblem, QUANTITY } from "../foundation/k8s";
import { HEALTH_PATH } from "../foundation/health";

// ---- numbers ---------------------------------------------------------------------------------------------------

/**
 * `pulumi config set` hands numbers over as strings, and the stack-file reader keeps numbers JSON cannot hold as
 * written (tools/stack-file.ts): decimal, exponent and YAML's `.inf`/`.nan` forms all count as numbers, so `1e999` is
 * reported as out of range rather than as not a number.
 */
const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?\s*$/i;
const YAML_SPECIAL: Record<string, number> = { ".inf": Infinity, "+.inf": Infinity, "-.inf": -Infinity, ".nan": NaN };

function toNumber(v: unknown): unknown {
    if (typeof v !== "string") return v;
    if (NUMERIC.test(v)) return Number(v);
    return YAML_SPECIAL[v.trim().toLowerCase()] ?? v;
}

export interface Range {
    min?: number;
    max?: number;
    /** Replaces "must be at least/at most …" (e.g. "must be a percentage from 0 to 100"). */
    message?: string;
}

/** A number (`whole`: an integer) within `range`; ±Infinity is out of range like any other number, NaN is none. */
function numeric(whole: boolean, range: Range) {
    const below = range.message ?? `must be at least ${range.min}`;
    const above = range.message ?? `must be at most ${range.max}`;
    const allowed = range.message?.replace(/^must be /, "") ?? [range.min !== undefined && `at least ${range.min}`, range.max !== undefined && `at most ${range.max}`].filter(Boolean).join(" and ");
    // z.number() refuses non-finite values with "not a number", and int() a whole number beyond 2^53 as not whole:
    // say what is allowed instead.
    const nonFinite = (v: unknown, ctx: z.RefinementCtx) => {
        const n = toNumber(v);
        if (typeof n !== "number" || (Number.isFinite(n) && !(whole && Number.isInteger(n) && !Number.isSafeInteger(n)))) return n;
        const bound = Number.isNaN(n) ? undefined : n > 0 ? range.max : range.min;
        const message = Number.isNaN(n) ? `is not a number${allowed ? `; allowed: ${allowed}` : ""}` : bound === undefined ? "must be a finite number" : n > 0 ? above : below;
        ctx.addIssue({ code: "custom", message });
        return n;
    };
    let inner = z.number({ error: whole ? "must be a whole number" : "must be a number (numeric strings are accepted)" });
    if (whole) inner = inner.int("must be a whole number");
    if (range.min !== undefined) inner = inner.min(range.min, below);
    if (range.max !== undefined) inner = inner.max(range.max, above);
    return z.preprocess(nonFinite, inner);
}

export const num = (range: Range = {}) => numeric(false, range);
export const int = (range: Range = {}) => numeric(true, range);
export const percentage = () => num({ min: 0, max: 100, message: "must be a percentage from 0 to 100" });
export const port = () => int({ min: 1, max: 65535, message: "must be a port number 1–65535" });

// ---- scalars ---------------------------------------------------------------------------------------------------

export const bool = () =>
    z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean({ error: "must be true or false" }));

export const dnsLabel = () =>
    z.string().max(63, "must be at most 63 characters").regex(DNS1123_LABEL, "must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)");

/** Kubernetes quantity, e.g. 512Mi, 1Gi, 250m. */
export const quantity = () => z.string().regex(QUANTITY, "must be a Kubernetes quantity such as 512Mi or 250m");

/** A Helm chart repository (Helm: http(s) index or OCI registry); a local chart goes through `jaeger.chart.path`. */
export const chartRepo = () => z.url({ protocol: /^(https?|oci)$/, error: "must be an http://, https:// or oci:// chart repository (Helm); allowed: such a URL, or jaeger.chart.path for a local chart" });

/** A health-check path (components/foundation/health.ts): one exact URL path; OTEL_PYTHON_EXCLUDED_URLS is comma-separated. */
export const healthPath = () => z.string().regex(HEALTH_PATH,
    "must be a URL path such as health or /status.json (an optional leading '/'; no query string, fragment, whitespace or ',')");

/** A labels map in Kubernetes label syntax (components/foundation/k8s.ts), which also keeps out the wildcards Istio's selector rejects. */
export const labels = () =>
    z.record(z.string(), z.string().superRefine((v, ctx) => {
        const problem = labelValueProblem(v);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    })).superRefine((l, ctx) => {
        for (const key of Object.keys(l)) {
            const problem = labelKeyProblem(key);
            if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
        }
    });

/** A workload selector: labels, at least one. */
export const selectorLabels = () => labels().refine((l) => Object.keys(l).length > 0, "needs at least one label");

// ---- objects ---------------------------------------------------------------------------------------------------

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let diag = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const up = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
            diag = up;
        }
    }
    return row[b.length];
}

/** A value as a message shows it: JSON, cut at 120 characters (a long list must not make a 9,000-character line). */
export function show(value: unknown): string {
    if (value === undefined) return "(unset)";
    const s = JSON.stringify(value);
    return s.length > 120 ? s.slice(0, 117) + "..." : s;
}

/** The closest allowed key to an unknown one, when it is close enough to be a typo. */
export function suggest(key: string, allowed: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of allowed) {
        const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) [best, bestDistance] = [candidate, d];
    }
    return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** A strict object whose unknown-key error lists what is allowed and the nearest match. */
export function strict<T extends z.ZodRawShape>(shape: T) {
    const allowed = Object.keys(shape).sort();
    return z.strictObject(shape, {
        error: (iss) => {
            if (iss.code !== "unrecognized_keys") return undefined;
            return iss.keys
                .map((k) => {
                    const hint = suggest(k, allowed);
                    return `unknown key "${k}"${hint ? ` (did you mean "${hint}"?)` : ""}; allowed: ${allowed.join(", ")}`;
                })
                .join("; ");
        },
    });
}
