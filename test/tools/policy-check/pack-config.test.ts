/**
 * tools/policy-check/pack-config.ts: `--policy-pack-config` as the CLI handles it (pkg/resource/analyzer/config.go), for the
 * in-process analyzer of `policy:check`. Where earlier implementations here disagreed with the CLI, the CLI's behaviour
 * is kept; each such case is pinned down here.
 */
import * as assert from "assert";
import { Policies } from "@pulumi/policy";
import { policies } from "../../../policy-pack/policies";
import {
    parsePolicyPackConfig, PolicyConfigError, policyPackConfigFromJson, PolicyMetadata, reconcilePolicyConfig, resolvePolicyConfig, schemaProblems,
} from "../../../tools/policy-check/pack-config";
import { policyMetadata, reconcileConfig } from "../../../tools/policy-check/analyzer";

const problemsOf = (fn: () => unknown): readonly string[] => {
    try {
        fn();
    } catch (e) {
        assert.ok(e instanceof PolicyConfigError, `expected a PolicyConfigError, got ${e}`);
        return e.problems;
    }
    assert.fail("expected a PolicyConfigError");
};

describe("policy pack config: the file format", () => {
    it("parses levels and objects (enforcementLevel split from the properties)", () => {
        assert.deepStrictEqual(parsePolicyPackConfig('{"b": "disabled", "a": {"enforcementLevel": "mandatory", "max": 3}, "d": ' +
            '{"enforcementLevel": "remediate"}, "e": {"x": [1]}}', "c.json"), {
            a: { enforcementLevel: "mandatory", properties: { max: 3 } },
            b: { enforcementLevel: "disabled" },
            d: { enforcementLevel: "remediate" },
            e: { properties: { x: [1] } },
        });
    });

    it("an empty entry, a blank file and null are no config, as in the CLI", () => {
        // The in-process analyzer used to keep `{}` entries (and list them as unknown); the CLI drops them.
        assert.deepStrictEqual(parsePolicyPackConfig('{"c": {}, "d": "advisory"}', "c.json"), { d: { enforcementLevel: "advisory" } });
        assert.deepStrictEqual(parsePolicyPackConfig("  \n", "c.json"), {});
        // Both implementations refused `null`; Go's json.Unmarshal makes it an empty map, so the CLI accepts it.
        assert.deepStrictEqual(parsePolicyPackConfig("null", "c.json"), {});
    });

    it("rejects what the CLI rejects, naming the file, the policy and the bad value", () => {
        assert.throws(() => parsePolicyPackConfig('{"p": "strict"}', "c.json"), /c\.json: p: "strict" is not an enforcement level; allowed: advisory, mandatory, disabled, remediate/);
        assert.throws(() => parsePolicyPackConfig('{"p": {"enforcementLevel": 1}}', "c.json"), /c\.json: p\.enforcementLevel: 1 is not an enforcement level/);
        assert.throws(() => parsePolicyPackConfig('{"p": {"enforcementLevel": "loud"}}', "c.json"), /p\.enforcementLevel: "loud" is not an enforcement level/);
        assert.throws(() => parsePolicyPackConfig('{"p": 5}', "c.json"), /c\.json: p: 5 is not valid; must be an enforcement level \(string\) or an object/);
        assert.throws(() => parsePolicyPackConfig('{"p": null}', "c.json"), /p: null is not valid/);
        assert.throws(() => parsePolicyPackConfig("[1]", "c.json"), /c\.json: must be a JSON object keyed by policy name/);
        assert.throws(() => policyPackConfigFromJson([], "inline"), /inline: must be a JSON object/);
        assert.throws(() => parsePolicyPackConfig("{", "c.json"), /c\.json: not valid JSON/);
    });

    it("collects every problem before failing", () => {
        const problems = problemsOf(() => parsePolicyPackConfig('{"a": "strict", "b": 5, "c": {"enforcementLevel": "loud"}, "d": ' +
            '"advisory"}', "c.json"));
        assert.deepStrictEqual(problems.map((p) => p.split(":")[0]), ["a", "b", "c.enforcementLevel"]);
        assert.throws(() => parsePolicyPackConfig('{"a": "strict", "b": 5}', "c.json"), /invalid policy pack config:\n {2}- c\.json: a: .*\n {2}- c\.json: b: /);
    });
});

