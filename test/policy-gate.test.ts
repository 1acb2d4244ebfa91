/**
 * The policy gate against a real policy pack process (test/fixtures/policy-pack, loaded through
 * @pulumi/pulumi/cmd/run-policy-pack and its ts-node exactly as the CLI starts a pack), over the analyzer gRPC
 * protocol. The resources are hand-built so each part of the engine contract is pinned down on its own.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parsePolicyPackConfig } from "../lib/policy-config";
import { PolicyGateError, PolicyGateResult, runPolicyPack } from "../lib/policy-gate";
import { toWire, UNKNOWN_VALUE } from "../lib/analyzer-wire";
import { SECRET_SIG, SIG_KEY } from "../lib/manifests";
import type { StackResource } from "../lib/synth-run";
import { ROOT } from "./helpers";

const FIXTURE = path.join(ROOT, "test", "fixtures", "policy-pack");
const PROJECT = { name: "gate", runtime: "nodejs", description: "policy gate test" };
const base = "urn:pulumi:t::gate::";
const STACK_URN = `${base}pulumi:pulumi:Stack::gate-t`;
const PROVIDER_URN = `${base}pulumi:providers:kubernetes::k8s`;
const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

const RESOURCES: StackResource[] = [
    { type: "pulumi:pulumi:Stack", name: "gate-t", urn: STACK_URN, custom: false, inputs: {} },
    { type: "pulumi:providers:kubernetes", name: "k8s", urn: PROVIDER_URN, parentUrn: STACK_URN, custom: true, inputs: { context: "kind" } },
    {
        type: "kubernetes:core/v1:ConfigMap", name: "labelled", urn: `${base}kubernetes:core/v1:ConfigMap::labelled`, parentUrn: STACK_URN, providerUrn: PROVIDER_URN, custom: true,
        inputs: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "labelled", labels: { "fixture/forbidden": "x", team: "a" } }, data: { a: "1", b: "2" } },
    },
    { type: "test:index:Comp", name: "comp", urn: `${base}test:index:Comp::comp`, parentUrn: STACK_URN, custom: false, inputs: {} },
    {
        type: "kubernetes:core/v1:ConfigMap", name: "comp-child", urn: `${base}test:index:Comp$kubernetes:core/v1:ConfigMap::comp-child`, parentUrn: `${base}test:index:Comp::comp`,
        providerUrn: PROVIDER_URN, custom: true, inputs: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "child" }, data: { c: "3" } },
    },
    { type: "test:index:Secretive", name: "s", urn: `${base}test:index:Secretive::s`, parentUrn: STACK_URN, custom: true, inputs: { password: secret("hunter2") } },
];

function gate(policyConfig?: string): Promise<PolicyGateResult> {
    return runPolicyPack({
        packDir: FIXTURE,
        project: PROJECT,
        stack: "t",
        config: { "gate:answer": "42" },
        secretKeys: [],
        policyConfig: policyConfig === undefined ? undefined : parsePolicyPackConfig(policyConfig, "inline.json"),
        resources: RESOURCES,
    });
}

const find = (r: PolicyGateResult, policy: string) => r.violations.filter((v) => v.policyName === policy);

describe("policy gate (analyzer gRPC protocol, real pack process)", function () {
    this.timeout(60_000);

    describe("with the pack's own defaults", () => {
        let result: PolicyGateResult;
        before(async () => {
            result = await gate();
        });

        it("reads the pack's metadata over GetAnalyzerInfo", () => {
            assert.strictEqual(result.packName, "policy-gate-fixture");
            assert.strictEqual(result.packVersion, "0.0.1");
            assert.deepStrictEqual(result.policies, [
                { name: "configmap-note", enforcementLevel: "advisory" },
                { name: "forbidden-label", enforcementLevel: "mandatory" },
                { name: "max-resources", enforcementLevel: "mandatory" },
                { name: "secret-echo", enforcementLevel: "advisory" },
            ]);
            // Schema defaults are reconciled into the Configure call, as the CLI does.
            assert.deepStrictEqual(result.config["forbidden-label"], { enforcementLevel: "mandatory", properties: { label: "fixture/forbidden" } });
        });

        it("reports a mandatory violation on the analyzed resource's URN, with description and message", () => {
            const v = find(result, "forbidden-label");
            assert.deepStrictEqual(v.map((x) => [x.enforcementLevel, x.urn]), [["mandatory", `${base}kubernetes:core/v1:ConfigMap::labelled`]]);
            assert.strictEqual(v[0].message, "Objects must not carry the configured label.\nkubernetes:core/v1:ConfigMap labelled carries label fixture/forbidden");
            assert.strictEqual(v[0].policyPackName, "policy-gate-fixture");
        });

        it("lets the pack filter by type token (typed policies see only ConfigMaps, parent chain in the URN)", () => {
            assert.deepStrictEqual(find(result, "configmap-note").map((v) => [v.enforcementLevel, v.urn, v.message.split("\n")[1]]), [
                ["advisory", `${base}kubernetes:core/v1:ConfigMap::labelled`, "ConfigMap labelled has 2 keys"],
                ["advisory", `${base}test:index:Comp$kubernetes:core/v1:ConfigMap::comp-child`, "ConfigMap comp-child has 1 keys"],
            ]);
        });

        it("sends secrets in the engine's wire form, which the pack unwraps", () => {
            assert.deepStrictEqual(find(result, "secret-echo").map((v) => v.message.split("\n")[1]), ["password=hunter2"]);
        });

        it("runs stack policies over AnalyzeStack with the default config (no violation under 1000 resources)", () => {
            assert.deepStrictEqual(find(result, "max-resources"), []);
        });
    });

    it("applies a --policy-pack-config file: all, per-policy levels, properties, disabled", async () => {
        const result = await gate(JSON.stringify({
            all: "advisory",
            "forbidden-label": { label: "team" },
            "max-resources": { enforcementLevel: "mandatory", maxResources: 2 },
            "secret-echo": "disabled",
        }));
        assert.deepStrictEqual(find(result, "forbidden-label").map((v) => [v.enforcementLevel, v.message.split("\n")[1]]), [["advisory", "kubernetes:core/v1:ConfigMap labelled carries label team"]]);
        assert.deepStrictEqual(find(result, "secret-echo"), []);
        // AnalyzeStack: every resource, parents linked by URN (the stack itself has none), no URN on the diagnostic.
        assert.deepStrictEqual(find(result, "max-resources").map((v) => [v.enforcementLevel, v.urn, v.message.split("\n")[1]]), [["mandatory", "", "6 resources (5 with a parent) exceed 2"]]);
    });

    it("rejects config that does not match a policy's schema, as the CLI does before Configure", async () => {
        await assert.rejects(gate('{"forbidden-label": {"label": 5}, "max-resources": {"maxResources": "two"}}'), (e: Error) => {
            assert.ok(e instanceof PolicyGateError);
            assert.match(e.message, /policy pack config is invalid for policy-gate-fixture:\n {2}- forbidden-label\.label: 5 is not of type string\n {2}- max-resources\.maxResources: "two" is not of type number/);
            return true;
        });
    });

    it("refuses an entry for a name the pack lacks when it has no level, as the CLI's Configure does", async () => {
        await assert.rejects(gate('{"ghost": {"x": 1}}'), /policy pack config is invalid for policy-gate-fixture:\n {2}- ghost: not a policy of this pack, so it needs an enforcementLevel/);
    });

    it("fails with the pack's own output when the pack cannot start", async () => {
        const dir = fs.mkdtempSync(path.join(ROOT, "bin", "broken-pack-"));
        try {
            fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "broken", version: "0.0.1" }));
            fs.writeFileSync(path.join(dir, "index.js"), 'throw new Error("pack exploded on load");\n');
            await assert.rejects(runPolicyPack({ packDir: dir, project: PROJECT, stack: "t", config: {}, secretKeys: [], resources: RESOURCES }), (e: Error) => {
                assert.ok(e instanceof PolicyGateError);
                assert.match(e.message, /exited \(code \d+\) before reporting its port/);
                assert.match(e.message, /pack exploded on load/);
                return true;
            });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a directory without PulumiPolicy.yaml, or whose dependencies are not installed", async () => {
        const outside = fs.mkdtempSync(path.join(os.tmpdir(), "no-deps-pack-"));
        try {
            await assert.rejects(runPolicyPack({ packDir: outside, project: PROJECT, stack: "t", config: {}, secretKeys: [], resources: [] }), /policy pack not found/);
            fs.writeFileSync(path.join(outside, "PulumiPolicy.yaml"), "runtime: nodejs\n");
            await assert.rejects(runPolicyPack({ packDir: outside, project: PROJECT, stack: "t", config: {}, secretKeys: [], resources: [] }), /dependencies are not installed/);
        } finally {
            fs.rmSync(outside, { recursive: true, force: true });
        }
    });
});

describe("analyzer wire format", () => {
    it("keeps secrets wrapped, sends unknowns as the sentinel, drops internal keys", () => {
        const pulumi = require("@pulumi/pulumi");
        const unknown = require("@pulumi/pulumi/output").unknown;
        assert.ok(pulumi.isUnknown(unknown));
        assert.deepStrictEqual(toWire({ a: secret({ b: [1, unknown] }), __defaults: ["x"], c: { __inputs: 1, d: null } }), {
            a: { [SIG_KEY]: SECRET_SIG, value: { b: [1, UNKNOWN_VALUE] } },
            c: { d: null },
        });
    });
});
