/**
 * npm run toolchain [-- --json]
 *
 * Builds what is missing of the pinned real components (toolchain/build/components.ts, and the Python venv of
 * toolchain/build/python.ts) into the cache and prints a table
 * of tool, version, path and origin; with --json only {"<tool>": "<absolute path>", ...}. Exit 1 when a component
 * cannot be built (the message names the module and version the proxy refused).
 */
import { parseArgs } from "util";
import { CommandIO, failingWith, PROCESS_IO, runWhenMain } from "../kit/command";
import { ensurePythonEnv } from "./python";
import { ensureToolchain } from "./tools";

const USAGE = "usage: npm run toolchain [-- --json]";

export async function main(argv: string[], io: CommandIO = PROCESS_IO): Promise<number> {
    let json: boolean | undefined;
    try {
        const { values } = parseArgs({ args: argv, options: { json: { type: "boolean" }, help: { type: "boolean" } } });
        if (values.help) {
            io.out(USAGE);
            return 0;
        }
        json = values.json;
    } catch (e) {
        io.err(`${(e as Error).message}\n${USAGE}`);
        return 2;
    }
    return failingWith("toolchain", io, async () => {
        const started = Date.now();
        const log = (line: string) => io.err(`[toolchain] ${line}`);
        const tools = [...(await ensureToolchain({ log })), await ensurePythonEnv(log)];
        if (json) {
            io.out(JSON.stringify(Object.fromEntries(tools.map((t) => [t.tool, t.path])), null, 2));
            return 0;
        }
        const rows = [["tool", "version", "path", "origin"], ...tools.map((t) => [t.tool, t.version, t.path, t.origin])];
        const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
        for (const r of rows) io.out(r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd());
        io.out(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
        return 0;
    });
}

runWhenMain(module, "toolchain", main);
