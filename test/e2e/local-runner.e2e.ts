/**
 * `npm run local` as a user runs it (child processes, the real CLI, the embedded cluster): a first use of one stack
 * from two commands at once, each in its own process, ends with the CLI's lock message or success, never a silent
 * failure.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as path from "path";
import { ROOT } from "../helpers";
import { allTools, cluster, tmpDir } from "./harness";

function local(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
    const main = path.join(ROOT, "bin/toolchain/local/main.js");
    const child = spawn(process.execPath, [main, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

describe("npm run local: two commands at once", function () {
    before(async () => {
        await allTools();
        await cluster();
    });

    it("the first use of a stack from two previews at once: both pass, or the loser names the stack's lock", async () => {
        const env = { ECO2_LOCAL_DIR: tmpDir("local-twice") };
        const runs = await Promise.all([local(["preview", "-s", "dev"], env), local(["preview", "-s", "dev"], env)]);
        for (const r of runs) {
            if (r.code !== 0) assert.match(r.output, /locked|lock/i, r.output.slice(-3000));
            assert.ok(r.output.trim().length > 0, "never silent");
        }
        assert.ok(runs.some((r) => r.code === 0), runs.map((r) => r.output.slice(-2000)).join("\n---\n"));
    });
});
