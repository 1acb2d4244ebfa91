/**
 * Stack names as the commands take them (synth's `<stack>`, the runner's `-s`): Pulumi's rule for the name, which is
 * also a path component (`Pulumi.<stack>.yaml`, `out/<stack>`), and its qualified forms `org/stack` and
 * `org/project/stack`, which name the same stack file when the project is this one.
 */
import { parseArgs } from "util";

/** A stack name the commands refuse: exit 2, with the rule. */
export class StackNameError extends Error {}

const NAME = /^[A-Za-z0-9_.-]+$/;
export const STACK_NAME_RULE = "letters, digits, '-', '_' and '.', not \".\" or \"..\"; or org/<stack>, org/<project>/<stack>";

/** The short name of `stack` (the part that names `Pulumi.<stack>.yaml`); throws StackNameError. */
export function shortStackName(stack: string, project: string): string {
    const parts = stack.split("/");
    const name = parts[parts.length - 1];
    const bad = parts.length > 3 || parts.some((p) => !NAME.test(p)) || name === "." || name === "..";
    if (bad) throw new StackNameError(`invalid stack name "${stack}"; allowed: ${STACK_NAME_RULE}`);
    if (parts.length === 3 && parts[1] !== project) {
        throw new StackNameError(`stack "${stack}" belongs to project "${parts[1]}"; this is project "${project}"`);
    }
    return name;
}

/** A command line the command refuses: exit 2, with its usage. */
export class UsageError extends Error {}

type StringOptions = Record<string, { type: "string" } | { type: "boolean"; short?: string }>;

/**
 * `<stack> [options]` as synth and mesh take it: Node's parseArgs, then one stack (its short name), no extra
 * positionals, and no option given with an empty value (`--out=` would silently mean the default). Throws UsageError.
 */
export function parseStackCommand(argv: string[], options: StringOptions, project: string):
    { help: true } | { help: false; stack: string; values: Record<string, string | boolean | undefined> } {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, allowPositionals: true, options: { ...options, help: { type: "boolean", short: "h" } } });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    if (parsed.values.help) return { help: true };
    const [stack, ...extra] = parsed.positionals;
    if (!stack || extra.length) throw new UsageError(stack ? `unexpected arguments: ${extra.join(" ")}` : "missing <stack>");
    const values = parsed.values as Record<string, string | boolean | undefined>;
    const empty = Object.entries(values).filter(([, v]) => v === "").map(([k]) => `--${k}`);
    if (empty.length) throw new UsageError(`${empty.join(", ")}: needs a value`);
    try {
        return { help: false, stack: shortStackName(stack, project), values };
    } catch (e) {
        throw e instanceof StackNameError ? new UsageError(e.message) : e;
    }
}