describe("policy pack config: reconciliation (ReconcilePolicyPackConfig)", () => {
    const meta: PolicyMetadata[] = [
        { name: "a", enforcementLevel: "mandatory", configSchema: { properties: { max: { type: "number", default: 3 }, min: { type: "number", default: 1 }, other: { type: "string" } } } },
        { name: "b", enforcementLevel: "advisory" },
    ];

    it("defaults, then the pack's initial config, then the file (all before per-policy entries)", () => {
        const config = reconcilePolicyConfig(meta, { b: { enforcementLevel: "mandatory" } }, parsePolicyPackConfig('{"all": "advisory", ' +
            '"a": {"max": 5}}', "c.json"));
        assert.deepStrictEqual(config, {
            a: { enforcementLevel: "advisory", properties: { max: 5, min: 1 } },
            b: { enforcementLevel: "advisory" },
            all: { enforcementLevel: "advisory" },
        });
    });

    it("each layer applies its own `all` first; properties merge key by key; the file's entries win", () => {
        const initial = { all: { enforcementLevel: "mandatory" as const }, a: { properties: { min: 2 } } };
        const config = reconcilePolicyConfig(meta, initial, parsePolicyPackConfig('{"b": "advisory", "a": {"max": 4}}', "c.json"));
        assert.deepStrictEqual(config, {
            a: { enforcementLevel: "mandatory", properties: { max: 4, min: 2 } },
            b: { enforcementLevel: "advisory" },
            all: { enforcementLevel: "mandatory" },
        });
    });

    it("schema defaults are copies: changing the result leaves the policy metadata alone", () => {
        const withList: PolicyMetadata[] = [{ name: "l", enforcementLevel: "advisory", configSchema: { properties: { xs: { type: "array", default: ["x"] } } } }];
        (reconcilePolicyConfig(withList, {}, {}).l.properties!.xs as string[]).push("y");
        assert.deepStrictEqual(reconcilePolicyConfig(withList, {}, {}).l.properties, { xs: ["x"] });
    });

    it("validates each policy that has a schema against its reconciled properties, defaults included", () => {
        const policiesWithSchemas: PolicyMetadata[] = [
            { name: "bad-default", enforcementLevel: "advisory", configSchema: { properties: { n: { type: "number", default: "x" as never } } } },
            { name: "needs-k", enforcementLevel: "advisory", configSchema: { required: ["k"] } },
            { name: "no-schema", enforcementLevel: "advisory" },
        ];
        const { problems } = resolvePolicyConfig(policiesWithSchemas, { "no-schema": { properties: { anything: 1 } } });
        assert.deepStrictEqual(problems, ['bad-default.n: "x" is not of type number', "needs-k: k is required"]);
        assert.deepStrictEqual(resolvePolicyConfig(policiesWithSchemas, { "bad-default": { properties: { n: 2 } }, "needs-k": { properties: { k: 1 } } }).problems, []);
    });

    it("names outside the pack: passed on and listed as unknown with a level, refused without one", () => {
        // The CLI sends them with Configure; the analyzer plugin refuses an entry whose level is not valid.
        const ok = resolvePolicyConfig(meta, parsePolicyPackConfig('{"all": "mandatory", "nope": "advisory"}', "c.json"));
        assert.deepStrictEqual([ok.config.nope, ok.unknown, ok.problems], [{ enforcementLevel: "advisory" }, ["nope"], []]);
        const refused = resolvePolicyConfig(meta, parsePolicyPackConfig('{"all": {"x": 1}, "ghost": {"y": 2}}', "c.json"));
        assert.deepStrictEqual(refused.unknown, ["ghost"]);
        assert.deepStrictEqual(refused.problems.map((p) => p.split(":")[0]), ["all", "ghost"]);
        assert.match(refused.problems[1], /ghost: not a policy of this pack, so it needs an enforcementLevel/);
        assert.strictEqual(refused.config.a.enforcementLevel, "mandatory", "an `all` without a level changes no level");
    });
});

