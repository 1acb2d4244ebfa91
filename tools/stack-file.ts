/**
 * Reads the project file (`Pulumi.yaml`: name and runtime) and a `Pulumi.<stack>.yaml` the way the engine hands its config to a program: full keys (`project:key`) with
 * string values, objects and lists as JSON, and the names of secret keys. Encrypted values (`secure:`) cannot be
 * decrypted offline; they are replaced by a placeholder and still reported as secret.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { stackFileKeys, StackKeysError } from "./stack-keys";

export { StackKeysError } from "./stack-keys";

export const SECRET_PLACEHOLDER = "[secret]";

export interface StackFileConfig {
    config: Record<string, string>;
    secretKeys: string[];
}

/**
 * The file's YAML with every number JSON cannot hold (`1e999`, `.inf`, `.nan`) kept as written, as a string: JSON
 * would turn it into null, and the config module then reports the number as the user wrote it, with its range.
 */
export function parseKeepingNumbers(text: string): any {
    const doc = YAML.parseDocument(text);
    if (doc.errors.length > 0) throw doc.errors[0];
    YAML.visit(doc, {
        Scalar(_, node) {
            if (typeof node.value === "number" && !Number.isFinite(node.value) && node.source !== undefined) node.value = node.source;
        },
    });
    return doc.toJS();
}

export function readStackFile(file: string, project: string): StackFileConfig {
    const raw = stackFileKeys(file, project, parseKeepingNumbers(fs.readFileSync(file, "utf8")) ?? {});
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [full, value] of Object.entries(raw)) {
        if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            config[full] = SECRET_PLACEHOLDER;
            secretKeys.push(full);
        } else {
            config[full] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { config, secretKeys };
}

export interface ProjectFile {
    name: string;
    runtime: string;
    description?: string;
}

/** The project file's name and runtime (a string or `{name, options}`). */
export function readProject(root: string): ProjectFile {
    const doc = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
    const runtime = typeof doc.runtime === "string" ? doc.runtime : doc.runtime?.name;
    if (typeof doc?.name !== "string" || typeof runtime !== "string") throw new Error(`${root}/Pulumi.yaml needs a name and a runtime`);
    return { name: doc.name, runtime, description: typeof doc.description === "string" ? doc.description : undefined };
}

/** The stack file could not be read or parsed: reported like a config error (exit 2). */
export class StackFileError extends Error {
    constructor(readonly file: string, cause: unknown) {
        super(`cannot read stack config ${file}: ${cause instanceof Error ? cause.message : String(cause)}`);
        this.name = "StackFileError";
    }
}

/** The stack file's config as the engine hands it over; throws StackFileError (a StackKeysError as it is). */
export function readStackConfig(file: string, project: ProjectFile): StackFileConfig {
    try {
        return readStackFile(file, project.name);
    } catch (e) {
        if (e instanceof StackKeysError) throw e;
        throw new StackFileError(file, e);
    }
}
