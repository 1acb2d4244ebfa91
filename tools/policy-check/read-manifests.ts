/**
 * Plain Kubernetes YAML (multi-document files, `kind: List`) → resources shaped like a Pulumi stack's, so the policy
 * pack can check what teams deploy with Helm or kustomize. A kind maps to the type token the Kubernetes provider
 * uses: core group → `kubernetes:core/v1:Service`, others → `kubernetes:apps/v1:Deployment`, CRDs →
 * `kubernetes:telemetry.istio.io/v1:Telemetry` (as `apiextensions.CustomResource` registers them). A ManifestResource
 * is an AnalyzedResource (analyzer.ts) that knows its file and document; it runs the other way from synth's KubeObject.
 */
import { parseAllDocuments } from "yaml";
import type { AnalyzedResource } from "./analyzer";
import { isPlainObject } from "../../components/foundation/k8s";

export class ManifestError extends Error {
    constructor(readonly file: string, readonly reason: string) {
        super(`${file}: ${reason}`);
        this.name = "ManifestError";
    }
}

export function typeToken(apiVersion: string, kind: string): string {
    const module = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    return `kubernetes:${module}:${kind}`;
}

/** Where an object came from, for output lines: `Kind/namespace/name` (`Kind/name` when it has no namespace). */
export interface ManifestResource extends AnalyzedResource {
    display: string;
    file: string;
    /** `document 2`, or `document 2 items[0]` inside a List. */
    document: string;
}

function toResource(obj: unknown, file: string, where: string, seen: Map<string, number>): ManifestResource[] {
    if (!isPlainObject(obj)) throw new ManifestError(file, `${where} is not a Kubernetes object (got ` +
        `${Array.isArray(obj) ? "a list" : typeof obj})`);
    const { apiVersion, kind } = obj;
    if (typeof apiVersion !== "string" || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) throw new ManifestError(file, `${where} has ` +
        `no valid apiVersion (${JSON.stringify(apiVersion)})`);
    if (typeof kind !== "string" || !/^[A-Za-z][A-Za-z0-9]*$/.test(kind)) throw new ManifestError(file, `${where} has no valid kind ` +
        `(${JSON.stringify(kind)})`);
    // `List` and the API's typed lists (ConfigMapList, …) carry items; a CRD kind such as IPAllowList is an object.
    if (kind === "List" || (kind.endsWith("List") && Array.isArray(obj.items))) {
        const items = obj.items;
        if (!Array.isArray(items)) throw new ManifestError(file, `${where} is a ${kind} without items`);
        return items.flatMap((item, i) => toResource(item, file, `${where} items[${i}]`, seen));
    }
    const { name, namespace } = isPlainObject(obj.metadata) ? obj.metadata : ({} as Record<string, unknown>);
    if (name === undefined || name === null || name === "") throw new ManifestError(file, `${where} (${kind}) has no metadata.name`);
    for (const [key, value] of [["name", name], ["namespace", namespace]] as const) {
        if (value !== undefined && typeof value !== "string") {
            throw new ManifestError(file, `${where} (${kind}) has metadata.${key} ${JSON.stringify(value)}; Kubernetes names are ` +
                `strings (quote it in YAML)`);
        }
    }
    const type = typeToken(apiVersion, kind);
    const id = namespace ? `${namespace}/${name}` : String(name);
    // URNs must be unique; the same object twice (e.g. two files) keeps both, numbered.
    const count = (seen.get(`${type}::${id}`) ?? 0) + 1;
    seen.set(`${type}::${id}`, count);
    const resourceName = count === 1 ? id : `${id}#${count}`;
    return [{
        type,
        name: resourceName,
        urn: `urn:pulumi:manifests::policy-check::${type}::${resourceName}`,
        props: obj,
        display: `${kind}/${id}`,
        file,
        document: where,
    }];
}

/** Parses one YAML stream; empty documents are skipped, anything else that is not an object is an error. */
export function parseManifests(text: string, file: string, seen: Map<string, number> = new Map()): ManifestResource[] {
    // The parser's own failures (e.g. an alias bomb past maxAliasCount) name no file: report them with it.
    const parserError = (where: string, e: unknown) => new ManifestError(file, `${where}: ${(e instanceof Error ? e.message : String(e)).split("\n")[0].replace(/:$/, "")}`);
    let docs: ReturnType<typeof parseAllDocuments>;
    try {
        docs = parseAllDocuments(text, { uniqueKeys: true });
    } catch (e) {
        throw parserError("not YAML", e);
    }
    const out: ManifestResource[] = [];
    docs.forEach((doc, i) => {
        const error = doc.errors[0];
        if (error) throw parserError(`document ${i + 1}`, error);
        let value: unknown;
        try {
            value = doc.toJS({ maxAliasCount: 100 });
        } catch (e) {
            throw parserError(`document ${i + 1}`, e);
        }
        if (value === null || value === undefined) return;
        out.push(...toResource(value, file, `document ${i + 1}`, seen));
    });
    return out;
}
