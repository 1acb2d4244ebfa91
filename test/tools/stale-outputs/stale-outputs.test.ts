import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { removeStaleOutputs } from "../../../tools/stale-outputs/main";

describe("stale compiled outputs", () => {
    it("removes compiled files (and emptied folders) whose source is gone, keeps the rest", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "stale-"));
        const write = (f: string) => {
            fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
            fs.writeFileSync(path.join(root, f), "");
        };
        for (const f of ["program/k8s.ts", "bin/program/k8s.js", "bin/program/k8s.js.map", "bin/lib/labels.js", "bin/lib/labels.js.map", "bin/.tsbuildinfo"]) write(f);
        assert.deepStrictEqual(removeStaleOutputs(root, true), ["lib/labels.js", "lib/labels.js.map"]);
        assert.ok(fs.existsSync(path.join(root, "bin/lib/labels.js")), "a dry run removes nothing");
        removeStaleOutputs(root);
        assert.deepStrictEqual(fs.readdirSync(path.join(root, "bin")).sort(), [".tsbuildinfo", "program"]);
        assert.deepStrictEqual(fs.readdirSync(path.join(root, "bin/program")).sort(), ["k8s.js", "k8s.js.map"]);
        fs.rmSync(root, { recursive: true });
    });
});
