/**
 * What every command (synth, policy:check, docs, toolchain, cluster, local) shares: where it writes and reads, so
 * tests run it in-process; where relative paths given to it start; the failures it expects; how it starts.
 */
import * as fs from "fs";
import * as path from "path";

/**
 * A command's own failure, reported as `<command>: <message>` with exit 1: a component that cannot be built (the
 * message names the module and version the proxy refused), a cluster that does not start, a stack the runner refuses.
 */
export class ToolchainError extends Error {}

export interface CommandIO {
    /** One line of output (no trailing newline). */
    out(line: string): void;
    err(line: string): void;
    stdin(): string;
}

export const PROCESS_IO: CommandIO = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    stdin: () => fs.readFileSync(0, "utf8"),
};

/** The directory the user ran the command from: npm runs scripts in the project root and passes the caller's in INIT_CWD. */
export function callerDir(): string {
    return process.env.INIT_CWD ?? process.cwd();
}

/** A path the user gave, resolved against the directory they ran the command from. */
export function callerPath(file: string): string {
    return path.resolve(callerDir(), file);
}

/** A path as the user would type it: relative below their directory, absolute elsewhere. */
export function shownPath(file: string): string {
    const r = path.relative(callerDir(), file);
    return r === "" ? "." : r.startsWith("..") || path.isAbsolute(r) ? file : r;
}

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

/**
 * Starts `main` when the module is the entry point, with process.exitCode (never process.exit) for its result; a
 * failure `main` did not handle is reported as `<name> failed: …` with exit 1.
 */
export function runWhenMain(mod: NodeModule, name: string, main: (argv: string[]) => Promise<number>): void {
    if (require.main !== mod) return;
    main(process.argv.slice(2)).then(
        (code) => (process.exitCode = code),
        (e) => {
            process.stderr.write(`${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
            process.exitCode = 1;
        },
    );
}
