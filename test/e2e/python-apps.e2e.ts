/**
 * The seeds' Python stack for real: FastAPI apps with httpx under `opentelemetry-instrument` (the pinned venv of
 * toolchain/python/requirements.txt), configured only from their namespaces' generated `otel-tracing-env`, behind the
 * Envoy stand-in (envoy-standin.ts), reporting to the real Jaeger with the generated userconfig (head and tail mode);
 * and the scan pipeline's async hop, a Celery worker behind Debian's redis-server on loopback.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PORTS } from "../../components/foundation/topology";
import { ensurePythonEnv, PYTHON_REQUIREMENTS, venvScript } from "../../toolchain/build/python";
import { run } from "../../toolchain/kit/exec";
import { ROOT } from "../helpers";
import { generated, Generated } from "./generated";
import { tmpDir } from "./harness";
import { findTraces, getTrace, onLoopback, QueryTrace, RunningJaeger, startJaeger } from "./jaeger-process";
import { startPythonApp, startRedis, startUntil, startWorker } from "./python-app";
import { startStandIn } from "./envoy-standin";
import { istiodTracing, sidecarTracing } from "./istiod-tracing";
import { appEnv, assertTracePath, HEALTH_PATHS, spansByRole, stopApp, twoHop, TwoHopResult } from "./two-hop";

const OLD_PROPAGATORS = "b3,tracecontext,baggage";
/** Tail mode that keeps this trace by policy (the auth-api sidecar's service), not by chance. */
const TAIL = {
    enabled: true, probabilisticPercent: 10, latencyThresholdMs: 1000, alwaysSampleServices: ["auth-api.auth"], decisionWaitSeconds: 2,
};

async function withJaeger<T>(gen: Generated, work: (j: RunningJaeger) => Promise<T>): Promise<T> {
    const { config, ports } = await onLoopback(gen.userconfig);
    const jaeger = await startJaeger(config, ports);
    try {
        return await work(jaeger);
    } finally {
        await jaeger.stop();
    }
}

const pythonTwoHop = async (gen: Generated, propagators?: string, w3c = false): Promise<TwoHopResult> => {
    const istiod = await istiodTracing(w3c);
    return withJaeger(gen, (j) => twoHop(j, gen, { istiod, propagators, launch: startPythonApp }));
};

const tag = (tags: { key: string; value: unknown }[], key: string) => tags.find((t) => t.key === key)?.value;
const parentOf = (r: { references: { refType: string; spanID: string }[] }) => r.references.find((x) => x.refType === "CHILD_OF")?.spanID;

