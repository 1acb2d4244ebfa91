/**
 * npm run cluster -- up | down | status | kubeconfig
 *
 * The embedded cluster (toolchain/cluster.ts). `up` builds what is missing of the toolchain first and is a no-op on
 * a running cluster; `kubeconfig` prints the path of its kubeconfig. Exit 1 on failure, 2 on bad arguments.
 */
import { Io, processIo } from "./io";
import { clusterDown, clusterState, clusterUp, kubeconfigPath } from "./cluster";
import { ToolchainError } from "./tools";

const USAGE = "usage: npm run cluster -- up | down | status | kubeconfig";

export async function main(argv: string[], io: Io = processIo): Promise<number> {
    const [verb, ...extra] = argv;
    if (verb === "--help" || verb === "-h") {
        io.out.write(`${USAGE}\n`);
        return 0;
    }
    if (extra.length || !["up", "down", "status", "kubeconfig"].includes(verb)) {
        io.err.write(`${USAGE}\n`);
        return 2;
    }
    try {
        if (verb === "up") io.out.write(`${await clusterUp((line) => io.err.write(`[cluster] ${line}\n`))}\n`);
        else if (verb === "down") await clusterDown();
        else if (verb === "status") io.out.write(`${await clusterState()}\n`);
        else io.out.write(`${kubeconfigPath()}\n`);
        return 0;
    } catch (e) {
        if (!(e instanceof ToolchainError)) throw e;
        io.err.write(`cluster: ${e.message}\n`);
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
