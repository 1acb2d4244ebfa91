/**
 * npm run cluster -- up | down | status | kubeconfig
 *
 * The embedded cluster (toolchain/cluster/cluster.ts). `up` builds what is missing of the toolchain first and is a no-op on
 * a running cluster; `kubeconfig` prints the path of its kubeconfig. Exit 1 on failure, 2 on bad arguments.
 */
import { clusterDown, clusterState, clusterUp, kubeconfigPath } from "./cluster";
import { CommandIO, failingWith, PROCESS_IO, runWhenMain } from "../kit/command";

const USAGE = "usage: npm run cluster -- up | down | status | kubeconfig";

export async function main(argv: string[], io: CommandIO = PROCESS_IO): Promise<number> {
    const [verb, ...extra] = argv;
    if (verb === "--help" || verb === "-h") {
        io.out(USAGE);
        return 0;
    }
    if (extra.length || !["up", "down", "status", "kubeconfig"].includes(verb)) {
        io.err(USAGE);
        return 2;
    }
    return failingWith("cluster", io, async () => {
        if (verb === "up") io.out(await clusterUp((line) => io.err(`[cluster] ${line}`)));
        else if (verb === "down") await clusterDown();
        else if (verb === "status") io.out(await clusterState());
        else io.out(kubeconfigPath());
        return 0;
    });
}

runWhenMain(module, "cluster", main);