async function waitForTrace(j: RunningJaeger, traceId: string, spans: number): Promise<QueryTrace> {
    let trace: QueryTrace | undefined;
    for (let i = 0; i < 100 && (trace?.spans.length ?? 0) < spans; i++) {
        trace = await getTrace(j, traceId);
        await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(trace, `trace ${traceId} not in Jaeger`);
    return trace;
}

describe("Python apps: FastAPI + httpx under opentelemetry-instrument, gateway → auth-api → character-api (real Jaeger)", () => {
    let head: Generated;
    before(async () => {
        const env = await ensurePythonEnv((line) => process.stderr.write(`      [toolchain] ${line}\n`));
        process.stderr.write(`      python venv: ${env.version} (${env.origin})\n`);
        head = await generated("dev");
    });

    const scenarios = [
        { name: "head mode", overrides: undefined, w3c: false },
        { name: "tail mode", overrides: { tailSampling: TAIL }, w3c: false },
        { name: "head mode with Istio's W3C option", overrides: { istio: { w3cPropagation: true } }, w3c: true },
    ];
    for (const { name, overrides, w3c } of scenarios) {
        it(`${name}: one trace, app spans under their sidecars' spans, environment tagged, SDK 1.45.2`, async () => {
            const gen = overrides ? await generated("dev", overrides) : head;
            assert.strictEqual(gen.userconfig.service.pipelines.traces.processors.includes("tail_sampling"), name === "tail mode");
            const started = Date.now();
            const r = await pythonTwoHop(gen, undefined, w3c);
            assertTracePath(r);
            const sdk = Object.values(r.trace.processes).find((p) => p.serviceName === "auth-api")!.tags;
            assert.strictEqual(tag(sdk, "telemetry.sdk.language"), "python");
            assert.strictEqual(tag(sdk, "telemetry.sdk.version"), "1.45.2");
            const ms = `ms: ${JSON.stringify(r.timings)}; ${Date.now() - started} in all`;
            process.stderr.write(`      ${r.trace.spans.length} spans in trace ${r.trace.traceID}; ${ms}\n`);
        });
    }

    it(`the old ${OLD_PROPAGATORS} fails in Python too: the callee's sidecar and app hang under the calling app`, async () => {
        const r = await pythonTwoHop(head, OLD_PROPAGATORS);
        assert.throws(() => assertTracePath(r), assert.AssertionError);
        const roles = spansByRole(r.trace);
        assert.strictEqual(parentOf(roles["character-api.character/server"]), roles["auth-api/client"].spanID);
        assert.strictEqual(parentOf(roles["character-api/server"]), roles["auth-api/client"].spanID);
    });

    it("/health, /ready and /metrics make no spans; /api/v1/already-done and /api/v1/user-metrics do", async () => {
        const traced = ["/api/v1/already-done", "/api/v1/user-metrics", "/user-metrics"];
        const targets = await withJaeger(head, async (j) => {
            const app = await startPythonApp(appEnv(head.otelEnv("auth"), j, "auth-api", {}));
            try {
                for (const p of [...HEALTH_PATHS, ...HEALTH_PATHS.map((h) => `${h}?full=1`), ...traced]) {
                    assert.strictEqual((await fetch(`${app.url}${p}`)).status, 200, p);
                }
            } finally {
                await stopApp(app);
            }
            let traces: QueryTrace[] = [];
            for (let i = 0; i < 50 && traces.length < traced.length; i++) {
                traces = await findTraces(j, "auth-api");
                await new Promise((r) => setTimeout(r, 100));
            }
            const servers = traces.flatMap((t) => t.spans.filter((s) => tag(s.tags, "span.kind") === "server"));
            return servers.map((s) => tag(s.tags, "url.path") ?? tag(s.tags, "http.target"));
        });
        assert.deepStrictEqual(targets.sort(), [...traced].sort());
    });

    it("SIGTERM, Kubernetes' default stop signal, loses uvicorn's last batch: the process dies of it before the SDK flushes", async () => {
        const { code, traces } = await withJaeger(head, async (j) => {
            const app = await startPythonApp(appEnv(head.otelEnv("auth"), j, "auth-api", {}));
            assert.strictEqual((await fetch(`${app.url}/api/v1/already-done`)).status, 200);
            const exited = new Promise<string>((resolve) => app.child.on("exit", (c, signal) => resolve(signal ?? `exit ${c}`)));
            app.child.kill("SIGTERM");
            const code = await exited;
            // Anything exported would be stored by now (Jaeger's batch processor flushes within a second).
            await new Promise((r) => setTimeout(r, 3000));
            return { code, traces: await findTraces(j, "auth-api") };
        });
        assert.strictEqual(code, "SIGTERM", "uvicorn re-raised SIGTERM after its graceful shutdown");
        assert.strictEqual(traces.length, 0, "the request's spans were still in the batch processor");
    });

    it("without opentelemetry-propagator-b3 the app exits 1 before it starts, with the error docs/app-sdks.md names", async () => {
        const dir = tmpDir("venv-no-b3");
        try {
            // The same pinned file less the one package: what an app team that forgot it gets.
            const kept = fs.readFileSync(PYTHON_REQUIREMENTS, "utf8").replace(/^opentelemetry-propagator-b3==.*\n(?:\s+--hash=.*\n)*/m, "");
            assert.ok(!kept.includes("propagator-b3"));
            fs.writeFileSync(path.join(dir, "requirements.txt"), kept);
            const python = path.join(dir, "venv", "bin", "python");
            assert.strictEqual(run("python3", ["-m", "venv", path.dirname(path.dirname(python))]).code, 0);
            const pip = run(python, ["-m", "pip", "install", "-q", "--require-hashes", "--no-deps", "-r", `${dir}/requirements.txt`]);
            assert.strictEqual(pip.code, 0, pip.stderr);
            const error = await withJaeger(head, async (j) => {
                const env = appEnv(head.otelEnv("auth"), j, "auth-api", {});
                const args = [venvScript(python, "uvicorn"), "app:app", "--host", "127.0.0.1", "--port", "0"];
                return startUntil(venvScript(python, "opentelemetry-instrument"), args, env, /Uvicorn running on/)
                    .then(({ child }) => {
                        child.kill("SIGKILL");
                        assert.fail("the app started without the B3 propagator");
                    }, (e: Error) => e.message);
            });
            assert.match(error, /exited 1:/);
            const line = "ValueError: Propagator b3multi not found. It is either misspelled or not installed.";
            assert.ok(error.includes(line), error);
            const docs = fs.readFileSync(path.join(ROOT, "docs", "app-sdks.md"), "utf8");
            assert.ok(docs.includes(line), "the docs quote the error");
            assert.ok(docs.includes("opentelemetry-propagator-b3==1.45.1"), "the docs name the fix");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the Celery hop: the task span is in the scan-api request's trace under its publish span; its httpx call follows", async () => {
        const broker = await startRedis();
        try {
            await withJaeger(head, async (j) => {
                const scanEnv = (service: string, extra: Record<string, string>) =>
                    appEnv(head.otelEnv("scan"), j, service, { CELERY_BROKER_URL: broker.url, ...extra });
                const vision = await startPythonApp(scanEnv("vision-api", {}));
                const worker = await startWorker(scanEnv("scan-worker", { VISION_URL: vision.url }));
                const scan = await startPythonApp(scanEnv("scan-api", {}));
                const zipkinUrl = `${j.url(PORTS.zipkin)}/api/v2/spans`;
                const environment = /deployment\.environment\.name=([^,]+)/.exec(head.otelEnv("scan").OTEL_RESOURCE_ATTRIBUTES)![1];
                const sidecar = await startStandIn({
                    kind: "SERVER", service: "scan-api.scan", namespace: "scan", environment, upstream: scan.url, zipkinUrl,
                    tracing: await sidecarTracing("scan", false),
                });
                let traceId: string;
                try {
                    const res = await fetch(`${sidecar.url}/api/v1/scan`, { method: "POST" });
                    assert.strictEqual(res.status, 200, await res.text());
                    await sidecar.flush();
                    traceId = sidecar.reported()[0].traceId as string;
                    const done = /Task scan\.classify\[[^\]]+\] succeeded/;
                    for (let i = 0; i < 300 && !done.test(worker.output()); i++) await new Promise((r) => setTimeout(r, 100));
                    assert.match(worker.output(), done);
                } finally {
                    await Promise.all([stopApp(scan), stopApp(worker), stopApp(vision)]);
                    await sidecar.close();
                }
                // sidecar, scan-api server, publish, task run, the task's httpx client, vision-api server
                const trace = await waitForTrace(j, traceId, 6);
                const roles = spansByRole(trace);
                const publish = roles["scan-api/producer"];
                const task = roles["scan-worker/consumer"];
                assert.ok(publish && task, `publish and run spans in the trace: ${Object.keys(roles).join(", ")}`);
                assert.strictEqual(parentOf(roles["scan-api/server"]), roles["scan-api.scan/server"].spanID);
                assert.strictEqual(parentOf(publish), roles["scan-api/server"].spanID);
                assert.strictEqual(parentOf(task), publish.spanID, "the task's parent is the publish span");
                assert.strictEqual(task.operationName, "run/scan.classify");
                assert.strictEqual(parentOf(roles["scan-worker/client"]), task.spanID);
                assert.strictEqual(parentOf(roles["vision-api/server"]), roles["scan-worker/client"].spanID);
                process.stderr.write(`      ${trace.spans.length} spans in trace ${trace.traceID}: ${Object.keys(roles).join(", ")}\n`);
            });
        } finally {
            await broker.stop();
        }
    });
});
