/**
 * The local runner's workspace copy (toolchain/local/workspace.ts) holds full keys only: a user's unprefixed section
 * is the one the program gets, the runner's own defaults go underneath it, never beside it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT } from "../../../components/config";
import { normalizeKeys, StackKeysError } from "../../../tools/stack-keys";
import { stackNames } from "../../../toolchain/local/stack-defaults";
import { sharedChart } from "../../../toolchain/kit/paths";
import { useSharedChart, writeWorkspace } from "../../../toolchain/local/workspace";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "workspace-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const TOOLS = { "pulumi-language-nodejs": "/nowhere/lang/bin", "pulumi-resource-kubernetes": "/nowhere/k8s/bin" };

let counter = 0;
function project(config: Record<string, unknown>): { dir: string; projectDir: string } {
    const base = path.join(tmp, `case-${++counter}`);
    const projectDir = path.join(base, "project");
    fs.mkdirSync(projectDir, { recursive: true });
    fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), YAML.stringify({ name: PROJECT, runtime: "nodejs" }));
    fs.writeFileSync(path.join(projectDir, "Pulumi.dev.yaml"), YAML.stringify({ config }));
    return { dir: path.join(base, "state"), projectDir };
}

describe("local workspace", () => {
    it("an unprefixed section reaches the copy under the project's key, with no unprefixed twin", () => {
        const { dir, projectDir } = project({ jaeger: { replicas: 3 }, sampling: 7 });
        const ws = writeWorkspace(dir, projectDir, "dev", TOOLS);
        assert.deepStrictEqual(ws.config, { [`${PROJECT}:jaeger`]: { replicas: 3 }, [`${PROJECT}:sampling`]: 7 });
        const copy = YAML.parse(fs.readFileSync(path.join(ws.dir, "Pulumi.dev.yaml"), "utf8"));
        assert.deepStrictEqual(copy.config, ws.config);
    });

    it("a key the committed file dropped is dropped from the copy, in whichever form it was written", () => {
        const { dir, projectDir } = project({ jaeger: { replicas: 3 }, sampling: 7 });
        writeWorkspace(dir, projectDir, "dev", TOOLS);
        fs.writeFileSync(path.join(projectDir, "Pulumi.dev.yaml"), YAML.stringify({ config: { [`${PROJECT}:sampling`]: 9 } }));
        assert.deepStrictEqual(writeWorkspace(dir, projectDir, "dev", TOOLS).config, { [`${PROJECT}:sampling`]: 9 });
    });

    it("a committed file with one key in both forms stops the runner with a config error", () => {
        const { dir, projectDir } = project({ jaeger: {}, [`${PROJECT}:jaeger`]: {} });
        assert.throws(() => writeWorkspace(dir, projectDir, "dev", TOOLS), StackKeysError);
    });

    it("the shared chart never replaces a chart path the user set, nor adds a section beside the user's", () => {
        const chart = { name: "jaeger", version: "1.0.0", path: "/mine.tgz" };
        const config: Record<string, any> = { [`${PROJECT}:jaeger`]: { replicas: 2, chart } };
        const before = JSON.stringify(config);
        useSharedChart(PROJECT, config);
        assert.strictEqual(JSON.stringify(config), before);
    });

    it("the shared chart goes underneath the user's unprefixed section: every setting the user wrote is kept", function () {
        const { config } = normalizeKeys(PROJECT, { jaeger: { replicas: 3, memory: { maxTraces: 5 } } });
        const chart = stackNames(PROJECT, config).chart!;
        if (!sharedChart(chart.name, chart.version)) this.skip();
        useSharedChart(PROJECT, config);
        assert.deepStrictEqual(Object.keys(config), [`${PROJECT}:jaeger`]);
        const jaeger = (config as Record<string, any>)[`${PROJECT}:jaeger`];
        assert.deepStrictEqual({ replicas: jaeger.replicas, memory: jaeger.memory }, { replicas: 3, memory: { maxTraces: 5 } });
        assert.strictEqual(jaeger.chart.path, sharedChart(chart.name, chart.version));
    });
});
