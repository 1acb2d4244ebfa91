/**
 * Kubernetes label selectors (metav1.LabelSelector): matching a label set, and proving that one selector implies
 * another. Pure; shared by the NetworkPolicy analysis and the Service checks.
 */

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelectorRequirement {
    key: string;
    operator: string;
    values?: readonly string[];
}

export interface LabelSelector {
    matchLabels?: Labels | null;
    matchExpressions?: readonly LabelSelectorRequirement[] | null;
}

/** matchLabels and matchExpressions as one list of requirements (matchLabels k: v is `k In [v]`). */
export function requirements(selector: LabelSelector | null | undefined): LabelSelectorRequirement[] {
    const out: LabelSelectorRequirement[] = [];
    for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) out.push({ key, operator: "In", values: [String(value)] });
    for (const r of selector?.matchExpressions ?? []) out.push({ key: r.key, operator: r.operator, values: r.values ?? [] });
    return out;
}

function has(labels: Labels, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(labels, key);
}

/** Whether a label set satisfies one requirement. Unknown operators match nothing (the API server rejects them). */
function satisfies(labels: Labels, r: LabelSelectorRequirement): boolean {
    const values = r.values ?? [];
    switch (r.operator) {
        case "In":
            return has(labels, r.key) && values.includes(labels[r.key]);
        case "NotIn":
            return !has(labels, r.key) || !values.includes(labels[r.key]);
        case "Exists":
            return has(labels, r.key);
        case "DoesNotExist":
            return !has(labels, r.key);
        default:
            return false;
    }
}

/** An empty selector (`{}`) selects everything; every requirement must hold. */
export function matches(selector: LabelSelector | null | undefined, labels: Labels): boolean {
    return requirements(selector).every((r) => satisfies(labels, r));
}

/** What a selector forces about one key. */
interface KeyConstraint {
    /** The key must be present. */
    present: boolean;
    /** The key must be absent. */
    absent: boolean;
    /** Allowed values (intersection of every In), when bounded. */
    allowed?: Set<string>;
    /** Excluded values (union of every NotIn). */
    excluded: Set<string>;
}

function constraints(selector: LabelSelector | null | undefined): Map<string, KeyConstraint> {
    const out = new Map<string, KeyConstraint>();
    for (const r of requirements(selector)) {
        const c = out.get(r.key) ?? { present: false, absent: false, excluded: new Set<string>() };
        const values = r.values ?? [];
        if (r.operator === "In") {
            c.present = true;
            c.allowed = new Set(values.filter((v) => !c.allowed || c.allowed.has(v)));
        } else if (r.operator === "NotIn") {
            for (const v of values) c.excluded.add(v);
        } else if (r.operator === "Exists") {
            c.present = true;
        } else if (r.operator === "DoesNotExist") {
            c.absent = true;
        }
        out.set(r.key, c);
    }
    return out;
}

/**
 * True when every label set `narrow` selects is also selected by `broad` (so a policy with selector `broad` covers
 * all pods a policy with selector `narrow` isolates). Sound, not complete: when in doubt it answers false.
 */
export function implies(narrow: LabelSelector | null | undefined, broad: LabelSelector | null | undefined): boolean {
    const known = constraints(narrow);
    const none: KeyConstraint = { present: false, absent: false, excluded: new Set() };
    return requirements(broad).every((r) => {
        const c = known.get(r.key) ?? none;
        const values = r.values ?? [];
        // The values a selected pod can carry for this key, when the narrow selector bounds them.
        const possible = c.allowed ? [...c.allowed].filter((v) => !c.excluded.has(v)) : undefined;
        switch (r.operator) {
            case "In":
                return possible !== undefined && possible.every((v) => values.includes(v));
            case "NotIn":
                return c.absent || (possible !== undefined && possible.every((v) => !values.includes(v))) || values.every((v) => c.excluded.has(v));
            case "Exists":
                return c.present;
            case "DoesNotExist":
                return c.absent;
            default:
                return false;
        }
    });
}

/** A compact, stable rendering for messages: `{a=1, b in (x,y)}`; `{}` selects everything. */
export function describeSelector(selector: LabelSelector | null | undefined): string {
    const parts = requirements(selector).map((r) => {
        const values = [...(r.values ?? [])].sort();
        if (r.operator === "In" && values.length === 1) return `${r.key}=${values[0]}`;
        if (r.operator === "In") return `${r.key} in (${values.join(",")})`;
        if (r.operator === "NotIn") return `${r.key} notin (${values.join(",")})`;
        if (r.operator === "Exists") return r.key;
        if (r.operator === "DoesNotExist") return `!${r.key}`;
        return `${r.key} ${r.operator}`;
    });
    return `{${parts.sort().join(", ")}}`;
}

export function describeLabels(labels: Labels): string {
    return describeSelector({ matchLabels: labels });
}
