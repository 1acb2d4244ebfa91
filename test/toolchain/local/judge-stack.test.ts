/**
 * What the local runner judges before it builds, starts or creates anything (toolchain/local/local.ts judgeStack):
 * the stack's name, its stack file and, for a plan or deploy, its config. Each failure is exit 2 from the command.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigError, PROJECT } from "../../../components/config";
import { judgeStack } from "../../../toolchain/local/local";
import { main as local } from "../../../toolchain/local/main";
import { StackNameError } from "../../../toolchain/kit/stack-name";
import { StackFileError } from "../../../tools/stack-file";
import { ROOT, runCommand, writeStackFile } from "../../helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "judge-stack-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function project(stacks: Record<string, Record<string, unknown>>): string {
    const dir = fs.mkdtempSync(path.join(tmp, "project-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), YAML.stringify({ name: PROJECT, runtime: "nodejs" }));
    for (const [stack, set] of Object.entries(stacks)) {
        fs.copyFileSync(writeStackFile(tmp, "dev", `${stack}.yaml`, set), path.join(dir, `Pulumi.${stack}.yaml`));
    }
    return dir;
}

describe("local runner: judged before anything runs", () => {
    it("a qualified name of this project becomes the short one in every flag form; the rest is untouched", () => {
        const dir = project({ dev: {} });
        const forms: [string[], string, string[]][] = [
            [["-s", "organization/eco2-tracing/dev"], "organization/eco2-tracing/dev", ["-s", "dev"]],
            [["--stack", "acme/dev"], "acme/dev", ["--stack", "dev"]],
            [["--stack=organization/eco2-tracing/dev"], "organization/eco2-tracing/dev", ["--stack=dev"]],
        ];
        for (const [form, stack, expected] of forms) {
            assert.deepStrictEqual(judgeStack(["preview", ...form, "--diff"], stack, dir, "preview"), ["preview", ...expected, "--diff"]);
        }
    });

    it("a name the CLI refuses, another project's stack or a missing stack file is refused with the rule or the files there", () => {
        const dir = project({ dev: {}, qa: {} });
        const nameRule = (e: Error) => e instanceof StackNameError && /allowed: letters, digits/.test(e.message);
        assert.throws(() => judgeStack([], "my stack", dir, "up"), nameRule);
        assert.throws(() => judgeStack([], "", dir, "up"), StackNameError);
        assert.throws(() => judgeStack([], "acme/other/dev", dir, "up"), /belongs to project "other"/);
        const missing = /Pulumi\.prod\.yaml: no such file \(stack files beside it: dev, qa\)/;
        assert.throws(() => judgeStack([], "prod", dir, "stack"), (e: Error) => e instanceof StackFileError && missing.test(e.message));
    });

    it("a plan or deploy with a bad config is a config error; other commands leave the config to the program", () => {
        const dir = project({ dev: { sampling: 500 } });
        const badSampling = (e: Error) => e instanceof ConfigError && /eco2-tracing:sampling = "500"/.test(e.message);
        assert.throws(() => judgeStack([], "dev", dir, "preview"), badSampling);
        assert.deepStrictEqual(judgeStack(["stack", "output", "-s", "dev"], "dev", dir, "stack"), ["stack", "output", "-s", "dev"]);
    });

    it("the command exits 2 at once, before the toolchain or the cluster", async () => {
        for (const args of [["up", "-s", "dev!"], ["preview", "-s", "nostack"], ["preview", "-s="]]) {
            const started = Date.now();
            const run = await runCommand(local, args);
            assert.strictEqual(run.code, 2, args.join(" "));
            assert.match(run.stderr, /^local: /);
            assert.ok(!run.stderr.includes("[local]"), run.stderr);
            assert.ok(Date.now() - started < 2000);
        }
        assert.ok(fs.existsSync(path.join(ROOT, "Pulumi.dev.yaml")));
    });
});
