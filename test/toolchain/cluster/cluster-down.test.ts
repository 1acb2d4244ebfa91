/**
 * `npm run cluster -- down` says what it removes, with no cluster process involved: a cache of its own
 * (ECO2_CACHE_DIR) holding a cluster directory whose processes are gone.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../../toolchain/cluster/main";
import { runCommand } from "../../helpers";

describe("cluster down", () => {
    const before = process.env.ECO2_CACHE_DIR;
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-down-"));
    after(() => {
        if (before === undefined) delete process.env.ECO2_CACHE_DIR;
        else process.env.ECO2_CACHE_DIR = before;
        fs.rmSync(cache, { recursive: true, force: true });
    });

    it("names what it stops and removes, and that the local stacks' state is reset on next use; absent says so", async () => {
        process.env.ECO2_CACHE_DIR = cache;
        const dir = path.join(cache, "kwok", "clusters", "eco2");
        fs.mkdirSync(path.join(dir, "pids"), { recursive: true });
        fs.writeFileSync(path.join(dir, "pids", "kube-apiserver.pid"), "999999999");
        const first = await runCommand(main, ["down"]);
        assert.strictEqual(first.code, 0, first.stderr);
        assert.match(first.stderr, /^\[cluster\] cluster eco2: stopping nothing \(no process runs\) and removing /);
        assert.match(first.stderr, /removing \S+kwok\/clusters\/eco2; /);
        assert.match(first.stderr, /the local stacks' state on it is reset on next use/);
        assert.ok(!fs.existsSync(dir));
        const again = await runCommand(main, ["down"]);
        assert.strictEqual(again.stderr, "[cluster] cluster eco2: absent, nothing to remove\n");
    });
});
