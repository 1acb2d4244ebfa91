/**
 * Eco²'s two-hop request, run for real except for Envoy: ingress gateway → auth-api → character-api, each app a
 * process with the OTel JS SDK configured from its namespace's generated environment, each sidecar hop the Envoy
 * stand-in (envoy-standin.ts), everything reporting to one real Jaeger. Returns the trace as Jaeger's API serves it.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { PORTS } from "../../components/foundation/topology";
import { ENVIRONMENT_ATTRIBUTE } from "../../components/foundation/attributes";
import { Generated } from "./generated";
import { findTraces, getTrace, QuerySpan, QueryTrace, RunningJaeger } from "./jaeger-process";
import { startStandIn, StandIn } from "./envoy-standin";
import type { ProxyTracing } from "../../tools/mesh/xds-summary";

export const HEALTH_PATHS = ["/health", "/ready", "/metrics"];

export interface App {
    child: ChildProcess;
    url: string;
    /** The signal that makes it flush and exit 0 (SIGTERM unless the launcher says otherwise). */
    stopSignal?: NodeJS.Signals;
}

/** Starts one app with this environment; resolves once it listens. */
export type Launcher = (env: NodeJS.ProcessEnv) => Promise<App>;

/** Only the generated OTEL environment reaches the app: the runner's own OTEL_* variables are dropped. */
export function appEnv(generated: Record<string, string>, jaeger: RunningJaeger, service: string, extra: Record<string, string>): NodeJS.ProcessEnv {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("OTEL_")));
    const endpoint = new URL(generated.OTEL_EXPORTER_OTLP_ENDPOINT);
    assert.strictEqual(Number(endpoint.port), PORTS.otlpGrpc, "the generated endpoint is the collector's OTLP gRPC port");
    // The one rewrite: the collector Service's name becomes the local Jaeger's loopback address.
    return { ...base, ...generated, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.url(PORTS.otlpGrpc), OTEL_SERVICE_NAME: service, ...extra };
}

