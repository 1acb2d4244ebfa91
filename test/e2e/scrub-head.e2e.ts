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
/** An OAuth callback as Envoy's http.url and current semconv's url.full carry it: the code and state must not stay. */
const CALLBACK = "https://api.growbin.app/api/v1/auth/kakao/callback";
const SECRET_QUERY = "code=oauth-code-4f1c&state=csrf-state-9b2e";

describe("PII scrubbing in head mode (real Jaeger, generated dev userconfig)", () => {
    let jaeger: RunningJaeger;
    after(async () => jaeger?.stop());

    it("stores app spans without the authorization header or query strings, statements only as their SHA-256", async () => {
        const gen = await generated("dev");
        assert.deepStrictEqual(gen.userconfig.service.pipelines.traces.processors, ["memory_limiter", "attributes/scrub", "batch"]);
        const { config, ports } = await onLoopback(gen.userconfig);
        jaeger = await startJaeger(config, ports);
        const env = gen.otelEnv("auth");
        const appAttributes = [
            str("http.request.header.authorization", TOKEN), str("db.statement", STATEMENT), str("db.query.text", STATEMENT),
            str("http.url", `${CALLBACK}?${SECRET_QUERY}`), str("url.full", `${CALLBACK}?${SECRET_QUERY}#top`),
        ];
        const t = eco2Trace(1, Date.now() * 1000, "dev", { appAttributes });
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
        const values = (key: string) => tags.filter((x) => x.key === key).map((x) => x.value);
        const hashed = createHash("sha256").update(STATEMENT).digest("hex");
        assert.deepStrictEqual(values("db.statement"), Array(2).fill(hashed));
        assert.deepStrictEqual(values("db.query.text"), Array(2).fill(hashed));
        // The path stays searchable; the query string (and the fragment) are gone, and so is the holder stripQuery uses.
        for (const key of ["http.url", "url.full"]) {
            assert.deepStrictEqual(values(key).filter((v) => String(v).startsWith(CALLBACK)), Array(2).fill(CALLBACK), key);
            assert.ok(values(key).every((v) => !/[?#]/.test(String(v))), key);
        }
        // Every app span carries url.query (eco2-trace.ts: `page=N`); none is stored.
        assert.deepStrictEqual(values("url.query"), []);
        assert.deepStrictEqual(values("eco2_scrub_without_query"), []);
        const stored = JSON.stringify(trace);
        for (const secret of [TOKEN, STATEMENT, "oauth-code-4f1c", "csrf-state-9b2e"]) assert.ok(!stored.includes(secret), secret);
    });
});
