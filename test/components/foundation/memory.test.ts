import * as assert from "assert";
import { JAEGER_MEMORY, maxTracesFor, memoryLimitFor } from "../../../components/foundation/memory";
import { goMemLimit } from "../../../components/jaeger/values";
import { configProblems, expectConfigProblem } from "../../helpers";

const dev = (jaeger: Record<string, unknown>) => ({ environment: "dev", jaeger });

describe("in-memory store sizing (jaeger.memory.maxTraces against resources.limits.memory)", () => {
    it("the bound: baseline plus traces within GOMEMLIMIT, the share of the limit the chart values give Go", () => {
        // 0.8 × 512 MiB − 64 MiB = 345.6 MiB, at 16 KiB a trace.
        assert.strictEqual(maxTracesFor("512Mi"), 22118);
        assert.strictEqual(goMemLimit("512Mi"), "409MiB");
        assert.ok(maxTracesFor("512Mi") * JAEGER_MEMORY.bytesPerTrace + JAEGER_MEMORY.baselineBytes <= 409.6 * 2 ** 20);
        assert.strictEqual(maxTracesFor("64Mi"), 0);
        // The limit a store needs is the inverse: it holds exactly that many traces.
        assert.ok(maxTracesFor(memoryLimitFor(50_000)) >= 50_000);
        assert.ok(maxTracesFor(memoryLimitFor(50_000).replace(/\d+/, (n) => String(Number(n) - 1))) < 50_000);
    });

    it("rejects the old dev default, 50000 traces in 512Mi (measured: 658 MiB resident, OOM-killed), naming both ways out", () =>
        expectConfigProblem(dev({ memory: { maxTraces: 50_000 } }), "eco2-tracing:jaeger.memory.maxTraces = 50000", "at most 22118", `resources.limits.memory ${memoryLimitFor(50_000)} or more`));

    it("the default and the dev stack's 20000 fit 512Mi; a larger store fits a larger limit", () => {
        assert.deepStrictEqual(configProblems(dev({})), []);
        assert.deepStrictEqual(configProblems(dev({ memory: { maxTraces: 20_000 } })), []);
        assert.deepStrictEqual(configProblems(dev({ memory: { maxTraces: 50_000 }, resources: { limits: { memory: memoryLimitFor(50_000) } } })), []);
    });

    it("no limit, or a store that is not in memory: nothing to size against", () => {
        assert.deepStrictEqual(configProblems(dev({ memory: { maxTraces: 1_000_000 }, resources: { limits: {} } })), []);
        const production = { mode: "production", replicas: 2, storage: { type: "elasticsearch", serverUrls: ["https://es:9200"], tlsSystemCAs: true }, resources: { limits: { memory: "256Mi" } } };
        assert.deepStrictEqual(configProblems(dev(production)), []);
    });
});
