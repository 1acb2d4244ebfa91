/**
 * Reads the project file (`Pulumi.yaml`: name and runtime) and a `Pulumi.<stack>.yaml` the way the engine hands its config to a program: full keys (`project:key`) with
 * string values, objects and lists as JSON, and the names of secret keys. Encrypted values (`secure:`) cannot be
 * decrypted offline; they are replaced by a placeholder and still reported as secret.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { stackFileKeys, StackKeysError } from "./stack-keys";
import { parseConfig } from "../components/config";

export { StackKeysError } from "./stack-keys";

export const SECRET_PLACEHOLDER = "[secret]";

export interface StackFileConfig {
    config: Record<string, string>;
    secretKeys: string[];
}

/**
 * The file's YAML with every number JSON cannot hold (`1e999`, `.inf`, `.nan`) or not exactly (an integer beyond
 * 2^53: `99999999999999999999999` would become `1e+23`) kept as written, as a string: the config module then reports
 * the number as the user wrote it, with its range.
 */
export function parseKeepingNumbers(text: string): any {
    const doc = YAML.parseDocument(text);
    if (doc.errors.length > 0) throw doc.errors[0];
    YAML.visit(doc, {
        Scalar(_, node) {
            if (typeof node.value !== "number" || node.source === undefined) return;
            const inexact = Number.isInteger(node.value) && !Number.isSafeInteger(node.value);
            if (!Number.isFinite(node.value) || inexact) node.value = node.source;
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
    if (!fs.existsSync(file)) {
        const dir = path.dirname(file);
        const stacks = fs.existsSync(dir) ? fs.readdirSync(dir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []).sort() : [];
        throw new StackFileError(file, `no such file (stack files beside it: ${stacks.join(", ") || "none"})`);
    }
    try {
        return readStackFile(file, project.name);
    } catch (e) {
        if (e instanceof StackKeysError) throw e;
        throw new StackFileError(file, e);
    }
}

/**
 * The config module's verdict on a stack file, before anything touches a cluster: throws its ConfigError (every
 * problem, summarised), StackFileError or StackKeysError. The program judges again on the engine; this only moves
 * the failure ahead of the side effects (the platform's namespaces, a local stack). Returns the file's config.
 */
export function checkStackConfig(file: string, project: ProjectFile, stack: string): StackFileConfig {
    return judgeStackConfig(readStackConfig(file, project), project, stack);
}

/** checkStackConfig of a stack file already read. */
export function judgeStackConfig(read: StackFileConfig, project: ProjectFile, stack: string): StackFileConfig {
    const { config, secretKeys } = read;
    const prefix = `${project.name}:`;
    const own = (key: string) => key.startsWith(prefix);
    const raw = Object.fromEntries(Object.entries(config).filter(([k]) => own(k)).map(([k, v]) => [k.slice(prefix.length), v]));
    const otherKeys = Object.fromEntries(Object.entries(config).filter(([k]) => !own(k)));
    const secrets = new Set(secretKeys.filter(own).map((k) => k.slice(prefix.length)));
    parseConfig(raw, { stack, project: project.name, secretKeys: secrets, otherKeys });
    return { config, secretKeys };
}
