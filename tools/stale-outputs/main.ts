/**
 * Removes compiled files under bin/ whose TypeScript source is gone (a file moved or deleted): tsc never deletes
 * them, and mocha would still run a stale compiled test. `npm test` runs it between the build and the suite.
 */
import * as fs from "fs";
import * as path from "path";
import { CommandIO, PROCESS_IO, runWhenMain } from "../../toolchain/kit/command";
import { PROJECT_DIR } from "../../toolchain/kit/paths";

/** Compiled files (.js, .js.map, .d.ts) under `bin` without a source `<root>/<same path>.ts`; removed unless `dryRun`. */
export function removeStaleOutputs(root = PROJECT_DIR, dryRun = false): string[] {
    const bin = path.join(root, "bin");
    if (!fs.existsSync(bin)) return [];
    const stale = fs.readdirSync(bin, { recursive: true, encoding: "utf8" }).filter((f) => {
        const m = /^(.*)\.(js|js\.map|d\.ts)$/.exec(f);
        return m !== null && !fs.existsSync(path.join(root, `${m[1]}.ts`));
    });
    if (!dryRun) {
        for (const f of stale) fs.rmSync(path.join(bin, f));
        removeEmptyDirs(bin);
    }
    return stale.sort();
}

function removeEmptyDirs(dir: string): boolean {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    const left = entries.filter((e) => !(e.isDirectory() && removeEmptyDirs(path.join(dir, e.name))));
    if (left.length > 0) return false;
    fs.rmdirSync(dir);
    return true;
}

export async function main(argv: string[], io: CommandIO = PROCESS_IO): Promise<number> {
    if (argv.length > 0) {
        io.out("usage: node bin/tools/stale-outputs/main.js   (removes compiled files under bin/ whose source is gone)");
        return argv[0] === "--help" || argv[0] === "-h" ? 0 : 2;
    }
    const removed = removeStaleOutputs();
    if (removed.length) io.err(`removed ${removed.length} stale compiled file(s) under bin/ (their sources are gone)`);
    return 0;
}

runWhenMain(module, "stale-outputs", main);
