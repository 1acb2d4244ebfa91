/** telemetry-provider-known and prod-sampling-range. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PolicyConfigError } from "../../tools/policy-check/pack-config";
import { ROOT } from "../helpers";
import { assertCompliant, assertViolation, run, violations, yaml } from "./helpers";

const telemetry = (namespace: string, name: string, spec: string, apiVersion = "telemetry.istio.io/v1") => `
apiVersion: ${apiVersion}
kind: Telemetry
metadata: {name: ${name}, namespace: ${namespace}}
spec: ${spec}
---`;

const prodConfig = JSON.parse(fs.readFileSync(path.join(ROOT, "policy-pack", "config", "prod.json"), "utf8"))["prod-sampling-range"];

describe("policy telemetry-provider-known", () => {
    const NAME = "telemetry-provider-known";

    it("the provider this project registers is known; an unknown one is a violation naming it", async () => {
        await assertCompliant(NAME, yaml(telemetry("istio-system", "mesh-default", "{tracing: [{providers: [{name: jaeger}], randomSamplingPercentage: 5}]}")));
        await assertViolation(NAME, yaml(telemetry("shop", "tracing", "{tracing: [{providers: [{name: jaeger}]}, {providers: [{name: zipkin}]}]}")), [
            /Telemetry shop\/tracing/,
            /tracing\[1\] names provider "zipkin"/,
            /known: jaeger/,
        ]);
    });

    it("checks every served version and no other kinds", async () => {
        await assertViolation(NAME, yaml(telemetry("shop", "old", "{tracing: [{providers: [{name: otel}]}]}", "telemetry.istio.io/v1alpha1")), [/"otel"/]);
        const other = await run(NAME, yaml(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: shop}\ndata: {providers: zipkin}\n`));
        assert.deepStrictEqual([other.diagnostics.length, other.notApplicable.length], [0, 1]);
    });

    it("no tracing section or no providers (mesh default provider) is fine", async () => {
        await assertCompliant(NAME, yaml(telemetry("shop", "logs", "{accessLogging: [{providers: [{name: envoy}]}]}") + telemetry("shop", "sampling", "{tracing: [{randomSamplingPercentage: 1}]}")));
    });

    it("the known providers come from config", async () => {
        const otel = yaml(telemetry("shop", "t", "{tracing: [{providers: [{name: otel}]}]}"));
        await assertCompliant(NAME, otel, { config: { providers: ["jaeger", "otel"] } });
        await assert.rejects(run(NAME, otel, { config: { providers: [] } }), PolicyConfigError, "at least one provider");
    });
});

describe("policy prod-sampling-range", () => {
    const NAME = "prod-sampling-range";
    const mesh = (pct: unknown) => yaml(telemetry("istio-system", "mesh-default", `{tracing: [{providers: [{name: jaeger}], randomSamplingPercentage: ${JSON.stringify(pct)}}]}`));
    const payment = (namespace: string, name: string, pct: number) =>
        yaml(telemetry(namespace, name, `{selector: {matchLabels: {app: payment}}, tracing: [{randomSamplingPercentage: ${pct}}]}`));

    it("prod config: 1–10 % with the payment override allow-listed", () => {
        assert.deepStrictEqual(prodConfig, { enforcementLevel: "mandatory", min: 1, max: 10, allowList: ["my/payment"] });
    });

    it("mesh-wide and namespace-wide sampling must be within [min, max]", async () => {
        await assertCompliant(NAME, mesh(5), { config: prodConfig });
        await assertCompliant(NAME, mesh(1), { config: prodConfig });
        await assertCompliant(NAME, mesh(10), { config: prodConfig });
        await assertViolation(NAME, mesh(50), [/istio-system\/mesh-default \(mesh-wide\)/, /= 50 is outside the allowed range 1–10/], { config: prodConfig });
        await assertViolation(NAME, mesh(0.5), [/= 0.5 is outside/], { config: prodConfig });
        await assertViolation(NAME, yaml(telemetry("shop", "ns", "{tracing: [{randomSamplingPercentage: 20}]}")), [/shop\/ns \(namespace-wide\)/], { config: prodConfig });
    });

    it("workload overrides above max only when allow-listed (namespace/name)", async () => {
        await assertCompliant(NAME, payment("my", "payment", 100), { config: prodConfig });
        await assertViolation(NAME, payment("my", "checkout", 100), [/my\/checkout \(workload-level\)/, /add "my\/checkout" to allowList/], { config: prodConfig });
        await assertViolation(NAME, payment("shop", "payment", 100), [/shop\/payment/], { config: prodConfig });
        // Lowering sampling for a workload is always allowed.
        await assertCompliant(NAME, payment("shop", "quiet", 0), { config: prodConfig });
        const targetRefs = yaml(telemetry("shop", "gw", "{targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: gw}], tracing: [{randomSamplingPercentage: 50}]}"));
        await assertViolation(NAME, targetRefs, [/workload-level/], { config: prodConfig });
    });

    it("a selector without labels is not a workload override", async () => {
        await assertViolation(NAME, yaml(telemetry("shop", "empty-selector", "{selector: {matchLabels: {}}, tracing: [{randomSamplingPercentage: 100}]}")), [/namespace-wide/], { config: prodConfig });
    });

    it("a non-numeric percentage is a violation; an unset one inherits and passes", async () => {
        await assertViolation(NAME, mesh("5"), [/is "5", not a number/], { config: prodConfig });
        await assertCompliant(NAME, yaml(telemetry("istio-system", "mesh-default", "{tracing: [{providers: [{name: jaeger}]}]}")), { config: prodConfig });
    });

    it("defaults (and the dev config) accept 100 %", async () => {
        await assertCompliant(NAME, mesh(100));
        const dev = JSON.parse(fs.readFileSync(path.join(ROOT, "policy-pack", "config", "dev.json"), "utf8"))[NAME];
        await assertCompliant(NAME, mesh(100), { config: dev });
    });

    it("config errors: out-of-range values are refused like the CLI does; a reversed range fails the run", async () => {
        await assert.rejects(run(NAME, mesh(5), { config: { max: 200 } }), /prod-sampling-range\.max: 200 is greater than the maximum 100/);
        await assert.rejects(run(NAME, mesh(5), { config: { allowList: ["payment"] } }), /allowList\[0\]: "payment" does not match/);
        await assert.rejects(run(NAME, mesh(5), { config: { min: 20, max: 10 } }), /min \(20\) is greater than max \(10\)/);
        assert.deepStrictEqual(await violations(NAME, mesh(5), { config: "disabled" }), []);
    });
});
