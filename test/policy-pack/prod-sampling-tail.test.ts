/** prod-sampling-range on what is stored in tail mode: the collector's probabilistic percentage, the mesh at 100 %. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { AnalyzedResource } from "../../tools/policy-check/analyzer";
import { PROJECT } from "../../components/config";
import { readStackFile } from "../../tools/stack-file";
import { ROOT, runStack } from "../helpers";
import { assertCompliant, assertViolation, fromMockRun, violations, yaml } from "./helpers";

const NAME = "prod-sampling-range";
const prodConfig = JSON.parse(fs.readFileSync(path.join(ROOT, "policy-pack", "config", "prod.json"), "utf8"))[NAME];

const mesh = (pct: number) => yaml(`
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: mesh-default, namespace: istio-system}
spec: {tracing: [{providers: [{name: jaeger}], randomSamplingPercentage: ${pct}}]}
`);
const tailConfig = (policies: unknown[]) => ({
    processors: { tail_sampling: { decision_wait: "30s", policies } },
    service: { pipelines: { traces: { receivers: ["otlp"], processors: ["tail_sampling", "batch"], exporters: ["jaeger_storage_exporter"] } } },
});
const probabilistic = (pct: number) => [
    { name: "errors", type: "status_code", status_code: { status_codes: ["ERROR"] } },
    { name: "probabilistic", type: "probabilistic", probabilistic: { sampling_percentage: pct } },
];
function release(userconfig: unknown): AnalyzedResource {
    const type = "kubernetes:helm.sh/v3:Release";
    return { type, name: "jaeger-release", urn: `urn:pulumi:prod::eco2-tracing::${type}::jaeger-release`, props: { chart: "jaeger", name: "jaeger", namespace: "istio-system", values: { userconfig } } };
}

describe("policy prod-sampling-range in tail mode", () => {
    it("the stored percentage is the sampler's probabilisticPercent, within [min, max]", async () => {
        await assertCompliant(NAME, [...mesh(100), release(tailConfig(probabilistic(5)))], { config: prodConfig });
        await assertViolation(NAME, [...mesh(100), release(tailConfig(probabilistic(50)))], [
            /Release istio-system\/jaeger \(values userconfig\): processor tail_sampling keeps 50 % of ordinary traces/,
            /outside the allowed range 1–10/,
        ], { config: prodConfig });
        await assertViolation(NAME, [...mesh(100), release(tailConfig([{ name: "all", type: "always_sample" }]))], [/keeps 100 %/], { config: prodConfig });
        await assertViolation(NAME, [...mesh(100), release(tailConfig(probabilistic(0).slice(0, 1)))], [/keeps 0 %/], { config: prodConfig });
    });

    it("mesh 100 % is allowed only with a tail sampler; with one the mesh must send 100 %", async () => {
        await assertViolation(NAME, mesh(100), [/= 100 is outside the allowed range 1–10 \(the mesh sends every request only when the collector tail-samples/], { config: prodConfig });
        await assertViolation(NAME, [...mesh(5), release(tailConfig(probabilistic(5)))], [/randomSamplingPercentage = 5, but Release istio-system\/jaeger \(values userconfig\) tail-samples/, /never sees 95 %/], { config: prodConfig });
        // A head-mode config (no tail_sampling in the traces pipeline) changes nothing.
        const head = { processors: { batch: {} }, service: { pipelines: { traces: { processors: ["batch"] } } } };
        await assertCompliant(NAME, [...mesh(5), release(head)], { config: prodConfig });
    });

    it("reads the collector config from rendered manifests too (the chart's user-config ConfigMap)", async () => {
        const cm = (pct: number) => yaml(`
apiVersion: v1
kind: ConfigMap
metadata: {name: jaeger-user-config, namespace: istio-system}
data:
  user-config.yaml: |
    processors: {tail_sampling: {policies: [{name: p, type: probabilistic, probabilistic: {sampling_percentage: ${pct}}}]}}
    service: {pipelines: {traces: {processors: [tail_sampling]}}}
`);
        await assertCompliant(NAME, [...mesh(100), ...cm(2)], { config: prodConfig });
        await assertViolation(NAME, [...mesh(100), ...cm(20)], [/ConfigMap istio-system\/jaeger-user-config key "user-config.yaml": processor tail_sampling keeps 20 %/], { config: prodConfig });
    });

    it("the prod stack switched to tail mode passes; with a 50 % share from helmValues it does not", async () => {
        const jaeger = JSON.parse(readStackFile(path.join(ROOT, "Pulumi.prod.yaml"), PROJECT).config[`${PROJECT}:jaeger`]);
        const tail = (helmValues: Record<string, unknown>) =>
            runStack("prod", {
                set: {
                    sampling: undefined,
                    tailSampling: { enabled: true, probabilisticPercent: 5, alwaysSampleServices: ["payment.my"] },
                    jaeger: { ...jaeger, replicas: 1, helmValues },
                    telemetry: { workloadOverrides: [] },
                },
            });
        assert.deepStrictEqual(await violations(NAME, fromMockRun(await tail({}), "prod"), { config: prodConfig }), []);
        const bypass = { userconfig: { processors: { tail_sampling: { policies: probabilistic(50) } } } };
        const found = await violations(NAME, fromMockRun(await tail(bypass), "prod"), { config: prodConfig });
        assert.strictEqual(found.length, 1, found.join("\n"));
        assert.match(found[0], /keeps 50 % of ordinary traces/);
    });
});
