/**
 * The stack's own dev and prod programs (run under mocks, resources handed over as the engine would) pass every
 * mandatory policy of the pack with their per-stack policy config — and the policies really looked at them.
 */
import * as assert from "assert";
import * as path from "path";
import { policies } from "../../policy-pack/policies";
import { analyze, AnalysisResult, AnalyzedResource } from "../../tools/policy-check/analyzer";
import { PolicyPackConfig, readPolicyPackConfig } from "../../tools/policy-check/pack-config";
import { ROOT, runStack } from "../helpers";
import { fromMockRun } from "./helpers";

function packConfig(stack: string): PolicyPackConfig {
    return readPolicyPackConfig(path.join(ROOT, "policy-pack", "config", `${stack}.json`));
}

async function check(stack: string, resources: AnalyzedResource[]): Promise<AnalysisResult> {
    return analyze(policies, resources, { config: packConfig(stack), stackTags: { "pulumi:project": "eco2-tracing" } });
}

const mandatory = (r: AnalysisResult) => r.diagnostics.filter((d) => d.enforcementLevel === "mandatory").map((d) => `${d.policyName}: ${d.detail}`);

describe("policy pack over the stack's own programs", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: no mandatory violation, and every stack policy applied`, async () => {
            const resources = fromMockRun(await runStack(stack), stack);
            const result = await check(stack, resources);
            assert.deepStrictEqual(mandatory(result), []);
            const skipped = result.notApplicable.filter((n) => n.urn === undefined).map((n) => `${n.policyName}: ${n.reason}`);
            assert.deepStrictEqual(skipped, [], "the stack policies must find app namespaces and the Jaeger install");
            // The resource policies saw the objects they are about.
            for (const type of ["kubernetes:telemetry.istio.io/v1:Telemetry", "kubernetes:networking.istio.io/v1:ServiceEntry", "kubernetes:core/v1:Service", "kubernetes:helm.sh/v3:Release"]) {
                assert.ok(resources.some((r) => r.type === type), `${stack} registers a ${type}`);
            }
        });
    }

    it("GitOps variant (renderYamlToDirectory: Jaeger as a helm.sh/v4 Chart): still no mandatory violation, Jaeger checked", async () => {
        for (const stack of ["dev", "prod"]) {
            const resources = fromMockRun(await runStack(stack, { set: { kubernetes: { renderYamlToDirectory: `rendered/${stack}` } } }), stack);
            assert.ok(resources.some((r) => r.type === "kubernetes:helm.sh/v4:Chart"));
            const result = await check(stack, resources);
            assert.deepStrictEqual(mandatory(result), []);
            assert.deepStrictEqual(result.notApplicable.filter((n) => n.policyName === "jaeger-resources-bounded"), []);
        }
    });

    it("prod: without the per-namespace collector egress policies, default-deny egress blocks Zipkin in every app namespace", async () => {
        const resources = fromMockRun(await runStack("prod"), "prod");
        const egress = resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && (r.props as any).metadata?.namespace !== "istio-system");
        assert.ok(egress.length >= 5, "prod restricts egress in the app namespaces");
        // Keep only policies that do not allow TCP 9411 anywhere, as a namespace with only the DNS allow would be.
        const withoutCollector = resources.filter((r) => !egress.includes(r) || !JSON.stringify(r.props).includes("9411"));
        const found = mandatory(await check("prod", withoutCollector));
        assert.deepStrictEqual(found.map((m) => /namespace "([a-z-]+)"/.exec(m)?.[1]).sort(), ["auth", "character", "chat", "my", "scan"]);
        assert.ok(found.every((m) => m.startsWith("app-namespace-zipkin-egress: ") && m.includes("TCP 9411")));
    });

    it("prod: a workload override above 10 % that is not allow-listed is caught", async () => {
        const resources = fromMockRun(await runStack("prod", {
            set: { telemetry: { accessLogging: true, workloadOverrides: [{ name: "checkout", namespace: "my", matchLabels: { app: "checkout" }, sampling: 100 }] } },
        }), "prod");
        const found = mandatory(await check("prod", resources));
        assert.deepStrictEqual(found.map((m) => m.split(":")[0]), ["prod-sampling-range"]);
        assert.match(found[0], /my\/checkout/);
    });
});
