import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ofType, one, runStack } from "../../helpers";
import { assertValidK8s } from "../../k8s-schema";
import { jaegerEndpoints } from "../../../components/foundation/topology";
import { MockRun } from "../../../tools/mock-runtime";
import { otlpTraces, PLACEHOLDERS, SMOKE_MARKER, zipkinSpans } from "../../../components/smoke-test/smoke-spans";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const HEX = (n: number) => new RegExp(`^[0-9a-f]{${n}}$`);
const ENDPOINTS = jaegerEndpoints("istio-system");

const smokeDeployment = (run: MockRun) => one(run, DEPLOYMENT, "tracing-smoke-test-deployment");
const smokeContainer = (run: MockRun) => smokeDeployment(run).inputs.spec.template.spec.containers[0];

/** What the script substitutes, with sample values, for checking the templates on their own. */
function fill(template: string): string {
    return template
        .replaceAll(PLACEHOLDERS.traceId, "5a0ce7e500000000000000006650a1b2")
        .replaceAll(PLACEHOLDERS.rootSpanId, "000000006650a1b2")
        .replaceAll(PLACEHOLDERS.childSpanId, "000000006650a1b3")
        .replaceAll(`"${PLACEHOLDERS.startMicros}"`, "1716560306000000")
        .replaceAll(PLACEHOLDERS.startNanos, "1716560306000000000")
        .replaceAll(PLACEHOLDERS.endNanos, "1716560306001000000");
}

interface ScriptRun {
    status: number | null;
    stdout: string;
    stderr: string;
    calls: { args: string[]; body: string }[];
    marker: boolean;
    startedAt: number;
    endedAt: number;
}

/**
 * Runs the deployed container's command with POSIX sh, its env from the rendered Deployment plus the ConfigMap's
 * endpoint, and stand-ins for curl (records arguments and body) and sleep (stops the idle loop with SIGTERM).
 */
function runScript(run: MockRun, options: { curlFails?: boolean; withoutConfigMap?: boolean } = {}): ScriptRun {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smoke-"));
    const bin = path.join(dir, "bin");
    const capture = path.join(dir, "capture");
    fs.mkdirSync(bin);
    fs.mkdirSync(capture);
    fs.writeFileSync(path.join(bin, "curl"), [
        "#!/bin/sh",
        'i=$(cat "$CAPTURE/count" 2>/dev/null || echo 0); i=$((i + 1)); echo "$i" > "$CAPTURE/count"',
        'printf \'%s\\n\' "$@" > "$CAPTURE/$i.args"',
        'cat > "$CAPTURE/$i.body"',
        '[ -z "${CURL_FAILS:-}" ] || { echo "curl: (22) The requested URL returned error: 503" >&2; exit 22; }',
        "printf 202",
        "",
    ].join("\n"), { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "sleep"), '#!/bin/sh\nkill -TERM "$PPID"\n', { mode: 0o755 });

    const container = smokeContainer(run);
    const env: Record<string, string> = { PATH: `${bin}:${process.env.PATH}`, CAPTURE: capture };
    for (const v of container.env) env[v.name] = v.value;
    const marker = path.join(dir, "spans-sent");
    env.SMOKE_MARKER = marker;
    if (!options.withoutConfigMap) env.OTEL_EXPORTER_OTLP_ENDPOINT = ENDPOINTS.otlpGrpc;
    if (options.curlFails) env.CURL_FAILS = "1";

    assert.deepStrictEqual(container.command.slice(0, 2), ["/bin/sh", "-c"]);
    const startedAt = Math.floor(Date.now() / 1000);
    const result = spawnSync("sh", ["-c", container.command[2]], { env, encoding: "utf8", timeout: 20_000 });
    const endedAt = Math.ceil(Date.now() / 1000);
    const count = fs.existsSync(path.join(capture, "count")) ? Number(fs.readFileSync(path.join(capture, "count"), "utf8")) : 0;
    const calls = Array.from({ length: count }, (_, i) => ({
        args: fs.readFileSync(path.join(capture, `${i + 1}.args`), "utf8").trimEnd().split("\n"),
        body: fs.readFileSync(path.join(capture, `${i + 1}.body`), "utf8"),
    }));
    const out = { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, marker: fs.existsSync(marker), startedAt, endedAt };
    fs.rmSync(dir, { recursive: true, force: true });
    return out;
}