const startNodeApp: Launcher = async (env) => {
    const child = spawn(process.execPath, [path.join(__dirname, "otel-app.js")], { env: { ...env, APP_PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (d) => {
            out += d;
            const m = /listening (\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
        });
        child.on("exit", (code) => reject(new Error(`app exited ${code}: ${err}`)));
    });
    return { child, url: `http://127.0.0.1:${port}` };
};

export async function stopApp(app: App): Promise<void> {
    const exited = new Promise<number | null>((resolve) => app.child.on("exit", resolve));
    app.child.kill(app.stopSignal ?? "SIGTERM");
    assert.strictEqual(await exited, 0, "the app flushed its spans and exited cleanly");
}

/** What real istiod told each proxy of the path (npm run mesh): the gateway's, auth's and character's sidecars. */
export type PathTracing = Record<"gateway" | "auth" | "character", ProxyTracing>;

export interface TwoHopOptions {
    /** The stand-ins follow it (trace-context option, sampling, span tags). */
    istiod: PathTracing;
    /** Replaces the generated OTEL_PROPAGATORS (to show what another value does). */
    propagators?: string;
    /** How the apps start: the OTel JS app (otel-app.ts) by default. */
    launch?: Launcher;
}

export interface TwoHopResult {
    trace: QueryTrace;
    /** Every trace Jaeger holds for the two app services (the health requests must not add any). */
    appTraces: QueryTrace[];
    environment: string;
    /** Milliseconds: apps and proxies started, request and health calls done, apps flushed and stopped, trace complete in Jaeger. */
    timings: Record<"start" | "requests" | "flush" | "query", number>;
}

export async function twoHop(jaeger: RunningJaeger, gen: Generated, o: TwoHopOptions): Promise<TwoHopResult> {
    const zipkinUrl = `${jaeger.url(PORTS.zipkin)}/api/v2/spans`;
    const envOf = (ns: string, service: string, upstream?: string) =>
        appEnv(gen.otelEnv(ns), jaeger, service, { ...(o.propagators ? { OTEL_PROPAGATORS: o.propagators } : {}), ...(upstream ? { APP_UPSTREAM: upstream } : {}) });
    const environment = /(?:^|,)deployment\.environment\.name=([^,]+)/.exec(gen.otelEnv("auth").OTEL_RESOURCE_ATTRIBUTES)?.[1] ?? "";
    const proxy = (kind: "SERVER" | "CLIENT", service: string, namespace: string, upstream: string) => startStandIn({
        kind, service, namespace, environment, upstream, zipkinUrl,
        tracing: o.istiod[namespace === "istio-system" ? "gateway" : (namespace as "auth" | "character")],
    });

    let mark = Date.now();
    const lap = () => -mark + (mark = Date.now());
    const timings = { start: 0, requests: 0, flush: 0, query: 0 };
    const startApp = o.launch ?? startNodeApp;
    const character = await startApp(envOf("character", "character-api"));
    const proxies: StandIn[] = [];
    const characterIn = await proxy("SERVER", "character-api.character", "character", character.url);
    const authOut = await proxy("CLIENT", "auth-api.auth", "auth", characterIn.url);
    const auth = await startApp(envOf("auth", "auth-api", authOut.url));
    const authIn = await proxy("SERVER", "auth-api.auth", "auth", auth.url);
    const gateway = await proxy("CLIENT", "istio-ingressgateway.istio-system", "istio-system", authIn.url);
    proxies.push(characterIn, authOut, authIn, gateway);
    timings.start = lap();
    try {
        const res = await fetch(`${gateway.url}/api/v1/users/me/characters`);
        assert.strictEqual(res.status, 200, await res.text());
        // Kubelet probes reach the app past the sidecar (Istio's probe rewrite), Prometheus scrapes it directly.
        for (const app of [auth, character]) for (const p of HEALTH_PATHS) assert.strictEqual((await fetch(`${app.url}${p}`)).status, 200);
        await Promise.all(proxies.map((p) => p.flush()));
        timings.requests = lap();
    } finally {
        await Promise.all([stopApp(auth), stopApp(character)]);
        await Promise.all(proxies.map((p) => p.close()));
        timings.flush = lap();
    }
    const traceId = gateway.reported()[0].traceId as string;
    // 4 proxy spans + auth-api's server and client spans + character-api's server span; the exporters have flushed,
    // Jaeger's batch processor may still hold them for a moment.
    let trace: QueryTrace | undefined;
    for (let i = 0; i < 100 && (trace?.spans.length ?? 0) < 7; i++) {
        trace = await getTrace(jaeger, traceId);
        await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(trace, `trace ${traceId} not in Jaeger`);
    const appTraces = [...(await findTraces(jaeger, "auth-api")), ...(await findTraces(jaeger, "character-api"))];
    timings.query = lap();
    return { trace, appTraces, environment, timings };
}

const tag = (tags: { key: string; value: unknown }[], key: string) => tags.find((t) => t.key === key)?.value;

/** The trace's spans by role: `<service>/<kind>`, e.g. `auth-api.auth/server` (sidecar) or `auth-api/client` (app). */
export function spansByRole(trace: QueryTrace): Record<string, QuerySpan> {
    const out: Record<string, QuerySpan> = {};
    for (const s of trace.spans) {
        // Python's ASGI instrumentation adds `http send`/`http receive` spans under its server span.
        if (tag(s.tags, "span.kind") === "internal") continue;
        const role = `${trace.processes[s.processID].serviceName}/${tag(s.tags, "span.kind")}`;
        assert.ok(!(role in out), `two spans with role ${role}`);
        out[role] = s;
    }
    return out;
}

const parentOf = (s: QuerySpan) => s.references.find((r) => r.refType === "CHILD_OF")?.spanID;

/**
 * What Eco²'s trace must look like: one trace; each app's server span the child of its own inbound sidecar span;
 * each caller's sidecar client span the parent of the callee's sidecar server span; the environment on every span;
 * no app spans from the health paths.
 */
export function assertTracePath(r: TwoHopResult): void {
    const roles = spansByRole(r.trace);
    assert.deepStrictEqual(Object.keys(roles).sort(), [
        "auth-api.auth/client", "auth-api.auth/server", "auth-api/client", "auth-api/server",
        "character-api.character/server", "character-api/server", "istio-ingressgateway.istio-system/client",
    ], "the request's spans, all in one trace");
    const edges: [string, string][] = [
        ["istio-ingressgateway.istio-system/client", "auth-api.auth/server"],
        ["auth-api.auth/server", "auth-api/server"],
        ["auth-api/server", "auth-api/client"],
        ["auth-api/client", "auth-api.auth/client"],
        ["auth-api.auth/client", "character-api.character/server"],
        ["character-api.character/server", "character-api/server"],
    ];
    for (const [parent, child] of edges) assert.strictEqual(parentOf(roles[child]), roles[parent].spanID, `${child} is the child of ${parent}`);
    for (const s of r.trace.spans) {
        const where = `${r.trace.processes[s.processID].serviceName} ${s.operationName}`;
        const value = tag(s.tags, ENVIRONMENT_ATTRIBUTE) ?? tag(r.trace.processes[s.processID].tags, ENVIRONMENT_ATTRIBUTE);
        assert.strictEqual(value, r.environment, `${where}: ${ENVIRONMENT_ATTRIBUTE}`);
    }
    assert.deepStrictEqual(r.appTraces.map((t) => t.traceID), [r.trace.traceID, r.trace.traceID], "the app services have no other trace (health requests, exports)");
}
