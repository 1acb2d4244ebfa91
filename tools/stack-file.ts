/**
 * Reads a `Pulumi.<stack>.yaml` the way the engine hands its config to a program: full keys (`project:key`) with
 * string values, objects and lists as JSON, and the names of secret keys. Encrypted values (`secure:`) cannot be
 * decrypted offline; they are replaced by a placeholder and still reported as secret.
 */
import * as fs from "fs";
import * as YAML from "yaml";

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
    const doc = parseKeepingNumbers(fs.readFileSync(file, "utf8")) ?? {};
    const raw: Record<string, unknown> = doc.config ?? {};
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(raw)) {
        const full = key.includes(":") ? key : `${project}:${key}`;
        if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            config[full] = SECRET_PLACEHOLDER;
            secretKeys.push(full);
        } else {
            config[full] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { config, secretKeys };
}
