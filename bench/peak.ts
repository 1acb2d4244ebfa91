/**
 * Preloaded (`--require`) into every Node process of a measured run through NODE_OPTIONS: appends the process's
 * peak resident set size to the file named by BENCH_PEAK_FILE when it ends — on exit, or on SIGTERM, after which the signal is raised again so the process still dies of it.
 */
import * as fs from "fs";
import * as path from "path";

const file = process.env.BENCH_PEAK_FILE;
if (file) {
    let written = false;
    const record = () => {
        if (written) return;
        written = true;
        const entry = { pid: process.pid, ppid: process.ppid, script: path.basename(process.argv[1] ?? "node"), maxRssKiB: process.resourceUsage().maxRSS };
        fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
    };
    process.on("exit", record);
    process.once("SIGTERM", () => {
        record();
        process.kill(process.pid, "SIGTERM");
    });
}
