import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { COMPONENTS, TOOL_NAMES } from "../../toolchain/components";
import { ROOT } from "../helpers";
import { allTools, must, run } from "./harness";

describe("toolchain (real components from their Go modules)", () => {
    it("provides every tool as an executable in the cache or on PATH", async () => {
        const tools = await allTools();
        assert.deepStrictEqual(Object.keys(tools).sort(), [...TOOL_NAMES].sort());
        for (const [name, file] of Object.entries(tools)) fs.accessSync(file, fs.constants.X_OK), assert.ok(path.isAbsolute(file), name);
    });

    it("each binary reports the pinned version it was stamped with", async () => {
        const tools = await allTools();
        for (const c of COMPONENTS) {
            for (const t of c.tools.filter((t) => t.versionCheck)) {
                const r = run(tools[t.name], t.versionCheck!.args);
                assert.ok(`${r.stdout}${r.stderr}`.includes(t.versionCheck!.expect), `${t.name} ${t.versionCheck!.args.join(" ")}: ${r.stdout}${r.stderr}`);
            }
        }
    });

    it("`npm run -s toolchain -- --json` with everything cached prints only the paths, in under 10 s", async () => {
        const tools = await allTools();
        const started = Date.now();
        const out = must("npm", ["run", "-s", "toolchain", "--", "--json"], { cwd: ROOT });
        const seconds = (Date.now() - started) / 1000;
        assert.deepStrictEqual(JSON.parse(out), tools);
        assert.ok(seconds < 10, `took ${seconds.toFixed(1)} s`);
    });
});
