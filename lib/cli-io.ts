/** Where the commands (synth, policy:check) write and read, so tests can run them in-process. */
import * as fs from "fs";

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
