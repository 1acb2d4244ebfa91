/**
 * The keys of a stack file, read once for every reader (tools/stack-file.ts, the local runner's workspace, synth's
 * engine run): in a project's own stack file Pulumi takes a key without a namespace (`jaeger`) as the project's
 * (`eco2-tracing:jaeger`), so both forms are normalized to the full key here and plan and deploy alike. A file that
 * writes one key in both forms, a namespace that is neither the project's nor a known provider's (`eco2-tracng:`),
 * or a top-level section Pulumi does not know (`confg:`) is a config error (exit 2), reported like the config
 * module's problems: the key, the value as written, what is allowed.
 */
import { suggest } from "../components/config/schema";
import { show } from "../components/config/primitives";
import { unknownNamespaceProblems } from "../components/config/namespaces";

/** The top-level sections of a Pulumi.<stack>.yaml. */
export const STACK_FILE_SECTIONS = ["config", "encryptedkey", "encryptionsalt", "environment", "secretsprovider"] as const;

/** A stack file's keys or sections are wrong: every problem at once, like the config module's ConfigError. */
export class StackKeysError extends Error {
    constructor(readonly file: string, readonly problems: string[]) {
        const count = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
        super(`invalid stack file ${file} (${count}):\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "StackKeysError";
    }
}

/** A key as the engine names it: without a namespace it is the project's. */
export const fullKey = (project: string, key: string): string => (key.includes(":") ? key : `${project}:${key}`);

/**
 * The config with every key in its full form; the problems (a key written in both forms) instead when there are any.
 * Secure values are kept as written, so they stay recognisable.
 */
export function normalizeKeys(project: string, config: Record<string, unknown>):
    { config: Record<string, unknown>; problems: string[] } {
    const out: Record<string, unknown> = {};
    const writtenAs = new Map<string, string>();
    const problems: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        const full = fullKey(project, key);
        const other = writtenAs.get(full);
        if (other !== undefined) {
            const [short, long] = key.includes(":") ? [other, key] : [key, other];
            problems.push(`${long} = ${show(config[long])}: also written as ${short} = ${show(config[short])}, ` +
                `the same key (Pulumi reads a key without a namespace as the project's); allowed: one of ${short} or ${long}`);
            continue;
        }
        writtenAs.set(full, key);
        out[full] = value;
    }
    return { config: out, problems };
}

/** Top-level sections of the stack file that Pulumi does not know (`confg:`: its config would be ignored). */
export function unknownSectionProblems(doc: Record<string, unknown>): string[] {
    return Object.keys(doc)
        .filter((k) => !(STACK_FILE_SECTIONS as readonly string[]).includes(k))
        .map((k) => {
            const meant = suggest(k, STACK_FILE_SECTIONS);
            return `${k} = ${show(doc[k])}: unknown section of a stack file${meant ? ` (did you mean ${meant}?)` : ""}; ` +
                `allowed: ${STACK_FILE_SECTIONS.join(", ")}`;
        });
}

/**
 * A parsed stack file's config with full keys; throws StackKeysError naming `file` for a key written in both forms,
 * an unknown namespace or an unknown section.
 */
export function stackFileKeys(file: string, project: string, doc: unknown): Record<string, unknown> {
    const d = doc && typeof doc === "object" && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
    const raw = d.config && typeof d.config === "object" && !Array.isArray(d.config) ? (d.config as Record<string, unknown>) : {};
    const { config, problems } = normalizeKeys(project, raw);
    problems.push(...unknownNamespaceProblems(project, raw), ...unknownSectionProblems(d));
    if (problems.length > 0) throw new StackKeysError(file, problems);
    return config;
}
