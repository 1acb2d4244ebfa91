/**
 * PII scrubbing without tail sampling: the real Jaeger with the generated dev (head-mode) userconfig deletes and hashes
 * the default `scrubAttributes` before storing, as it does in tail mode (test/e2e/tail-sampling.e2e.ts).
 */
import * as assert from "assert";
import { createHash } from "crypto";
import { PORTS } from "../../components/foundation/topology";
import { eco2Trace, otlpBody, post, SPANS_PER_TRACE, str } from "./eco2-trace";
import { generated } from "./generated";
import { getTrace, onLoopback, RunningJaeger, startJaeger } from "./jaeger-process";

const TOKEN = "Bearer eyJhbGciOiJIUzI1NiJ9.head-mode.sig";
const STATEMENT = "UPDATE users SET name = 'x' WHERE id = 7";

describe("PII scrubbing in head mode (real Jaeger, generated dev userconfig)", () => {
    let jaeger: RunningJaeger;
    after(async () => jaeger?.stop());

    it("stores app spans without the authorization header and with db.statement only as its SHA-256", async () => {
        const gen = await generated("dev");
        assert.deepStrictEqual(gen.userconfig.service.pipelines.traces.processors, ["memory_limiter", "attributes/scrub", "batch"]);
        const { config, ports } = await onLoopback(gen.userconfig);
        jaeger = await startJaeger(config, ports);
        const env = gen.otelEnv("auth");
        const t = eco2Trace(1, Date.now() * 1000, "dev", { appAttributes: [str("http.request.header.authorization", TOKEN), str("db.statement", STATEMENT)] });
        await post(`${jaeger.url(PORTS.zipkin)}/api/v2/spans`, t.zipkin, 202);
        await post(`${jaeger.url(PORTS.otlpHttp)}/v1/traces`, otlpBody(t.otlp, env), 200);
        let trace = await getTrace(jaeger, t.traceId);
        for (let i = 0; i < 50 && trace?.spans.length !== SPANS_PER_TRACE; i++) {
            await new Promise((r) => setTimeout(r, 100));
            trace = await getTrace(jaeger, t.traceId);
        }
        assert.strictEqual(trace?.spans.length, SPANS_PER_TRACE);
        const tags = trace.spans.flatMap((s) => s.tags);
        assert.deepStrictEqual(tags.filter((x) => x.key === "http.request.header.authorization"), []);
        assert.deepStrictEqual(tags.filter((x) => x.key === "db.statement").map((x) => x.value), Array(2).fill(createHash("sha256").update(STATEMENT).digest("hex")));
        assert.ok(!JSON.stringify(trace).includes(TOKEN) && !JSON.stringify(trace).includes(STATEMENT));
    });
});
