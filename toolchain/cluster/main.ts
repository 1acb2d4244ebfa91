/**
 * npm run cluster -- up | down | status | kubeconfig
 *
 * The embedded cluster (toolchain/cluster/cluster.ts). `up` builds what is missing of the toolchain first and is a no-op on
 * a running cluster; `down` says what it removes; `status` prints running, starting, unhealthy (a process of it is gone:
 * which, on stderr), stale or absent; `kubeconfig` prints the path of its kubeconfig. Exit 1 on failure, 2 on bad arguments.
 */
import { clusterDown, clusterFault, clusterState, clusterUp, kubeconfigPath } from "./cluster";
import { CommandIO, failingWith, PROCESS_IO, runWhenMain } from "../kit/command";

const VERBS = ["up", "down", "status", "kubeconfig"];
const USAGE = `usage: npm run cluster -- ${VERBS.join(" | ")}`;

export async function main(argv: string[], io: CommandIO = PROCESS_IO): Promise<number> {
    const [verb, ...extra] = argv;
    if (verb === "--help" || verb === "-h") {
        io.out(USAGE);
        return 0;
    }
    if (extra.length || !VERBS.includes(verb)) {
        const unknown = VERBS.includes(verb) ? `unexpected arguments: ${extra.join(" ")}` : `unknown verb "${verb}"`;
        const what = verb === undefined ? "missing verb" : unknown;
        io.err(`${what}; allowed: ${VERBS.join(", ")}\n${USAGE}`);
        return 2;
    }
    return failingWith("cluster", io, async () => {
        if (verb === "up") io.out(await clusterUp((line) => io.err(`[cluster] ${line}`)));
        else if (verb === "down") await clusterDown((line) => io.err(`[cluster] ${line}`));
        else if (verb === "status") {
            const state = await clusterState();
            io.out(state);
            if (state === "unhealthy") io.err(`[cluster] ${clusterFault()}`);
        }
        else io.out(kubeconfigPath());
        return 0;
    });
}

runWhenMain(module, "cluster", main);