describe("SmokeTest", () => {
    describe("payloads", () => {
        it("Zipkin v2: an array of one span with 32-hex traceId, 16-hex id, name, µs timestamp, duration, localEndpoint.serviceName", () => {
            const spans = JSON.parse(fill(zipkinSpans("tracing-smoke-test", "auth")));
            assert.ok(Array.isArray(spans) && spans.length === 1);
            const [s] = spans;
            assert.match(s.traceId, HEX(32));
            assert.match(s.id, HEX(16));
            assert.strictEqual(typeof s.name, "string");
            assert.strictEqual(s.timestamp, 1716560306000000);
            assert.ok(Number.isInteger(s.duration) && s.duration > 0);
            assert.strictEqual(s.kind, "SERVER");
            assert.deepStrictEqual(s.localEndpoint, { serviceName: "tracing-smoke-test.auth" });
            for (const v of Object.values(s.tags)) assert.strictEqual(typeof v, "string", "Zipkin tag values are strings");
        });

        it("OTLP/HTTP JSON: resourceSpans → scopeSpans → spans with hex ids, decimal-string nanos, integer kind, the Zipkin span as " +
            "parent", () => {
            const body = JSON.parse(fill(otlpTraces("tracing-smoke-test")));
            assert.deepStrictEqual(body.resourceSpans[0].resource.attributes, [{ key: "service.name", value: { stringValue: "tracing-smoke-test" } }]);
            const [span] = body.resourceSpans[0].scopeSpans[0].spans;
            assert.match(span.traceId, HEX(32));
            assert.match(span.spanId, HEX(16));
            assert.strictEqual(span.parentSpanId, "000000006650a1b2");
            assert.strictEqual(span.kind, 1);
            assert.match(span.startTimeUnixNano, /^\d+$/);
            assert.ok(BigInt(span.endTimeUnixNano) > BigInt(span.startTimeUnixNano));
        });

        it("every placeholder appears in the templates and the script substitutes each", async () => {
            const run = await runStack("dev");
            const script = smokeContainer(run).command[2];
            const templates = zipkinSpans("s", "n") + otlpTraces("s");
            for (const p of Object.values(PLACEHOLDERS)) {
                assert.ok(templates.includes(p), `${p} used`);
                assert.ok(script.includes(`s/${p}/`) || script.includes(`s/\\"${p}\\"/`), `${p} substituted`);
            }
        });
    });

    describe("the script, run with sh", () => {
        let run: MockRun;
        before(async () => (run = await runStack("dev")));

        it("posts one Zipkin span and its OTLP child in one fresh trace, writes the marker, stops on SIGTERM", () => {
            const r = runScript(run);
            assert.strictEqual(r.status, 0, r.stderr);
            assert.strictEqual(r.calls.length, 2);
            const [zipkinCall, otlpCall] = r.calls;
            assert.strictEqual(zipkinCall.args.at(-1), ENDPOINTS.zipkin);
            assert.strictEqual(otlpCall.args.at(-1), `${ENDPOINTS.otlpHttp}/v1/traces`);
            for (const call of r.calls) {
                for (const flag of ["--fail", "--retry", "--retry-all-errors", "--data-binary", "@-", "Content-Type: application/json"]) assert.ok(call.args.includes(flag), `curl ${flag}`);
                assert.ok(!call.body.includes("@"), `no placeholder left in ${call.body}`);
            }
            const [root] = JSON.parse(zipkinCall.body);
            const otlp = JSON.parse(otlpCall.body);
            const child = otlp.resourceSpans[0].scopeSpans[0].spans[0];
            assert.match(root.traceId, /^5a0ce7e5[0-9a-f]{24}$/);
            assert.match(root.id, HEX(16));
            assert.match(child.spanId, HEX(16));
            assert.notStrictEqual(child.spanId, root.id);
            assert.strictEqual(child.traceId, root.traceId);
            assert.strictEqual(child.parentSpanId, root.id);
            assert.strictEqual(root.localEndpoint.serviceName, "tracing-smoke-test.auth");
            assert.strictEqual(otlp.resourceSpans[0].resource.attributes[0].value.stringValue, "tracing-smoke-test");
            // Timestamps are now: Zipkin in µs (a number), OTLP in ns (strings); the child lies within the root.
            assert.ok(Number.isSafeInteger(root.timestamp));
            assert.ok(root.timestamp >= r.startedAt * 1e6 && root.timestamp <= r.endedAt * 1e6, `${root.timestamp} in [${r.startedAt}, ` +
                `${r.endedAt}]`);
            const start = BigInt(child.startTimeUnixNano);
            const end = BigInt(child.endTimeUnixNano);
            assert.strictEqual(start, BigInt(root.timestamp) * 1000n);
            assert.ok(end > start && end <= BigInt(root.timestamp + root.duration) * 1000n);
            assert.ok(r.marker, "marker written");
            assert.match(r.stdout, /zipkin: HTTP 202 from http:\/\/jaeger-collector-clusterip\.istio-system\.svc\.cluster\.local:9411\/api\/v2\/spans/);
            assert.ok(r.stdout.includes(`trace ${root.traceId} sent`), r.stdout);
        });

        it("fails (pod restarts, never Ready) when the collector keeps refusing", () => {
            const r = runScript(run, { curlFails: true });
            assert.notStrictEqual(r.status, 0);
            assert.strictEqual(r.calls.length, 1, "stops after the first failed post");
            assert.ok(!r.marker);
        });

        it("fails before sending anything when the OTEL ConfigMap is not loaded", () => {
            const r = runScript(run, { withoutConfigMap: true });
            assert.notStrictEqual(r.status, 0);
            assert.match(r.stderr, /the OTEL ConfigMap is not loaded/);
            assert.strictEqual(r.calls.length, 0);
        });
    });

    describe("workload", () => {
        it("dev: the helper's Deployment in the smoke namespace, no sidecar, Ready only after the spans were accepted", async () => {
            const run = await runStack("dev");
            assert.deepStrictEqual(ofType(run, "eco2:tracing:SmokeTest").map((r) => r.name), ["tracing-smoke-test"]);
            const d = smokeDeployment(run);
            assert.deepStrictEqual(d.inputs.metadata, { name: "tracing-smoke-test", namespace: "auth", labels: { app: "tracing-smoke-test", version: "v1" } });
            assert.deepStrictEqual(d.inputs.spec.template.metadata.labels, {
                app: "tracing-smoke-test",
                "app.kubernetes.io/part-of": "eco2-tracing",
                "sidecar.istio.io/inject": "false",
                version: "v1",
            });
            const c = smokeContainer(run);
            assert.strictEqual(c.name, "smoke");
            assert.strictEqual(c.image, "curlimages/curl:8.11.1");
            assert.deepStrictEqual(c.envFrom, [{ configMapRef: { name: "otel-tracing-env" } }]);
            assert.deepStrictEqual(c.env[0], { name: "OTEL_SERVICE_NAME", value: "tracing-smoke-test" });
            const env = Object.fromEntries(c.env.map((v: { name: string; value: string }) => [v.name, v.value]));
            assert.strictEqual(env.SMOKE_ZIPKIN_URL, ENDPOINTS.zipkin);
            assert.strictEqual(env.SMOKE_OTLP_URL, `${ENDPOINTS.otlpHttp}/v1/traces`);
            assert.strictEqual(env.SMOKE_MARKER, SMOKE_MARKER);
            assert.deepStrictEqual(c.readinessProbe.exec.command, ["/bin/sh", "-c", `test -f ${SMOKE_MARKER}`]);
            assert.strictEqual(c.securityContext.readOnlyRootFilesystem, true);
            assert.deepStrictEqual(c.volumeMounts, [{ name: "tmp", mountPath: path.dirname(SMOKE_MARKER) }]);
            assert.deepStrictEqual(d.inputs.spec.template.spec.volumes, [{ name: "tmp", emptyDir: { sizeLimit: "1Mi" } }]);
            await assertValidK8s(d);
        });

        it("uses the configured image and namespace", async () => {
            const run = await runStack("dev", { set: { smokeTest: { enabled: true, namespace: "chat", image: "registry.local/curl:8.11.1" } } });
            const d = smokeDeployment(run);
            assert.strictEqual(d.inputs.metadata.namespace, "chat");
            assert.strictEqual(smokeContainer(run).image, "registry.local/curl:8.11.1");
            const spans = smokeContainer(run).env.find((v: { name: string }) => v.name === "SMOKE_ZIPKIN_SPANS").value;
            assert.strictEqual(JSON.parse(fill(spans))[0].localEndpoint.serviceName, "tracing-smoke-test.chat");
        });

        it("prod (smoke test off by default) and dev with enabled: false register nothing of it", async () => {
            for (const run of [await runStack("prod"), await runStack("dev", { set: { smokeTest: { enabled: false } } })]) {
                assert.deepStrictEqual(ofType(run, "eco2:tracing:SmokeTest"), []);
                assert.deepStrictEqual(ofType(run, DEPLOYMENT).filter((r) => r.name.startsWith("tracing-smoke-test")), []);
            }
        });

        it("with default-deny egress, the policies admit exactly what the pod sends: DNS, then Zipkin and OTLP/HTTP to Jaeger", async () => {
            const run = await runStack("dev", { set: { networkPolicy: { defaultDenyEgress: true } } });
            const ns = smokeDeployment(run).inputs.metadata.namespace;
            const env = Object.fromEntries(smokeContainer(run).env.map((v: { name: string; value: string }) => [v.name, v.value]));
            const egressPorts = one(run, POLICY, `app-${ns}-jaeger-egress`).inputs.spec.egress[0].ports.map((p: { port: number }) => p.port);
            const ingress = one(run, POLICY, "jaeger-ingress-policy").inputs.spec.ingress[0];
            for (const url of [env.SMOKE_ZIPKIN_URL, env.SMOKE_OTLP_URL]) {
                const port = Number(new URL(url).port);
                assert.ok(egressPorts.includes(port), `egress ${port}`);
                assert.ok(ingress.ports.some((p: { port: number }) => p.port === port), `ingress ${port}`);
            }
            assert.ok(ingress.from[0].namespaceSelector.matchExpressions[0].values.includes(ns));
            assert.strictEqual(one(run, POLICY, `app-${ns}-dns-egress`).inputs.metadata.namespace, ns);
        });
    });
});