describe("policy pack config: the pack's own policies through the in-process analyzer", () => {
    it("reconciles like the CLI: schema defaults, `all`, per-policy levels and properties, unknown names", () => {
        const { config, unknown } = reconcileConfig(policies, policyPackConfigFromJson({
            all: "advisory",
            "prod-sampling-range": { enforcementLevel: "mandatory", max: 10 },
            "jaeger-ui-not-public": "disabled",
            "no-such-policy": "mandatory",
        }, "inline.json"));
        assert.deepStrictEqual(config["prod-sampling-range"], { enforcementLevel: "mandatory", properties: { min: 0, max: 10, allowList: [], rootNamespace: "istio-system" } });
        assert.strictEqual(config["jaeger-ui-not-public"].enforcementLevel, "disabled");
        assert.strictEqual(config["app-namespace-zipkin-egress"].enforcementLevel, "advisory", "all applies to the rest");
        assert.deepStrictEqual(config["app-namespace-zipkin-egress"].properties?.collectorPodLabels, {
            "app.kubernetes.io/component": "all-in-one", "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/name": "jaeger",
        });
        assert.deepStrictEqual(unknown, ["no-such-policy"]);
        assert.strictEqual(reconcileConfig(policies).config["service-entry-wildcard-resolution"].enforcementLevel, "mandatory");
    });

    it("refuses schema violations, naming the source, the policy, the path and the value", () => {
        const refuse = (raw: unknown) => () => reconcileConfig(policies, policyPackConfigFromJson(raw, "inline.json"), { source: "prod.json" });
        assert.throws(refuse({ "app-namespace-zipkin-egress": { collectorPodLabels: { app: 1 } } }), /prod\.json: app-namespace-zipkin-egress\.collectorPodLabels\.app: 1 is not of type string/);
        assert.throws(refuse({ "app-namespace-zipkin-egress": { appNamespaces: ["Bad_NS"] } }), /appNamespaces\[0\]: "Bad_NS" does not match/);
        assert.deepStrictEqual(problemsOf(refuse({ "prod-sampling-range": { min: -1, max: 500 } })), [
            "prod-sampling-range.min: -1 is less than the minimum 0",
            "prod-sampling-range.max: 500 is greater than the maximum 100",
        ]);
    });

    it("maps policy objects as GetAnalyzerInfo does: the pack's level for a policy without one, schemas as declared", () => {
        const own: Policies = [
            { name: "plain", description: "d", validateStack: () => undefined },
            { name: "typed", description: "d", enforcementLevel: "advisory", configSchema: { properties: { k: { type: "string" } }, required: ["k"] }, validateStack: () => undefined },
        ];
        assert.deepStrictEqual(policyMetadata(own, "mandatory"), [
            { name: "plain", enforcementLevel: "mandatory" },
            { name: "typed", enforcementLevel: "advisory", configSchema: { properties: { k: { type: "string" } }, required: ["k"] } },
        ]);
        assert.throws(() => reconcileConfig(own), /typed: k is required/);
    });
});

describe("policy pack config: the JSON-schema subset (gojsonschema's checks the CLI runs)", () => {
    it("checks type, enum, bounds, strings, arrays and objects, with the path and the value", () => {
        const cases: [Parameters<typeof schemaProblems>[0], unknown, string[]][] = [
            [{ type: "integer" }, 2, []],
            [{ type: "integer" }, 1.5, ["p: 1.5 is not of type integer"]],
            [{ type: ["string", "null"] }, null, []],
            [{ enum: ["a", "b"] }, "c", ['p: "c" is not one of ["a","b"]']],
            [{ minimum: 1, maximum: 10 }, 0, ["p: 0 is less than the minimum 1"]],
            [{ minimum: 1, maximum: 10 }, 11, ["p: 11 is greater than the maximum 10"]],
            [{ minLength: 2, pattern: "^[a-z]+$" }, "A", ['p: "A" is shorter than 2', 'p: "A" does not match ^[a-z]+$']],
            [{ minItems: 1 }, [], ["p: needs at least 1 item(s)"]],
            [{ items: { type: "string" } }, ["a", 1], ["p[1]: 1 is not of type string"]],
            [{ required: ["k"], properties: { n: { type: "number" } }, additionalProperties: { type: "boolean" } }, { n: "1", x: 2 }, ["p: k is required", 'p.n: "1" is not of type number', "p.x: 2 is not of type boolean"]],
            [true, 1, []],
            [false, 1, ["p: no value is allowed here"]],
        ];
        for (const [schema, value, expected] of cases) assert.deepStrictEqual(schemaProblems(schema, value, "p"), expected, JSON.stringify(schema));
    });

    it("refuses keywords outside the subset rather than half-checking", () => {
        assert.throws(() => schemaProblems({ format: "uri" }, "x", "p"), /keyword\(s\) format at p are not supported/);
        assert.throws(() => schemaProblems({ items: [{ type: "string" }] }, ["x"], "p"), /tuple "items" at p/);
    });
});
