/** The output directory of `npm run synth`: checked before any work, created without recursive mkdir. */
import * as fs from "fs";
import * as path from "path";

/**
 * Why `dir` cannot take output, or undefined. Its nearest existing ancestor must be a directory where this process
 * can create entries: probed with a temporary directory removed at once, because access(2) says yes to root where
 * mkdir fails (/proc), and Node 20's recursive mkdir never returns there.
 */
export function outDirProblem(dir: string): string | undefined {
    let existing = dir;
    while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
    if (!fs.statSync(existing).isDirectory()) return `${existing} is not a directory`;
    try {
        fs.rmdirSync(fs.mkdtempSync(path.join(existing, ".synth-probe-")));
    } catch (e) {
        return `cannot create files in ${existing} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    }
    return undefined;
}

/** `mkdir -p`, one level at a time (see outDirProblem for why not `recursive: true`). */
export function makeDirs(dir: string): void {
    if (fs.existsSync(dir)) return;
    makeDirs(path.dirname(dir));
    fs.mkdirSync(dir);
}

/** Removes the given files from `dir` where they exist; returns the removed paths. */
export function removeFiles(dir: string, files: readonly string[]): string[] {
    const removed: string[] = [];
    for (const file of files) {
        const full = path.join(dir, file);
        if (!fs.existsSync(full)) continue;
        fs.rmSync(full);
        removed.push(full);
    }
    return removed;
}
