/**
 * The stack file's keys (tools/stack-keys.ts), read once for the mock plan, synth and the local runner: Pulumi's
 * unprefixed form is the project's key, one key in both forms, a misspelt namespace and an unknown section are
 * config errors with the key, the value as written and what is allowed.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT } from "../../components/config";
import { readStackFile, readStackConfig, readProject, StackKeysError } from "../../tools/stack-file";
import { normalizeKeys, stackFileKeys, unknownSectionProblems } from "../../tools/stack-keys";
import { unknownNamespaceProblems } from "../../components/config/namespaces";
import { ROOT } from "../helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stack-keys-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let counter = 0;
const write = (doc: unknown) => {
    const file = path.join(tmp, `Pulumi.case-${++counter}.yaml`);
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
};
/** The committed dev file with every project key written without the namespace. */
function unprefixedDev(): Record<string, unknown> {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
    const config = Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k.replace(`${PROJECT}:`, ""), v]));
    return { ...doc, config };
}
const keysError = (f: () => unknown): StackKeysError => {
    try {
        f();
    } catch (e) {
        if (e instanceof StackKeysError) return e;
        throw e;
    }
    assert.fail("expected a StackKeysError");
};

describe("stack file keys", () => {
    it("a key without a namespace is the project's: the unprefixed dev file reads exactly as the committed one", () => {
        const committed = readStackFile(path.join(ROOT, "Pulumi.dev.yaml"), PROJECT);
        assert.deepStrictEqual(readStackFile(write(unprefixedDev()), PROJECT), committed);
    });

    it("keys of other namespaces and provider keys keep their names; secure values stay recognisable", () => {
        const { config, problems } = normalizeKeys(PROJECT, { "kubernetes:context": "kind", sampling: 5, pass: { secure: "x" } });
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(config, { "kubernetes:context": "kind", [`${PROJECT}:sampling`]: 5, [`${PROJECT}:pass`]: { secure: "x" } });
    });

    it("one key in both forms is a config error naming both keys and their values, whatever the order", () => {
        const short = { jaeger: { replicas: 1 } };
        const long = { [`${PROJECT}:jaeger`]: { replicas: 2 } };
        for (const raw of [{ ...short, ...long }, { ...long, ...short }]) {
            const { problems } = normalizeKeys(PROJECT, raw);
            assert.strictEqual(problems.length, 1);
            assert.match(problems[0], /^eco2-tracing:jaeger = \{"replicas":2\}: also written as jaeger = \{"replicas":1\}, the same key/);
            assert.match(problems[0], /allowed: one of jaeger or eco2-tracing:jaeger$/);
        }
    });

    it("readStackConfig throws the keys error as it is (exit 2 in synth and the runner), with the file and every problem", () => {
        const file = write({ confg: {}, config: { jaeger: {}, [`${PROJECT}:jaeger`]: {}, "eco2-tracng:sampling": 50 } });
        const e = keysError(() => readStackConfig(file, readProject(ROOT)));
        assert.ok(e.message.startsWith(`invalid stack file ${file} (3 problems):\n  - `), e.message);
        assert.strictEqual(e.problems.length, 3);
    });

    it("a misspelt project namespace names the project key that was meant and the allowed namespaces", () => {
        const [p] = unknownNamespaceProblems(PROJECT, { "eco2-tracng:sampling": 50 });
        assert.strictEqual(p, 'eco2-tracng:sampling = 50: unknown namespace "eco2-tracng" (did you mean eco2-tracing:sampling?); ' +
            "allowed namespaces: eco2-tracing, kubernetes, pulumi");
        assert.match(unknownNamespaceProblems(PROJECT, { "eco2-tracng:jaegr": {} })[0], /did you mean eco2-tracing:jaeger\?/);
    });

    it("the project's, kubernetes' and pulumi's namespaces and unprefixed keys are never reported as unknown namespaces", () => {
        const raw = { [`${PROJECT}:sampling`]: 1, "kubernetes:context": "x", "pulumi:tags": {}, sampling: 1 };
        assert.deepStrictEqual(unknownNamespaceProblems(PROJECT, raw), []);
    });

    it("an unknown top-level section is reported with the section that was meant; Pulumi's own sections are not", () => {
        const pulumiOwn = { config: {}, encryptionsalt: "s", secretsprovider: "p", encryptedkey: "k", environment: [] };
        assert.deepStrictEqual(unknownSectionProblems(pulumiOwn), []);
        assert.deepStrictEqual(unknownSectionProblems({ confg: { sampling: 5 } }), [
            'confg = {"sampling":5}: unknown section of a stack file (did you mean config?); ' +
                "allowed: config, encryptedkey, encryptionsalt, environment, secretsprovider",
        ]);
    });

    it("a file with no config, or an empty one, has no keys and no problems", () => {
        assert.deepStrictEqual(stackFileKeys("f", PROJECT, {}), {});
        assert.deepStrictEqual(stackFileKeys("f", PROJECT, null), {});
    });
});
