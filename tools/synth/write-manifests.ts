/**
 * Turns the resources a stack registers into what a cluster would receive: Kubernetes objects (manifests.yaml) and
 * Helm installs (helm-releases.yaml). Pure functions over the recorded inputs; nothing here talks to Pulumi.
 *
 * Values arrive as the SDK serialized them: secrets as `{<sig>: <secret sig>, value}` wrappers, unknowns as the
 * SDK's Unknown marker, keys starting with `__` for the engine's bookkeeping. `plain()` removes all of that so the
 * written files contain only Kubernetes fields, and redacts secrets on the way out. A KubeObject is one Kubernetes
 * object of a plan, rendered from a MockPlanResource here or read back from the engine (engine-plan.ts); its ObjectRef
 * fields name the resource that declared it.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import type { MockPlanResource } from "../mock-plan";

/** rpc.specialSigKey / rpc.specialSecretSig of the Pulumi wire format. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const REDACTED = "[redacted secret]";
export const COMPUTED = "[computed at deploy time]";

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const HELM_CHART_V4 = "kubernetes:helm.sh/v4:Chart";

export interface ObjectRef {
    /** The Pulumi resource that declares it. */
    type: string;
    resourceName: string;
    urn: string;
}

export interface KubeObject extends ObjectRef {
    apiVersion: string;
    kind: string;
    namespace?: string;
    name?: string;
    /** A `...Patch` resource: a partial object applied server-side over an existing one. */
    patch: boolean;
    /** The object with secrets in clear text, for schema validation only. */
    body: Record<string, unknown>;
    /** The object as written to manifests.yaml. */
    redacted: Record<string, unknown>;
}

export interface HelmRelease extends ObjectRef {
    name: string | null;
    namespace: string | null;
    repo: string | null;
    /** A local chart (directory or archive), relative to the project; `chart` is then its name. */
    path: string | null;
    chart: string | null;
    version: string | null;
    values: Record<string, unknown>;
}

export interface Unrendered extends ObjectRef {
    reason: string;
}

export interface StackObjects {
    objects: KubeObject[];
    releases: HelmRelease[];
    /** Kubernetes resources this offline run cannot expand into objects (never silently dropped). */
    unrendered: Unrendered[];
}

export function isSecretWrapper(value: unknown): value is { value: unknown } {
    return !!value && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** JSON-like copy of an SDK value: secrets unwrapped (or redacted), unknowns marked, internal keys dropped. */
export function plain(value: unknown, redactSecrets: boolean, at = "$"): unknown {
    if (isSecretWrapper(value)) return redactSecrets ? REDACTED : plain(value.value, redactSecrets, at);
    if (pulumi.isUnknown(value)) return COMPUTED;
    if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
    if (Array.isArray(value)) return value.filter((v) => v !== undefined).map((v, i) => plain(v, redactSecrets, `${at}[${i}]`));
    if (pulumi.Resource.isInstance(value) || pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) {
        throw new Error(`${at}: resource references, assets and archives cannot be written as Kubernetes fields`);
    }
    if (typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            if (v === undefined || k.startsWith("__")) continue;
            out[k] = plain(v, redactSecrets, `${at}.${k}`);
        }
        return out;
    }
    throw new Error(`${at}: unexpected ${typeof value} value`);
}

