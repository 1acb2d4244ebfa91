/**
 * A real OpenSearch node (the toolchain's `opensearch`, 2.19.6 from Maven Central) on loopback with a fresh home and
 * data directory of its own, started for one suite and stopped (directories removed) after it. No security plugin
 * (not served here): plain HTTP, no authentication.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { toolPath } from "../../toolchain/build/tools";
import { tmpDir } from "./harness";
import { freePort } from "./jaeger-process";

export interface RunningOpenSearch {
    /** `http://127.0.0.1:<port>`. */
    url: string;
    pid: number;
    port: number;
    dataDir: string;
    log(): string;
    /** Stops the node (SIGTERM: its shutdown hook closes it); `keepData` leaves the data directory for a restart. */
    stop(keepData?: boolean): Promise<void>;
}

/** Starts a node and waits until the cluster is at least yellow; `dataDir` and `port` restart an earlier node. */
export async function startOpenSearch(dataDir?: string, port?: number): Promise<RunningOpenSearch> {
    const bin = await toolPath("opensearch");
    const home = tmpDir("opensearch-home");
    const data = dataDir ?? tmpDir("opensearch-data");
    const http = port ?? (await freePort());
    const child: ChildProcess = spawn(bin, [home, data, String(http), String(await freePort())], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-100_000));
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
    const url = `http://127.0.0.1:${http}`;
    const deadline = Date.now() + 180_000;
    for (;;) {
        const early = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, 500, undefined))]);
        if (early !== undefined) throw new Error(`opensearch exited ${early} before it was up:\n${output.slice(-4000)}`);
        const ok = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`).then((r) => r.status === 200, () => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`opensearch not up on ${url} after 180 s:\n${output.slice(-4000)}`);
    }
    return {
        url,
        pid: child.pid!,
        port: http,
        dataDir: data,
        log: () => output,
        stop: async (keepData = false) => {
            child.kill("SIGTERM");
            const kill = setTimeout(() => child.kill("SIGKILL"), 20_000);
            await exited;
            clearTimeout(kill);
            fs.rmSync(home, { recursive: true, force: true });
            if (!keepData) fs.rmSync(data, { recursive: true, force: true });
        },
    };
}

/** The names of the indices starting `prefix` (`_cat/indices`), sorted. */
export async function indices(os: RunningOpenSearch, prefix: string): Promise<string[]> {
    const res = await fetch(`${os.url}/_cat/indices/${prefix}*?h=index&format=json`);
    const rows = (await res.json()) as { index: string }[];
    return rows.map((r) => r.index).sort();
}
