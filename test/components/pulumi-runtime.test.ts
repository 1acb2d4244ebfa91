/**
 * `pulumi up` does not run bin/: the CLI's Node language host loads index.ts through ts-node (its vendored
 * ts-node 7 with the project's TypeScript, module nodenext). This loads the program that same way — same
 * helper functions of the SDK, same compiler options — so a tsconfig or ESM-loading change that only breaks
 * under the CLI fails here too.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import { ROOT } from "../helpers";

const SCRIPT = `
const path = require("path");
const tsutils = require("@pulumi/pulumi/tsutils");
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const project = path.join(process.cwd(), "tsconfig.json");
// As @pulumi/pulumi/cmd/run/run.js does for TypeScript >= 4.7 outside ESM mode.
require(tsnodeRequire).register({
    compiler: typescriptRequire,
    project,
    compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...tsutils.loadTypeScriptCompilerOptions(project) },
});
const { runStack } = require("./test/helpers.ts");
runStack(process.argv[1]).then(
    (run) => console.log(JSON.stringify({ tsnode: tsnodeRequire, typescript: require(typescriptRequire).version, resources: run.resources.map((r) => r.type) })),
    (e) => { console.error(e); process.exit(1); },
);
`;

describe("Pulumi's TypeScript runtime", () => {
    it("loads index.ts from source as the CLI does and runs the dev stack", function () {
        this.timeout(120_000);
        const res = spawnSync(process.execPath, ["-e", SCRIPT, "dev"], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(res.status, 0, res.stderr);
        const out = JSON.parse(res.stdout.trim().split("\n").pop()!);
        assert.match(out.tsnode, /vendor[/\\]ts-node@7/);
        assert.match(out.typescript, /^5\./);
        // Loaded from source, the program still reaches the ESM-only schema models and registers Istio objects.
        assert.ok(out.resources.includes("kubernetes:telemetry.istio.io/v1:Telemetry"), out.resources.join(", "));
    });
});
