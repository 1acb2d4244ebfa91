/**
 * Stack names as the commands take them (synth's `<stack>`, the runner's `-s`): Pulumi's rule for the name, which is
 * also a path component (`Pulumi.<stack>.yaml`, `out/<stack>`), and its qualified forms `org/stack` and
 * `org/project/stack`, which name the same stack file when the project is this one.
 */

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
