/**
 * The plain baseline's input: what synth wrote (manifests.yaml, helm-releases.yaml), turned into a list of plain
 * @pulumi/kubernetes registrations — the resource class for each object's type and the object itself as args.
 * Parsed here, in the bench's parent process, so the plain baseline's own time is registration only (it reads JSON).
 *
 * Each document's leading comment (`from <type> "<resource name>"`, see tools/synth/write-manifests.ts) gives the Pulumi type
 * and name synth registered it under, so the plain baseline uses the same names; a `patch (...)` prefix marks a Patch resource.
 */
import * as YAML from "yaml";

export interface PlainItem {
    /** Pulumi type token, e.g. `kubernetes:core/v1:ConfigMap`, `kubernetes:helm.sh/v3:Release`. */
    type: string;
    name: string;
    /** The constructor args: the object as written (Kubernetes objects) or the release's inputs. */
    args: Record<string, unknown>;
}

const FROM = /^\s*(?:patch \(.*?\) )?from (\S+) "(.*)"\s*$/;

/** A document's leading comment; the parser attaches the first document's to its first key. */
function leadingComment(doc: YAML.Document): string | undefined | null {
    const contents = doc.contents;
    const firstKey = YAML.isMap(contents) ? (contents.items[0]?.key as YAML.Node | undefined) : undefined;
    return doc.commentBefore ?? contents?.commentBefore ?? firstKey?.commentBefore;
}

function documents(text: string, file: string): { type: string; name: string; value: Record<string, any> }[] {
    return YAML.parseAllDocuments(text).flatMap((doc, i) => {
        if (doc.errors.length) throw new Error(`${file} document ${i + 1}: ${doc.errors[0].message}`);
        const value = doc.toJS();
        if (value === null || value === undefined) return [];
        const comment = leadingComment(doc) ?? "";
        const m = FROM.exec(comment.split("\n").pop() ?? "");
        if (!m) throw new Error(`${file} document ${i + 1}: no "from <type> \\"<name>\\"" comment (was it written by bench/program.ts ` +
            `or npm run synth?)`);
        return [{ type: m[1], name: m[2], value }];
    });
}

/** The registrations the plain baseline makes for one synth output: every object, then every release, in file order. */
export function plainBaselinePlan(manifestsYaml: string, releasesYaml: string): PlainItem[] {
    const objects = documents(manifestsYaml, "manifests.yaml").map(({ type, name, value }) => ({ type, name, args: value }));
    const releases = documents(releasesYaml, "helm-releases.yaml").map(({ type, name, value }) => ({
        type,
        name,
        args: {
            name: value.name ?? undefined,
            namespace: value.namespace ?? undefined,
            chart: value.chart ?? undefined,
            version: value.version ?? undefined,
            repositoryOpts: value.repo ? { repo: value.repo } : undefined,
            values: value.values,
        },
    }));
    return [...objects, ...releases];
}
