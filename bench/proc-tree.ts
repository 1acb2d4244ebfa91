/**
 * Memory of a process tree from /proc: the CLI, the language host, the Node program, the provider (and the policy
 * pack) are separate processes, so the real-engine bench samples /proc while the CLI runs and sums the resident set
 * of the CLI and all its descendants at each sample; the figure is the largest sum.
 */
import * as fs from "fs";
import * as path from "path";

export interface ProcEntry {
    pid: number;
    ppid: number;
    rssKiB: number;
}

/** pid and ppid from `/proc/<pid>/stat` (`pid (comm) state ppid ...`; comm may hold spaces and parentheses). */
export function parseStat(text: string): { pid: number; ppid: number } | undefined {
    const close = text.lastIndexOf(")");
    if (close < 0) return undefined;
    const pid = Number(text.slice(0, text.indexOf(" ")));
    const ppid = Number(text.slice(close + 2).split(" ")[1]);
    return Number.isInteger(pid) && Number.isInteger(ppid) ? { pid, ppid } : undefined;
}

/** `VmRSS` from `/proc/<pid>/status`, in KiB (0 for a zombie or a kernel thread, which have none). */
export function parseStatusRssKiB(text: string): number {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
    return m ? Number(m[1]) : 0;
}

/** Sum of the resident sets of `root` and every descendant in one snapshot. */
export function treeRssKiB(snapshot: readonly ProcEntry[], root: number): number {
    const children = new Map<number, ProcEntry[]>();
    for (const p of snapshot) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    const seen = new Set<number>();
    let total = 0;
    const stack = snapshot.filter((p) => p.pid === root);
    while (stack.length) {
        const p = stack.pop()!;
        if (seen.has(p.pid)) continue;
        seen.add(p.pid);
        total += p.rssKiB;
        stack.push(...(children.get(p.pid) ?? []));
    }
    return total;
}

/** Every process visible under `procRoot`; processes that end while being read are skipped. */
export function readProcSnapshot(procRoot = "/proc"): ProcEntry[] {
    const out: ProcEntry[] = [];
    for (const name of fs.readdirSync(procRoot)) {
        if (!/^\d+$/.test(name)) continue;
        try {
            const stat = parseStat(fs.readFileSync(path.join(procRoot, name, "stat"), "utf8"));
            if (!stat) continue;
            out.push({ ...stat, rssKiB: parseStatusRssKiB(fs.readFileSync(path.join(procRoot, name, "status"), "utf8")) });
        } catch {
            // gone meanwhile
        }
    }
    return out;
}

/** Samples the tree under `root` every `intervalMs` until stopped; `stop()` returns the peak in KiB. */
export function sampleTree(root: number, intervalMs = 50, procRoot = "/proc"): { stop: () => number } {
    let peak = 0;
    const tick = () => (peak = Math.max(peak, treeRssKiB(readProcSnapshot(procRoot), root)));
    tick();
    const timer = setInterval(tick, intervalMs);
    return {
        stop: () => {
            clearInterval(timer);
            return peak;
        },
    };
}
