/**
 * Keys of other namespaces: a stack file may configure the providers and the engine besides the project, but a key
 * under any other namespace is a misspelling (`eco2-tracng:sampling`) that Pulumi would silently ignore. The program
 * (with the engine's keys) and the offline tools (with the stack file's) report it with the same words.
 */
import { suggest, TOP_LEVEL_KEYS } from "./schema";
import { show } from "./primitives";

/** Namespaces of the providers and the engine a stack file may configure besides the project's own. */
export const PROVIDER_NAMESPACES = ["kubernetes", "pulumi"] as const;

/** Keys under a namespace that is neither the project's nor a provider's, with the project key that was meant. */
export function unknownNamespaceProblems(project: string, config: Record<string, unknown>): string[] {
    const allowed = [project, ...PROVIDER_NAMESPACES];
    const problems: string[] = [];
    for (const key of Object.keys(config).sort()) {
        if (!key.includes(":")) continue;
        const [namespace, ...rest] = key.split(":");
        if (allowed.includes(namespace)) continue;
        const meant = suggest(rest.join(":").split(".")[0], TOP_LEVEL_KEYS);
        const hint = meant ? ` (did you mean ${project}:${meant}?)` : "";
        problems.push(`${key} = ${show(config[key])}: unknown namespace "${namespace}"${hint}; allowed namespaces: ${allowed.join(", ")}`);
    }
    return problems;
}
