/** What the toolchain's commands (toolchain, cluster, local) share: failures they expect, and how they start. */
import { CommandIO } from "../lib/cli-io";
import { ToolchainError } from "./tools";

/** Runs a command's work; a ToolchainError is the command's own failure (exit 1), anything else a bug. */
export async function failingWith(name: string, io: CommandIO, work: () => Promise<number>): Promise<number> {
    try {
        return await work();
    } catch (e) {
        if (!(e instanceof ToolchainError)) throw e;
        io.err(`${name}: ${e.message}`);
        return 1;
    }
}

/** Starts `main` when the module is the entry point, with process.exitCode (never process.exit) for its result. */
export function runWhenMain(mod: NodeModule, main: (argv: string[]) => Promise<number>): void {
    if (require.main === mod) main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
