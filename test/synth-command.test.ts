/** `npm run synth` as a command (its main function, in-process): arguments, the output directory, stale files. */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synth } from "../scripts/synth";
import { ROOT, runCommand, writeStackFile } from "./helpers";

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

    it("a failed run removes the previous run's files, so they are not taken for this config's plan", async () => {
        const out = path.join(tmp, "stale");
        const ok = await runCommand(synth, ["dev", "--out", out]);
        assert.strictEqual(ok.code, 0, ok.stderr);
        const bad = await runCommand(synth, ["dev", "--config-file", writeStackFile(tmp, "dev", "bad.yaml", { sampling: 250 }), "--out", out]);
        assert.strictEqual(bad.code, 2);
        assert.match(bad.stderr, new RegExp(`nothing written; removed the previous run's ${out}/manifests.yaml, ${out}/helm-releases.yaml\\.\\n$`));
        assert.deepStrictEqual(fs.readdirSync(out), []);
    });

    it("a --config-file whose environment differs from the stack name gets a warning", async () => {
        const file = writeStackFile(tmp, "prod", "prod-as-dev.yaml", {});
        const run = await runCommand(synth, ["dev", "--config-file", file, "--out", path.join(tmp, "mismatch")]);
        assert.strictEqual(run.code, 0, run.stderr);
        assert.strictEqual(run.stderr, `warning: ${file} sets eco2-tracing:environment "prod" but the stack is "dev"; the policy config is chosen by stack name (policy-pack/config/dev.json), so pass --policy-pack-config for the "prod" rules\n`);
        const same = await runCommand(synth, ["prod", "--config-file", file, "--out", path.join(tmp, "match")]);
        assert.deepStrictEqual([same.code, same.stderr], [0, ""]);
    });
});
