/** Config rules of the two sampling modes (components/config/sampling-rules.ts), the scrubbing list, and what the config resolves. */
import * as assert from "assert";
import { parseConfig } from "../../../components/config";
import { configProblems, expectConfigProblem } from "../../helpers";

const PROD_JAEGER = { mode: "production", storage: { type: "elasticsearch", serverUrls: ["https://es:9200"], tlsSystemCAs: true } };
const prodTail = (tailSampling: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    environment: "prod",
    jaeger: PROD_JAEGER,
    tailSampling: { enabled: true, ...tailSampling },
    ...extra,
});
const payment = (sampling: number, more: Record<string, unknown> = {}) => ({ name: "payment", namespace: "my", matchLabels: { app: "payment" }, sampling, ...more });
const warnings = (raw: Record<string, unknown>, stack = "prod") => parseConfig(raw, { stack }).warnings;

describe("sampling modes (config rules)", () => {
    describe("tail mode", () => {
        it("the mesh samples 100 % and the stored share is probabilisticPercent (prod default 1, dev 100)", () => {
            const c = parseConfig(prodTail({ probabilisticPercent: 5 }), { stack: "prod" });
            assert.strictEqual(c.samplingPercent, 100);
            assert.strictEqual(c.tailSampling.probabilisticPercent, 5);
            assert.strictEqual(parseConfig(prodTail({}), { stack: "prod" }).tailSampling.probabilisticPercent, 1);
            assert.strictEqual(parseConfig({ environment: "dev", tailSampling: { enabled: true } }, { stack: "dev" }).tailSampling.probabilisticPercent, 100);
            assert.deepStrictEqual(configProblems(prodTail({ probabilisticPercent: 5 }, { sampling: 100 }), "prod"), []);
        });

        it("a mesh rate below 100 is rejected: the sampler would lose that share of the errors", () => {
            expectConfigProblem({ environment: "dev", sampling: 5, tailSampling: { enabled: true } }, "eco2-tracing:sampling = 5", "tail sampling needs every request", "allowed: unset or 100");
        });

        it("prod keeps 1–10 % of ordinary traces", () => {
            const problems = configProblems(prodTail({ probabilisticPercent: 50 }), "prod");
            assert.deepStrictEqual(problems, ['stack "prod": eco2-tracing:tailSampling.probabilisticPercent = 50: prod keeps 1–10 % of ordinary traces (inclusive)']);
            assert.deepStrictEqual(configProblems(prodTail({ probabilisticPercent: 10 }), "prod"), []);
            assert.strictEqual(configProblems(prodTail({ probabilisticPercent: 0.5 }), "prod").length, 1);
        });

        it("one sampler replica, whether set in jaeger.replicas or through helmValues", () => {
            const replicas = configProblems(prodTail({}, { jaeger: { ...PROD_JAEGER, replicas: 2 } }), "prod");
            assert.strictEqual(replicas.length, 1);
            assert.match(replicas[0], /eco2-tracing:jaeger\.replicas = 2: tail sampling decides per trace in one process.*allowed: 1 with tailSampling\.enabled/);
            const helm = configProblems(prodTail({}, { jaeger: { ...PROD_JAEGER, helmValues: { jaeger: { replicas: 3 } } } }), "prod");
            assert.strictEqual(helm.length, 1);
            assert.match(helm[0], /eco2-tracing:jaeger\.helmValues\.jaeger\.replicas = 3: tail sampling decides per trace/);
            // Head mode keeps its replicas.
            assert.deepStrictEqual(configProblems({ environment: "prod", jaeger: { ...PROD_JAEGER, replicas: 2 } }, "prod"), []);
        });

        it("the router tier (routerReplicas) lets the sampler run on several replicas; head mode rejects it", () => {
            const tier = prodTail({ routerReplicas: 2 }, { jaeger: { ...PROD_JAEGER, replicas: 3 } });
            assert.deepStrictEqual(configProblems(tier, "prod"), []);
            const c = parseConfig(tier, { stack: "prod" });
            assert.strictEqual(c.tailSampling.routerReplicas, 2);
            assert.strictEqual(c.tailSampling.routerChart.version, "0.170.0");
            assert.strictEqual(parseConfig(prodTail({}), { stack: "prod" }).tailSampling.routerReplicas, undefined);
            expectConfigProblem(prodTail({ routerReplicas: 0 }), "tailSampling.routerReplicas = 0");
            const head = { environment: "dev", tailSampling: { routerReplicas: 2 } };
            expectConfigProblem(head, "tailSampling.routerReplicas = 2", "tail sampling, which is off");
        });

        it("workload overrides are rejected; alwaysSampleServices is the way to keep a service", () => {
            const problems = configProblems(prodTail({}, { telemetry: { workloadOverrides: [payment(100)] } }), "prod");
            assert.strictEqual(problems.length, 1);
            assert.match(problems[0], /workloadOverrides\[0\] = .*a workload rate below 100 % would drop.*tailSampling\.alwaysSampleServices/);
            assert.deepStrictEqual(configProblems(prodTail({ alwaysSampleServices: ["payment.my"] }), "prod"), []);
        });
    });

    describe("head mode", () => {
        it("tail-only keys are rejected rather than silently ignored", () => {
            expectConfigProblem({ environment: "dev", tailSampling: { probabilisticPercent: 5 } }, "tailSampling.probabilisticPercent = 5", "only read with tailSampling.enabled: true");
            expectConfigProblem({ environment: "dev", tailSampling: { alwaysSampleServices: ["payment"] } }, "tailSampling.alwaysSampleServices", "only read with tailSampling.enabled: true");
        });

        it("prod at 100 % says that is tail mode's rate", () => {
            expectConfigProblem({ environment: "prod", jaeger: PROD_JAEGER, sampling: 100 }, "prod samples 1–10 %", "only for tail sampling (tailSampling.enabled: true)");
        });

        it("warns about an override above the mesh rate where traces do not start (the prod payment override)", () => {
            const raw = { environment: "prod", jaeger: PROD_JAEGER, sampling: 5, telemetry: { workloadOverrides: [payment(100)] } };
            const [warning, ...more] = warnings(raw);
            assert.deepStrictEqual(more, []);
            assert.match(warning, /^stack "prod": eco2-tracing:telemetry\.workloadOverrides\[0\]\.sampling = 100: is above the mesh rate 5 %/);
            assert.match(warning, /requests reaching my\/payment through a sampled hop are still traced at 5 %/);
            assert.deepStrictEqual(configProblems(raw, "prod"), [], "a warning, not a problem");
        });

        it("no warning where the workload starts traces, or at or below the mesh rate", () => {
            assert.deepStrictEqual(warnings({ environment: "prod", jaeger: PROD_JAEGER, sampling: 5, telemetry: { workloadOverrides: [payment(100, { traceRoot: true })] } }), []);
            assert.deepStrictEqual(warnings({ environment: "prod", jaeger: PROD_JAEGER, sampling: 5, telemetry: { workloadOverrides: [payment(5), { ...payment(1), name: "quiet" }] } }), []);
        });
    });

    describe("scrubAttributes", () => {
        it("defaults: delete the authorization header and url.query, hash statements, cut URLs before their query", () => {
            assert.deepStrictEqual(parseConfig({ environment: "dev" }, { stack: "dev" }).scrubAttributes, [
                { key: "db.query.text", action: "hash" },
                { key: "db.statement", action: "hash" },
                { key: "http.request.header.authorization", action: "delete" },
                { key: "http.url", action: "stripQuery" },
                { key: "url.full", action: "stripQuery" },
                { key: "url.query", action: "delete" },
            ]);
            assert.deepStrictEqual(parseConfig({ environment: "dev", scrubAttributes: [] }, { stack: "dev" }).scrubAttributes, []);
        });

        it("one action per key; only delete, hash and stripQuery", () => {
            expectConfigProblem({ environment: "dev", scrubAttributes: [{ key: "a", action: "hash" }, { key: "a", action: "delete" }] }, "scrubAttributes[1].key", 'duplicate scrubbed attribute "a"');
            expectConfigProblem({ environment: "dev", scrubAttributes: [{ key: "a", action: "upsert" }] }, "scrubAttributes[0].action");
        });
    });
});
