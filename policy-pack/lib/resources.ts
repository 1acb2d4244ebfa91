/**
 * Reading Kubernetes resources as the policy engine hands them over: a Pulumi type token and the object (inputs for
 * resource validation, outputs for stack validation). Works the same for objects rendered from plain YAML.
 */

/** The part of a PolicyResource / ResourceValidationArgs these policies read. */
export interface ResourceLike {
    type: string;
    name: string;
    urn: string;
    props: Record<string, any>;
    provider?: { props: Record<string, any> };
}

export interface TypeInfo {
    /** API group; "" for the core group. */
    group: string;
    version: string;
    kind: string;
}

/**
 * `kubernetes:core/v1:Service` → {group: "", version: "v1", kind: "Service"};
 * `kubernetes:telemetry.istio.io/v1:Telemetry` (a CustomResource) → {group: "telemetry.istio.io", ...}.
 */
export function parseType(type: string): TypeInfo | undefined {
    const m = /^kubernetes:([^/:]+)\/([^/:]+):([A-Za-z0-9]+)$/.exec(type);
    if (!m) return undefined;
    return { group: m[1] === "core" ? "" : m[1], version: m[2], kind: m[3] };
}

/** Same group and kind, any version (Istio serves v1, v1beta1 and v1alpha* of the same objects). */
export function isKind(type: string, group: string, kind: string): boolean {
    const t = parseType(type);
    return t !== undefined && t.group === group && t.kind === kind;
}

export function isRecord(value: unknown): value is Record<string, any> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asArray<T = any>(value: unknown): T[] {
    return Array.isArray(value) ? (value as T[]) : [];
}

/** Labels as strings (YAML may carry numbers or booleans; the API server would reject them, we just compare). */
export function stringMap(value: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (!isRecord(value)) return out;
    for (const key of Object.keys(value).sort()) out[key] = String(value[key]);
    return out;
}

export function metadataName(r: ResourceLike): string {
    const name = r.props.metadata?.name;
    return typeof name === "string" && name.length > 0 ? name : r.name;
}

/**
 * The namespace a namespaced object lands in: its own, else the provider's default namespace, else "default"
 * (what the Kubernetes provider and kubectl use).
 */
export function namespaceOf(r: ResourceLike): string {
    const own = r.props.metadata?.namespace;
    if (typeof own === "string" && own.length > 0) return own;
    const fromProvider = r.provider?.props?.namespace;
    return typeof fromProvider === "string" && fromProvider.length > 0 ? fromProvider : "default";
}

export function labelsOf(r: ResourceLike): Record<string, string> {
    return stringMap(r.props.metadata?.labels);
}

/** `Kind namespace/name` (or `Kind name` for cluster-scoped kinds) for messages. */
export function describe(r: ResourceLike, namespaced = true): string {
    const kind = parseType(r.type)?.kind ?? r.type;
    return namespaced ? `${kind} ${namespaceOf(r)}/${metadataName(r)}` : `${kind} ${metadataName(r)}`;
}

/** Kinds that run pods, with where their pod template lives. */
const WORKLOADS: Record<string, (props: Record<string, any>) => unknown> = {
    "apps/Deployment": (p) => p.spec?.template,
    "apps/StatefulSet": (p) => p.spec?.template,
    "apps/DaemonSet": (p) => p.spec?.template,
    "apps/ReplicaSet": (p) => p.spec?.template,
    "batch/Job": (p) => p.spec?.template,
    "batch/CronJob": (p) => p.spec?.jobTemplate?.spec?.template,
    "/Pod": (p) => p,
};

export function isWorkload(type: string): boolean {
    const t = parseType(type);
    return t !== undefined && `${t.group}/${t.kind}` in WORKLOADS;
}

export interface PodTemplate {
    labels: Record<string, string>;
    spec: Record<string, any>;
}

export function podTemplate(r: ResourceLike): PodTemplate | undefined {
    const t = parseType(r.type);
    const find = t && WORKLOADS[`${t.group}/${t.kind}`];
    const template = find ? find(r.props) : undefined;
    if (!isRecord(template)) return undefined;
    return { labels: stringMap(template.metadata?.labels), spec: isRecord(template.spec) ? template.spec : {} };
}

/** Every (key, value) of `subset` is in `labels`. */
export function hasLabels(labels: Readonly<Record<string, string>>, subset: Readonly<Record<string, string>>): boolean {
    return Object.entries(subset).every(([k, v]) => labels[k] === v);
}
