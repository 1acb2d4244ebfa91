/**
 * tools/policy-check/analyzer.ts: the args and config handling must be what `pulumi preview --policy-pack` produces, or
 * the policy tests and policy:check would prove something the real engine path does not do. The config format
 * and its reconciliation are tested in test/tools/policy-check/pack-config.test.ts.
 */
import * as assert from "assert";
import { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { analyze, AnalyzedResource } from "../../../tools/policy-check/analyzer";
import { policyPackConfigFromJson } from "../../../tools/policy-check/pack-config";
import { run, yaml } from "../../policy-pack/helpers";

const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // the engine's sentinel for a value unknown during preview

const svc: AnalyzedResource = {
    type: "kubernetes:core/v1:Service",
    name: "s",
    urn: "urn:pulumi:dev::p::kubernetes:core/v1:Service::s",
    props: { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "a", annotations: undefined }, spec: { ports: [{ port: 1 }] } },
};

describe("in-process analyzer (the engine's policy run, emulated)", () => {
    it("config levels override the policy's; disabled policies do not run", async () => {
        const resources = yaml(`apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: x, namespace: a}\nspec: ` +
            `{hosts: ["*.x.com"], resolution: DNS}\n`);
        assert.deepStrictEqual((await run("service-entry-wildcard-resolution", resources, { config: "advisory" })).diagnostics.map((d) => d.enforcementLevel), ["advisory"]);
        assert.deepStrictEqual((await run("service-entry-wildcard-resolution", resources, { config: { enforcementLevel: "remediate" } })).diagnostics.map((d) => d.enforcementLevel), ["mandatory"]);
        assert.deepStrictEqual((await run("service-entry-wildcard-resolution", resources, { config: "disabled" })).diagnostics, []);
    });

    it("builds args like the analyzer server: proxied props, getConfig without enforcementLevel, stackTags, isType, notApplicable", async () => {
        const seen: Record<string, unknown> = {};
        const probe: ResourceValidationPolicy = {
            name: "probe",
            description: "probe",
            enforcementLevel: "mandatory",
            configSchema: { properties: { knob: { type: "string", default: "d" } } },
            validateResource: (args, report) => {
                seen.type = args.type;
                seen.config = args.getConfig();
                seen.tag = args.stackTags.get("team");
                seen.isService = args.isType({ __pulumiType: "kubernetes:core/v1:Service" } as never);
                seen.isPod = args.isType({ __pulumiType: "kubernetes:core/v1:Pod" } as never);
                seen.annotationsKept = "annotations" in args.props.metadata; // undefined values are dropped on the wire
                seen.port = args.props.spec.ports[0].port;
                report("found");
                args.notApplicable("done");
            },
        };
        const config = policyPackConfigFromJson({ probe: { enforcementLevel: "advisory", knob: "k" } }, "inline.json");
        const result = await analyze([probe], [svc], { config, stackTags: { team: "sre" } });
        assert.deepStrictEqual(seen, { type: "kubernetes:core/v1:Service", config: { knob: "k" }, tag: "sre", isService: true, isPod: false, annotationsKept: false, port: 1 });
        assert.deepStrictEqual(result.diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.message, d.urn]), [["probe", "advisory", "probe\nfound", svc.urn]]);
        assert.deepStrictEqual(result.notApplicable, [{ policyName: "probe", reason: "done", urn: svc.urn }]);
    });

    it("a value unknown during preview turns into an advisory 'can't run during preview', as in the engine", async () => {
        const unknownNs: AnalyzedResource = { ...svc, props: { ...svc.props, metadata: { name: "s", namespace: UNKNOWN_STRING } } };
        const reader: StackValidationPolicy = {
            name: "reader",
            description: "reads namespaces",
            enforcementLevel: "mandatory",
            validateStack: (args) => void args.resources.map((r) => r.props.metadata.namespace),
        };
        const result = await analyze([reader], [unknownNs]);
        assert.deepStrictEqual(result.diagnostics.map((d) => d.enforcementLevel), ["advisory"]);
        assert.match(result.diagnostics[0].message, /can't run policy 'reader' during preview: string value at .metadata.namespace can't be known during preview/);
    });

    it("stack policies see parents and providers; a throwing policy fails the run with its name", async () => {
        const provider = { type: "pulumi:providers:kubernetes", name: "k8s", urn: "urn:pulumi:dev::p::pulumi:providers:kubernetes::k8s", props: { namespace: "apps" } };
        const child: AnalyzedResource = { ...svc, parent: "urn:parent", provider };
        const parent: AnalyzedResource = { type: "eco2:tracing:X", name: "x", urn: "urn:parent", props: {} };
        let parentType: string | undefined;
        let providerNs: unknown;
        const stack: StackValidationPolicy = {
            name: "stack",
            description: "d",
            validateStack: (args) => {
                const s = args.resources.find((r) => r.type === svc.type)!;
                parentType = s.parent?.type;
                providerNs = s.provider?.props.namespace;
            },
        };
        await analyze([stack], [parent, child]);
        assert.deepStrictEqual([parentType, providerNs], ["eco2:tracing:X", "apps"]);
        const broken: Policies = [{ name: "broken", description: "d", validateStack: () => { throw new Error("boom"); } }];
        await assert.rejects(analyze(broken, [svc]), /Error validating stack with policy 'broken': boom/);
    });
});
