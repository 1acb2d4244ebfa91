/**
 * Validates Kubernetes objects against the upstream OpenAPI schemas shipped as models: kubernetes-models for the
 * built-in groups (core, apps, batch, networking.k8s.io, ...), @kubernetes-models/istio for *.istio.io (Telemetry
 * and ServiceEntry v1 among them). A kind without a model is reported as not validated, never as valid.
 *
 * Both packages are ESM-only: they are loaded with a real dynamic import (see components/mesh/models.ts).
 */
import type { HelmRelease, KubeObject } from "./write-manifests";
import { AjvError, jsonPath } from "../../components/mesh/models";

export interface SchemaIssue {
    /** JSON path inside the object, e.g. `.spec.ports[0].port`. */
    path: string;
    message: string;
}

export interface SchemaResult {
    /** `Kind namespace/name` (or `Kind name` when cluster-scoped), plus the declaring Pulumi resource. */
    subject: string;
    status: "valid" | "invalid" | "not-validated";
    issues: SchemaIssue[];
    /** Why an object was not validated, or which model validated it. */
    detail: string;
}

interface ModelClass {
    apiVersion: string;
    kind: string;
    new (data: unknown): { validate(): void };
}

export function subjectOf(o: KubeObject): string {
    const where = o.namespace ? `${o.namespace}/${o.name ?? "(unnamed)"}` : o.name ?? "(unnamed)";
    return `${o.kind} ${where} (${o.type} "${o.resourceName}")`;
}

/** The module that models `apiVersion`/`kind`, if any package here covers its group. */
export function modelModule(apiVersion: string, kind: string): string | undefined {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
    if (!/^[A-Z][A-Za-z0-9]*$/.test(kind) || !/^[a-z0-9.-]*$/.test(group) || !/^v[0-9a-z]+$/.test(version)) return undefined;
    if (group === "" || !group.includes(".") || group.endsWith(".k8s.io")) return `kubernetes-models/${apiVersion}/${kind}`;
    if (group.endsWith(".istio.io")) return `@kubernetes-models/istio/${apiVersion}/${kind}`;
    return undefined;
}

async function loadModel(specifier: string, apiVersion: string, kind: string): Promise<ModelClass | undefined> {
    let mod: Record<string, unknown>;
    try {
        mod = await import(specifier);
    } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || code === "ERR_MODULE_NOT_FOUND") return undefined;
        throw e;
    }
    const model = mod[kind] as ModelClass | undefined;
    return model && model.apiVersion === apiVersion && model.kind === kind ? model : undefined;
}

function issueOf(e: AjvError): SchemaIssue {
    const p = e.params ?? {};
    const at = e.instancePath ?? "";
    if (e.keyword === "required") return { path: jsonPath(at, String(p.missingProperty)), message: "is required" };
    if (e.keyword === "additionalProperties") return { path: jsonPath(at, String(p.additionalProperty)), message: "is not a field of this kind" };
    if (e.keyword === "enum") return { path: jsonPath(at), message: `${e.message}: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` };
    return { path: jsonPath(at), message: e.message ?? e.keyword ?? "is invalid" };
}

async function validateObject(o: KubeObject): Promise<SchemaResult> {
    const subject = subjectOf(o);
    const specifier = modelModule(o.apiVersion, o.kind);
    const model = specifier && (await loadModel(specifier, o.apiVersion, o.kind));
    if (!model) return { subject, status: "not-validated", issues: [], detail: `no schema model for ${o.apiVersion} ${o.kind}` };
    try {
        new model(o.body).validate();
        return { subject, status: "valid", issues: [], detail: specifier };
    } catch (e) {
        const errors = (e as { errors?: AjvError[] }).errors;
        if (!Array.isArray(errors)) throw e;
        // A patch is a partial object: fields it leaves out stay as they are on the cluster.
        const issues = errors.filter((err) => !(o.patch && err.keyword === "required")).map(issueOf);
        return { subject, status: issues.length ? "invalid" : "valid", issues, detail: specifier };
    }
}

function duplicates(objects: readonly KubeObject[]): Map<KubeObject, string> {
    const seen = new Map<string, KubeObject>();
    const found = new Map<KubeObject, string>();
    for (const o of objects) {
        if (o.patch || !o.name) continue;
        const key = `${o.apiVersion}|${o.kind}|${o.namespace ?? ""}|${o.name}`;
        const first = seen.get(key);
        if (first) found.set(o, `the same object is also declared by ${first.type} "${first.resourceName}"`);
        else seen.set(key, o);
    }
    return found;
}

/** A release is checked for the fields Helm needs; its values are not (the charts ship no values.schema.json). */
export const RELEASE_FIELDS = "release fields";

function validateRelease(r: HelmRelease): SchemaResult {
    const issues: SchemaIssue[] = [];
    if (!r.name) issues.push({ path: ".name", message: "is required: without it the provider names the release with a random suffix" });
    if (!r.chart) issues.push({ path: ".chart", message: "is required" });
    if (!r.version) issues.push({ path: ".version", message: "is required: pin the chart version" });
    const subject = `HelmRelease ${r.namespace ?? "(provider namespace)"}/${r.name ?? "(unnamed)"} (${r.type} "${r.resourceName}")`;
    return { subject, status: issues.length ? "invalid" : "valid", issues, detail: RELEASE_FIELDS };
}

export async function validateAll(objects: readonly KubeObject[], releases: readonly HelmRelease[]): Promise<SchemaResult[]> {
    const dups = duplicates(objects);
    const results: SchemaResult[] = [];
    for (const o of objects) {
        const result = await validateObject(o);
        const dup = dups.get(o);
        if (dup) results.push({ ...result, status: "invalid", issues: [...result.issues, { path: ".metadata.name", message: dup }] });
        else results.push(result);
    }
    return [...results, ...releases.map(validateRelease)];
}
