/**
 * `npm run synth` as a command (its main function, in-process): what it checks before it starts the engine (help,
 * arguments, the output directory). What needs the engine (stale files, warnings, exit codes) is in
 * test/e2e/synth.e2e.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main as synth } from "../../../tools/synth/main";
import { ROOT, runCommand } from "../../helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-command-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("synth: the command", function () {
    this.timeout(60_000);

    it("--help prints the usage and exit codes on stdout and exits 0", async () => {
        for (const flag of ["--help", "-h"]) {
            const run = await runCommand(synth, [flag]);
            assert.deepStrictEqual([run.code, run.stderr], [0, ""]);
            assert.match(run.stdout, /^usage: npm run synth -- <stack> /);
            assert.match(run.stdout, /Exit codes: 0 clean; 1 .*; 2 invalid config or arguments/);
        }
    });

    it('"." and ".." are not stack names', async () => {
        for (const stack of [".", ".."]) {
            const run = await runCommand(synth, [stack]);
            assert.strictEqual(run.code, 2);
            assert.match(run.stderr, new RegExp(`^invalid stack name "${stack.replace(/\./g, "\\.")}"; allowed: .*not "\\." or "\\.\\."`));
        }
        assert.ok(!fs.existsSync(path.join(ROOT, "out", "..", "manifests.yaml")));
    });

    it("an --out that cannot be written fails before the program runs (not the hang of recursive mkdir under /proc)", async () => {
        const file = path.join(tmp, "a-file");
        fs.writeFileSync(file, "");
        const cases: [string, RegExp][] = [
            ["/proc/eco2-synth/out", /^--out \/proc\/eco2-synth\/out: cannot create files in \/proc \(/],
            [path.join(file, "out"), /is not a directory/],
        ];
        for (const [out, pattern] of cases) {
            const started = Date.now();
            const run = await runCommand(synth, ["dev", "--out", out]);
            assert.strictEqual(run.code, 2, run.stderr);
            assert.match(run.stderr, pattern);
            assert.match(run.stderr, /nothing written\.\n$/);
            assert.strictEqual(run.stdout, "", "the program did not run");
            assert.ok(Date.now() - started < 5000);
        }
        assert.ok(!fs.existsSync("/proc/eco2-synth"));
    });
});
