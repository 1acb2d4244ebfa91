import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { COMPONENTS, TOOL_NAMES } from "../../toolchain/build/components";
import { ensurePythonEnv } from "../../toolchain/build/python";
import { ensureToolchain } from "../../toolchain/build/tools";
import { ROOT } from "../helpers";
import { allTools, must, run, tmpDir } from "./harness";

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
        await ensurePythonEnv();
        const started = Date.now();
        const out = must("npm", ["run", "-s", "toolchain", "--", "--json"], { cwd: ROOT });
        const seconds = (Date.now() - started) / 1000;
        assert.deepStrictEqual(JSON.parse(out), { ...tools, python: (await ensurePythonEnv()).path });
        assert.ok(seconds < 10, `took ${seconds.toFixed(1)} s`);
    });

    it("reuses a binary on PATH that reports the pinned version, and ignores one that does not", async () => {
        const { helm } = await allTools();
        const pinned = tmpDir("path-pinned");
        fs.symlinkSync(helm, path.join(pinned, "helm"));
        const other = tmpDir("path-other");
        fs.writeFileSync(path.join(other, "helm"), "#!/bin/sh\necho v3.9.9\n", { mode: 0o755 });
        const saved = process.env.PATH;
        try {
            process.env.PATH = `${pinned}${path.delimiter}${saved}`;
            assert.deepStrictEqual((await ensureToolchain({ only: ["helm"] })).map((r) => [r.origin, r.path]), [["PATH", path.join(pinned, "helm")]]);
            process.env.PATH = `${other}${path.delimiter}${saved}`;
            assert.deepStrictEqual((await ensureToolchain({ only: ["helm"] })).map((r) => [r.origin, r.path]), [["cached", helm]]);
        } finally {
            process.env.PATH = saved;
        }
    });
});
