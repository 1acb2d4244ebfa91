/** Runs a command to completion: the one way the toolchain, the local runner and the e2e harness start processes. */
import { spawnSync } from "child_process";

export interface Result {
    code: number;
    stdout: string;
    stderr: string;
}

export interface RunOptions {
    input?: string;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** Inherit the terminal instead of capturing (output is then empty). */
    inherit?: boolean;
    timeoutMs?: number;
}

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Result {
    const r = spawnSync(cmd, args, {
        input: opts.input,
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        encoding: "utf8",
        stdio: opts.inherit ? "inherit" : "pipe",
        timeout: opts.timeoutMs,
        maxBuffer: 512 * 1024 * 1024,
    });
    return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: `${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}
