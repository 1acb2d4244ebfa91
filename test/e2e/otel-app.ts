/**
 * A small instrumented service (one process per app) for the trace-path e2e: the OTel JS SDK configured from its
 * environment alone, which the test fills from the program's `otel-tracing-env` ConfigMap plus OTEL_SERVICE_NAME.
 *
 *   APP_PORT=0 APP_UPSTREAM=http://127.0.0.1:PORT node bin/test/e2e/otel-app.js
 *
 * It answers /health, /ready and /metrics itself (what kubelet probes and Prometheus hit, past the sidecar) and
 * forwards every other path to APP_UPSTREAM when set (its outbound sidecar). It prints `listening <port>` once ready
 * and flushes its spans on SIGTERM before exiting.
 *
 * Health exclusion: Node's http instrumentation reads no exclusion variable, while Eco²'s Python apps honour
 * OTEL_PYTHON_EXCLUDED_URLS (comma-separated regexes searched in the full URL, query string included). This stand-in applies exactly those
 * semantics to the generated value, so the test checks the value the real apps read.
 */
import { NodeSDK } from "@opentelemetry/sdk-node";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { DEFAULT_HEALTH_CHECK_PATHS, healthUrlPath } from "../../components/foundation/health";

const excluded = (process.env.OTEL_PYTHON_EXCLUDED_URLS ?? "").split(",").filter(Boolean).map((r) => new RegExp(r));

const sdk = new NodeSDK({
    instrumentations: [new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => excluded.some((r) => r.test(`http://${req.headers.host}${req.url}`)) })],
});
sdk.start();

function main(): void {
    // After sdk.start(), and with require: the instrumentation patches `http` as require loads it (a dynamic import
    // would go through the ESM loader, which it does not hook without a loader flag).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const http = require("http") as typeof import("http");
    const upstream = process.env.APP_UPSTREAM;
    const server = http.createServer((req, res) => {
        const path = new URL(req.url ?? "/", "http://app").pathname;
        if (DEFAULT_HEALTH_CHECK_PATHS.map(healthUrlPath).includes(path) || !upstream) {
            res.writeHead(200, { "content-type": "text/plain" });
            res.end("ok");
            return;
        }
        const call = http.request(new URL(req.url ?? "/", upstream), { method: "GET" }, (up) => {
            res.writeHead(up.statusCode ?? 502, { "content-type": "text/plain" });
            up.pipe(res);
        });
        call.on("error", (e) => {
            res.writeHead(502);
            res.end(e.message);
        });
        call.end();
    });
    server.listen(Number(process.env.APP_PORT ?? 0), "127.0.0.1", () => {
        const address = server.address();
        process.stdout.write(`listening ${typeof address === "object" && address ? address.port : "?"}\n`);
    });
    process.on("SIGTERM", () => {
        server.close();
        sdk.shutdown().then(() => process.exit(0), (e) => {
            process.stderr.write(`flush failed: ${e}\n`);
            process.exit(1);
        });
    });
}

main();
