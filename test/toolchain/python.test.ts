import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PYTHON_REQUIREMENTS, pythonEnvKey } from "../../toolchain/build/python";
import { ROOT } from "../helpers";

interface Pin {
    name: string;
    version: string;
    hashes: string[];
    app: boolean;
}

/** The requirements file's entries: `name[extra]==version \ --hash=sha256:... [# app]`, continuation lines joined. */
function pins(text: string): Pin[] {
    const entries = text.replace(/\s*\\\n\s*/g, " ").split("\n").filter((l) => l.trim() && !l.startsWith("#"));
    return entries.map((line) => {
        const m = /^([a-z0-9-]+)(?:\[[a-z0-9,-]+\])?==(\S+)((?: --hash=sha256:[0-9a-f]{64})+)(\s+# app)?$/.exec(line);
        assert.ok(m, `not an exact pin with hashes: ${line}`);
        return { name: m[1], version: m[2], hashes: m[3].trim().split(" "), app: !!m[4] };
    });
}

const requirements = fs.readFileSync(PYTHON_REQUIREMENTS, "utf8");

describe("toolchain: the Python environment (offline parts)", () => {
    it("pins every package exactly, with a hash, once, in name order (pip --require-hashes --no-deps installs just these)", () => {
        const names = pins(requirements).map((p) => p.name);
        assert.deepStrictEqual(names, [...new Set(names)].sort());
    });

    it("OTel at one release per line: the SDK packages 1.45.2, the contrib packages 0.66b2, the B3 propagator 1.45.1", () => {
        const otel = pins(requirements).filter((p) => p.name.startsWith("opentelemetry-"));
        const contrib = /^opentelemetry-(instrumentation|distro|semantic-conventions|util-http|exporter-otlp-common)/;
        for (const p of otel) {
            const expected = p.name === "opentelemetry-propagator-b3" ? "1.45.1" : contrib.test(p.name) ? "0.66b2" : "1.45.2";
            assert.strictEqual(p.version, expected, p.name);
        }
        for (const needed of ["fastapi", "httpx", "celery"]) {
            assert.ok(otel.some((p) => p.name === `opentelemetry-instrumentation-${needed}`), needed);
        }
    });

    it("the tests install what docs/app-sdks.md tells app teams to install, at the same versions", () => {
        const docs = fs.readFileSync(path.join(ROOT, "docs", "app-sdks.md"), "utf8");
        const snippet = /```text\n([^`]+)```/.exec(docs)![1];
        const installed = new Map(pins(requirements).map((p) => [p.name, p]));
        for (const line of snippet.trim().split("\n")) {
            const [name, version] = line.split("==");
            assert.strictEqual(installed.get(name)?.version, version, line);
            assert.ok(installed.get(name)?.app, `${name} is one of the apps' own requirements (# app)`);
        }
    });

    it("the venv's key follows the file and the interpreter, nothing else", () => {
        const key = pythonEnvKey(requirements, "3.11.7");
        assert.match(key, /^[0-9a-f]{16}$/);
        assert.strictEqual(pythonEnvKey(requirements, "3.11.7"), key);
        assert.notStrictEqual(pythonEnvKey(`${requirements}\n`, "3.11.7"), key);
        assert.notStrictEqual(pythonEnvKey(requirements, "3.12.1"), key);
    });
});
