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

    it("a name the CLI refuses, or another project's, is a usage error with the rule; nothing runs", async () => {
        const cases: [string, RegExp][] = [
            ["my stack", /^invalid stack name "my stack"; allowed: letters, digits/],
            ["dev!", /^invalid stack name "dev!"/],
            ["a/b/c/dev", /^invalid stack name "a\/b\/c\/dev"/],
            ["acme/other/dev", /^stack "acme\/other\/dev" belongs to project "other"; this is project "eco2-tracing"/],
        ];
        for (const [stack, pattern] of cases) {
            const run = await runCommand(synth, [stack]);
            assert.strictEqual(run.code, 2, stack);
            assert.match(run.stderr, pattern);
            assert.strictEqual(run.stdout, "");
        }
    });

    it("an option given with an empty value is a usage error, not the default", async () => {
        for (const option of ["--out=", "--config-file=", "--policy-pack-config="]) {
            const run = await runCommand(synth, ["dev", option]);
            assert.strictEqual(run.code, 2, option);
            assert.match(run.stderr, new RegExp(`^${option.slice(0, -1)}: needs a value`));
        }
    });

    it("--policy-pack-config is judged as policy:check judges it, before the engine: exit 2 naming the policy", async () => {
        const file = path.join(tmp, "pack.json");
        fs.writeFileSync(file, '{"prod-sampling-range": {"min": 20, "max": 5}, "jaeger-ui-public": "mandatory"}');
        const run = await runCommand(synth, ["dev", "--policy-pack-config", file]);
        assert.strictEqual(run.code, 2, run.stderr);
        assert.match(run.stderr, /^invalid policy pack config:\n/);
        assert.match(run.stderr, /"jaeger-ui-public" is not a policy of this pack \(did you mean "jaeger-ui-not-public"\?\)/);
        assert.match(run.stderr, /prod-sampling-range: config min \(20\) is greater than max \(5\)/);
        assert.ok(!run.stderr.includes("[local]"));
    });

    it("a stack without its stack file is refused naming the stacks that have one, before the engine", async () => {
        const run = await runCommand(synth, ["nostack"]);
        assert.strictEqual(run.code, 2);
        assert.match(run.stderr, /Pulumi\.nostack\.yaml: no such file \(stack files beside it: dev, prod\)/);
    });

    it("a bad config fails before the engine touches the cluster, summarised; a qualified stack name is the same stack", async () => {
        const file = path.join(tmp, "Pulumi.many.yaml");
        const appNamespaces = Array.from({ length: 1000 }, (_, i) => `App-${i}`);
        fs.writeFileSync(file, JSON.stringify({ config: { "eco2-tracing:environment": "dev", "eco2-tracing:appNamespaces": appNamespaces,
            "eco2-tracing:sampling": 500 } }));
        const started = Date.now();
        const run = await runCommand(synth, ["organization/eco2-tracing/dev", "--config-file", file, "--out", path.join(tmp, "out")]);
        assert.strictEqual(run.code, 2, run.stderr);
        assert.match(run.stderr, /^invalid configuration for stack "dev" \(1001 problems\):\n/);
        assert.match(run.stderr, /^  - stack "dev": eco2-tracing:appNamespaces\[0\].name = "App-0": /m);
        assert.match(run.stderr, /\n  … and 981 more\nnothing written\.\n$/);
        assert.ok(!run.stderr.includes("[local]"), "the engine and the cluster were not started");
        assert.ok(Date.now() - started < 5000);
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
