import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { configKeys, renderConfigReference, BEGIN, END } from "../../../tools/docs/config-docs";
import * as YAML from "yaml";
import { ROOT, runStack } from "../../helpers";

describe("README", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

    it("every config key has a description in the schema", () => {
        assert.deepStrictEqual(configKeys().filter((k) => !k.description?.trim()).map((k) => k.path), [], "keys without a description");
    });

    it("the config reference is the one generated from the schema (run `npm run docs`)", () => {
        const block = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END) + END.length);
        assert.strictEqual(block, renderConfigReference());
    });

    it("the meshConfig fragment shown is the one the dev stack exports", async () => {
        const section = readme.slice(readme.indexOf("## Mesh config and health checks"));
        const block = section.slice(section.indexOf("```yaml") + 7, section.indexOf("```", section.indexOf("```yaml") + 7));
        const run = await runStack("dev");
        assert.deepStrictEqual(YAML.parse(block).meshConfig, run.outputs?.meshConfig);
    });

    it("names the set-up and main commands", () => {
        for (const cmd of ["npm ci", "npm test", "pulumi up -s dev", "pulumi preview -s prod --policy-pack policy-pack"]) {
            assert.ok(readme.includes(cmd), cmd);
        }
    });
});
