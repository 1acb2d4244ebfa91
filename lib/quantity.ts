/** Kubernetes resource quantities (the subset the config schema accepts), as numbers. Pure. */

const SUFFIX: Record<string, number> = {
    "": 1, m: 1e-3,
    k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/;

/** `512Mi` → 536870912, `1G` → 1e9, `2048` → 2048. Throws on anything else (the schema has rejected it already). */
export function parseQuantity(q: string): number {
    const m = QUANTITY.exec(q);
    if (!m) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(q)}`);
    return Number(m[1]) * SUFFIX[m[2] ?? ""];
}
