/** Plain-object helpers shared by the value builders: Helm-style merging and deterministic key order. */

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