function str(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/**
 * Secret `data`/`stringData` are sensitive whether or not the program marked them secret; keep their keys (from
 * the clear-text body) so the file still shows the Secret's shape.
 */
export function redactSecretData(redacted: Record<string, unknown>, body: Record<string, unknown>): Record<string, unknown> {
    if (body.kind !== "Secret" || body.apiVersion !== "v1") return redacted;
    const out = { ...redacted };
    for (const field of ["data", "stringData"]) {
        const data = body[field];
        if (data && typeof data === "object" && !Array.isArray(data)) out[field] = Object.fromEntries(Object.keys(data).map((k) => [k, REDACTED]));
        else if (data !== undefined) out[field] = REDACTED;
    }
    return out;
}

/**
 * A Helm install as written to helm-releases.yaml, or undefined for other resources. A `chart` that is a file path
 * (how the program passes `jaeger.chart.path`) becomes `path`, relative to `root`, and the chart's name is read from
 * Helm's archive naming (`<name>-<version>.tgz`), so the file does not depend on where the clone lives.
 */
export function helmRelease(r: { type: string; name: string; inputs: Record<string, any> }, ref: ObjectRef, root: string): HelmRelease | undefined {
    if (r.type !== HELM_RELEASE && r.type !== HELM_CHART_V4) return undefined;
    const repositoryOpts = plain(r.inputs.repositoryOpts ?? {}, true) as Record<string, unknown>;
    const name = str(plain(r.inputs.name ?? null, true)) ?? (r.type === HELM_CHART_V4 ? r.name : null);
    const version = str(plain(r.inputs.version ?? null, true)) ?? null;
    const chart = str(plain(r.inputs.chart ?? null, true)) ?? null;
    const isPath = !!chart && (path.isAbsolute(chart) || chart.startsWith("."));
    const archive = isPath ? path.basename(chart!) : "";
    const suffix = `-${version}.tgz`;
    return {
        ...ref,
        name,
        namespace: str(plain(r.inputs.namespace ?? null, true)) ?? null,
        repo: str(repositoryOpts.repo) ?? null,
        path: isPath ? path.relative(root, path.resolve(root, chart!)) : null,
        chart: isPath ? (archive.endsWith(suffix) ? archive.slice(0, -suffix.length) : archive) : chart,
        version,
        values: (plain(r.inputs.values ?? {}, true) as Record<string, unknown>) ?? {},
    };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The order of manifests.yaml: kind, namespace, name, then the declaring resource. */
export function sortObjects(objects: KubeObject[]): KubeObject[] {
    return objects.sort((a, b) => cmp(a.kind, b.kind) || cmp(a.namespace ?? "", b.namespace ?? "") || cmp(a.name ?? "", b.name ?? "") || cmp(a.type, b.type) || cmp(a.resourceName, b.resourceName));
}

export function stackObjects(resources: readonly MockPlanResource[], root = process.cwd()): StackObjects {
    const objects: KubeObject[] = [];
    const releases: HelmRelease[] = [];
    const unrendered: Unrendered[] = [];
    // Components expanded in this process (the SDK's v1 ConfigFile, Chart v3, ...) registered their objects as
    // children; only those the provider expands at deploy time (yaml/v2, kustomize/v2) have none here.
    const parents = new Set(resources.map((r) => r.parentUrn));
    for (const r of resources) {
        if (!r.type.startsWith("kubernetes:")) continue; // the stack, providers, our own components
        const ref: ObjectRef = { type: r.type, resourceName: r.name, urn: r.urn };
        const release = helmRelease(r, ref, root);
        if (release) {
            releases.push(release);
            continue;
        }
        const apiVersion = str(r.inputs.apiVersion);
        const kind = str(r.inputs.kind);
        if (!r.custom && parents.has(r.urn)) continue;
        if (!r.custom || !apiVersion || !kind) {
            unrendered.push({ ...ref, reason: r.custom ? "no apiVersion/kind in its inputs" : "a component the provider expands at deploy time (its objects are not known offline)" });
            continue;
        }
        const body = plain(r.inputs, false) as Record<string, unknown>;
        const metadata = (body.metadata ?? {}) as Record<string, unknown>;
        objects.push({
            ...ref,
            apiVersion,
            kind,
            namespace: str(metadata.namespace),
            name: str(metadata.name),
            patch: r.type.endsWith("Patch") && !kind.endsWith("Patch"),
            body,
            redacted: redactSecretData(plain(r.inputs, true) as Record<string, unknown>, body),
        });
    }
    sortObjects(objects);
    sortReleases(releases);
    unrendered.sort((a, b) => cmp(a.type, b.type) || cmp(a.resourceName, b.resourceName));
    return { objects, releases, unrendered };
}

export function sortReleases(releases: HelmRelease[]): HelmRelease[] {
    return releases.sort((a, b) => cmp(a.namespace ?? "", b.namespace ?? "") || cmp(a.name ?? "", b.name ?? "") || cmp(a.resourceName, b.resourceName));
}

function documents(items: { value: unknown; comment: string }[]): string {
    return items
        .map(({ value, comment }) => {
            const doc = new YAML.Document(value, { sortMapEntries: true });
            // On the top node rather than the document, so no blank line separates it from the object.
            (doc.contents as YAML.Node).commentBefore = ` ${comment}`;
            return doc.toString({ lineWidth: 0 });
        })
        .join("---\n");
}

export function renderManifests(objects: readonly KubeObject[]): string {
    return documents(objects.map((o) => ({
        value: o.redacted,
        comment: `${o.patch ? "patch (server-side apply onto an existing object) " : ""}from ${o.type} "${o.resourceName}"`,
    })));
}

export function renderHelmReleases(releases: readonly HelmRelease[]): string {
    return documents(releases.map((r) => ({
        value: { name: r.name, namespace: r.namespace, ...(r.path ? { path: r.path } : { repo: r.repo }), chart: r.chart, version: r.version, values: r.values },
        comment: `from ${r.type} "${r.resourceName}"`,
    })));
}
