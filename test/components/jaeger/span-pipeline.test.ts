/** The traces pipeline the program generates in both sampling modes (components/jaeger/span-pipeline.ts through the real program). */
import * as assert from "assert";
import * as path from "path";
import { MockRun } from "../../../tools/mock-runtime";
import { readStackFile } from "../../../tools/stack-file";
import { one, ofType, ROOT, runStack } from "../../helpers";
import { MEMORY_LIMITER, SCRUB } from "./jaeger-helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const TELEMETRY = "kubernetes:telemetry.istio.io/v1:Telemetry";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

const userconfig = (run: MockRun) => one(run, RELEASE, "jaeger-release").inputs.values.userconfig;
/** The prod stack file switched to tail mode: one replica, no workload override (its intent is alwaysSampleServices). */
const prodTail = (tailSampling: Record<string, unknown>) =>
    runStack("prod", {
        set: {
            sampling: undefined,
            tailSampling: { enabled: true, ...tailSampling },
            telemetry: { workloadOverrides: [] },
            jaeger: { ...prodJaeger, replicas: 1 },
        },
    });
const prodJaeger = JSON.parse(readStackFile(path.join(ROOT, "Pulumi.prod.yaml"), "eco2-tracing").config["eco2-tracing:jaeger"]);

describe("span pipeline (generated userconfig)", () => {
    it("head mode (both stacks): memory_limiter, scrubbing, then batch; nothing else", async () => {
        for (const stack of ["dev", "prod"]) {
            const u = userconfig(await runStack(stack));
            assert.deepStrictEqual(u.service.pipelines.traces.processors, ["memory_limiter", "attributes/scrub", "batch"], stack);
            assert.deepStrictEqual(u.processors, { "attributes/scrub": SCRUB, batch: {}, memory_limiter: MEMORY_LIMITER }, stack);
        }
    });

    it("tail mode: memory_limiter → attributes/scrub → tail_sampling → batch, with the four policies", async () => {
        const run = await prodTail({ probabilisticPercent: 5, latencyThresholdMs: 800, alwaysSampleServices: ["payment.my", "payment"], decisionWaitSeconds: 20, numTraces: 100000 });
        const u = userconfig(run);
        assert.deepStrictEqual(u.service.pipelines.traces, { exporters: ["jaeger_storage_exporter"], processors: ["memory_limiter", "attributes/scrub", "tail_sampling", "batch"], receivers: ["otlp", "zipkin"] });
        assert.deepStrictEqual(u.processors.memory_limiter, { check_interval: "1s", limit_percentage: 90, spike_limit_percentage: 10 }, "refuses above 80 % (GOMEMLIMIT)");
        assert.deepStrictEqual(u.processors["attributes/scrub"], SCRUB);
        assert.deepStrictEqual(u.processors.tail_sampling, {
            decision_wait: "20s",
            num_traces: 100000,
            policies: [
                { name: "errors", status_code: { status_codes: ["ERROR"] }, type: "status_code" },
                { latency: { threshold_ms: 800 }, name: "slow", type: "latency" },
                { name: "always-sampled-services", string_attribute: { key: "service.name", values: ["payment.my", "payment"] }, type: "string_attribute" },
                { name: "probabilistic", probabilistic: { sampling_percentage: 5 }, type: "probabilistic" },
            ],
        });
    });

    it("tail mode: the mesh and the apps' SDK samplers send 100 %", async () => {
        const run = await prodTail({ probabilisticPercent: 5 });
        const telemetries = ofType(run, TELEMETRY);
        assert.deepStrictEqual(telemetries.map((t) => t.inputs.spec.tracing[0].randomSamplingPercentage), [100]);
        const samplerArgs = new Set(ofType(run, CONFIG_MAP).map((c) => c.inputs.data?.OTEL_TRACES_SAMPLER_ARG).filter(Boolean));
        assert.deepStrictEqual([...samplerArgs], ["1.0"]);
    });

    it("without always-sampled services there is no empty attribute policy; scrubAttributes [] drops the processor", async () => {
        const u = userconfig(await prodTail({}));
        assert.deepStrictEqual(u.processors.tail_sampling.policies.map((p: { name: string }) => p.name), ["errors", "slow", "probabilistic"]);
        assert.strictEqual(u.processors.tail_sampling.policies[2].probabilistic.sampling_percentage, 1, "prod default");
        const none = userconfig(await runStack("dev", { set: { scrubAttributes: [] } }));
        assert.deepStrictEqual(none.service.pipelines.traces.processors, ["memory_limiter", "batch"]);
        assert.deepStrictEqual(Object.keys(none.processors).sort(), ["batch", "memory_limiter"]);
    });

    it("tail mode with the smoke workload (dev) always keeps the smoke trace, so its check still finds it", async () => {
        const u = userconfig(await runStack("dev", { set: { tailSampling: { enabled: true, probabilisticPercent: 1, alwaysSampleServices: ["payment.my"] } } }));
        const always = u.processors.tail_sampling.policies.find((p: { name: string }) => p.name === "always-sampled-services");
        assert.deepStrictEqual(always.string_attribute.values, ["payment.my", "tracing-smoke-test"]);
        const off = userconfig(await runStack("dev", { set: { tailSampling: { enabled: true, probabilisticPercent: 1 }, smokeTest: { enabled: false } } }));
        assert.deepStrictEqual(off.processors.tail_sampling.policies.map((p: { name: string }) => p.name), ["errors", "slow", "probabilistic"]);
    });
});
