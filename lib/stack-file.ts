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

export function readStackFile(file: string, project: string): StackFileConfig {
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
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
