/**
 * Kubernetes syntax, pure: names and labels (and the label every object this program creates carries), resource
 * quantities, and plain-object helpers with Helm's merge semantics and deterministic key order.
 */

/** A DNS-1123 label: namespace, Service and port names, host name parts (at most 63 characters, checked apart). */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A label key: optional DNS-subdomain prefix and `/`, then a name (also keeps out selector wildcards). */
export const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** A label value (may be empty; at most 63 characters, checked apart). */
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Why a string is not a label key (Kubernetes: prefix at most 253, name at most 63), or undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
    const slash = key.indexOf("/");
    if (LABEL_KEY.test(key) && slash <= 253 && key.length - slash - 1 <= 63) return undefined;
    return `"${key}" is not a label key (Kubernetes); allowed: [DNS prefix (at most 253)/]name (at most 63: alphanumerics, '-', '_', '.')`;
}

/** Why a value is not a label value (Kubernetes), or undefined when it is one. */
export function labelValueProblem(value: unknown): string | undefined {
    if (typeof value === "string" && value.length <= 63 && LABEL_VALUE.test(value)) return undefined;
    return "must be a label value (Kubernetes: at most 63 characters, alphanumerics, '-', '_', '.', starting and ending with an " +
        "alphanumeric)";
}

/** Carried by every object this program creates, so `kubectl get -l` finds the tracing plane. */
export const PART_OF = Object.freeze({ "app.kubernetes.io/part-of": "eco2-tracing" });

// Resource quantities (the subset the config schema accepts), as numbers.

const SUFFIX: Record<string, number> = {
    "": 1, m: 1e-3,
    k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
/** A resource quantity: a decimal number and an optional suffix (the subset the config schema accepts). */
export const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/;

/** `512Mi` → 536870912, `1G` → 1e9, `2048` → 2048. Throws on anything else (the schema has rejected it already). */
export function parseQuantity(q: string): number {
    const m = QUANTITY.exec(q);
    if (!m) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(q)}`);
    return Number(m[1]) * SUFFIX[m[2] ?? ""];
}

// Plain objects: Helm-style merging and deterministic key order.

export type Values = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Values {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Helm's merge semantics (values files over chart defaults): maps merge recursively, arrays and scalars replace,
 * `null` removes the key. Never mutates its arguments. */
export function deepMerge(base: Values, override: Values): Values {
    const out: Values = { ...base };
    for (const [key, value] of Object.entries(override)) {
        if (value === null) delete out[key];
        else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = deepMerge(out[key] as Values, value);
        else out[key] = value;
    }
    return out;
}

/** A copy with map keys sorted at every level and undefined entries dropped; arrays keep their order. */
export function sortKeys<T>(value: T): T {
    if (Array.isArray(value)) return value.map(sortKeys) as T;
    if (!isPlainObject(value)) return value;
    const out: Values = {};
    for (const key of Object.keys(value).sort()) if (value[key] !== undefined) out[key] = sortKeys(value[key]);
    return out as T;
}

/** A deep copy of JSON-shaped data (config, specs, policy properties); undefined stays undefined. */
export function clone<T>(value: T): T {
    return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
