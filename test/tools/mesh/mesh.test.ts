import * as assert from "assert";
import { planInputs } from "../../../tools/mesh/main";
import { intentOf, meshConfigFor, PlanInputs } from "../../../tools/mesh/expectations";
import { probesFor } from "../../../tools/mesh/cluster-objects";
import { formatTable, verdict, Probed } from "../../../tools/mesh/report";
import { summarize } from "../../../tools/mesh/xds-summary";
import type { Json, ProxySpec, XdsSnapshot } from "../../../toolchain/istiod/probe";

const COLLECTOR = "outbound|9411||jaeger-collector-clusterip.istio-system.svc.cluster.local";

/** A listener as istiod sends it (JSON form), reduced to what the summary reads. */
function listener(t?: { rate: number; tags: string[]; option?: string; cluster?: string }, accessLog = true): Json {
    const tracing = t && {
        randomSampling: { value: t.rate },
        customTags: t.tags.map((tag) => ({ tag, literal: { value: "x" } })),
        provider: {
            name: "envoy.tracers.zipkin",
            typedConfig: {
                "@type": "type.googleapis.com/envoy.config.trace.v3.ZipkinConfig",
                collectorCluster: t.cluster ?? COLLECTOR,
                ...(t.option ? { traceContextOption: t.option } : {}),
            },
        },
    };
    const hcm = {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        ...(tracing ? { tracing } : {}),
        ...(accessLog ? { accessLog: [{ name: "envoy.access_loggers.file" }] } : {}),
    };
    const filter = { name: "envoy.filters.network.http_connection_manager", typedConfig: hcm };
    return { name: "virtualInbound", filterChains: [{ filters: [filter] }] };
}

function snapshot(listeners: Json[], clusters: Json[]): XdsSnapshot {
    return { node: "n", listeners, clusters, invalid: [] };
}

describe("npm run mesh (offline parts)", () => {
    let dev: PlanInputs;
    let prod: PlanInputs;
    before(async () => {
        dev = await planInputs("dev");
        prod = await planInputs("prod");
    });

    it("reads the stack's intent from its own plan: provider, collector, rates, overrides, ServiceEntries", () => {
        const d = intentOf(dev);
        assert.strictEqual(d.provider, "jaeger");
        assert.deepStrictEqual(d.collector, { service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 9411 });
        assert.deepStrictEqual([d.mesh.rate, d.mesh.accessLog, d.overrides.length], [100, true, 0]);
        assert.deepStrictEqual(d.appNamespaces, ["auth", "character", "chat", "my", "scan"]);
        assert.ok(d.serviceEntries.some((s) => s.hosts.includes("api.openai.com")));
        const p = intentOf(prod);
        assert.strictEqual(p.mesh.rate, 5);
        assert.deepStrictEqual(p.overrides.map((o) => [o.namespace, o.labels, o.rate]), [["my", { app: "payment" }, 100]]);
        const probes = probesFor(p);
        const payment = probes.filter((x) => x.pod === "mesh-probe-payment");
        assert.deepStrictEqual(payment.map((x) => [x.namespace, x.labels]), [["my", { app: "payment" }]]);
        assert.deepStrictEqual(probes.filter((x) => x.kind === "router").map((x) => x.namespace), ["istio-system"]);
    });

    it("istiod's mesh config: the fragment merged into the defaults, or the user's file (a mesh config or istiod Helm values)", () => {
        const merged = meshConfigFor(dev, "istio-system");
        assert.strictEqual(merged.rootNamespace, "istio-system");
        assert.deepStrictEqual((merged.extensionProviders as Json[]).map((p) => p.name), ["jaeger"]);
        assert.deepStrictEqual(meshConfigFor(dev, "istio-system", { meshConfig: { enableTracing: false } }), { enableTracing: false });
        assert.deepStrictEqual(meshConfigFor(dev, "istio-system", { accessLogFile: "/dev/stdout" }), { accessLogFile: "/dev/stdout" });
        assert.throws(() => meshConfigFor(dev, "istio-system", ["not", "a", "mapping"]), /not a YAML mapping/);
    });

    it("passes when every proxy traces to the collector at its rate, and names the proxy and why when not", () => {
        const intent = intentOf(prod);
        const mesh = meshConfigFor(prod, "istio-system");
        const tags = intent.mesh.tags;
        const seClusters = intent.serviceEntries.flatMap((se) => se.hosts.flatMap((h) => se.ports.map((p) =>
            ({ name: `outbound|${p}||${h}`, type: se.resolution === "DNS" ? "STRICT_DNS" : "ORIGINAL_DST" }))));
        const clusters = [{ name: COLLECTOR, type: "EDS" }, ...seClusters];
        const spec = (pod: string, namespace: string, labels: Record<string, string>, kind: ProxySpec["kind"] = "sidecar"): ProxySpec =>
            ({ kind, pod, namespace, labels, ip: "10.0.0.1", istioVersion: "1.28.0" });
        const ok: Probed[] = [
            { spec: spec("mesh-probe", "auth", { app: "mesh-probe" }), snapshot: snapshot([listener({ rate: 5, tags })], clusters) },
            { spec: spec("mesh-probe-payment", "my", { app: "payment" }), snapshot: snapshot([listener({ rate: 100, tags })], clusters) },
        ];
        const good = verdict("prod", intent, mesh, ok);
        assert.deepStrictEqual(good.problems, []);
        assert.strictEqual(good.report.proxies[0].tracing?.provider, "jaeger");
        assert.ok(good.report.serviceEntryClusters.includes("outbound|443||api.openai.com"));
        const table = formatTable(good);
        assert.match(table[0], /^proxy\s+kind\s+provider → cluster\s+sampling\s+tags\s+trace context\s+access log$/);
        const row = table[2].split(/\s{2,}/);
        const tag = "deployment.environment.name";
        const cells = ["mesh-probe-payment.my", "sidecar", `jaeger → ${COLLECTOR}`, "100 %", tag, "USE_B3", "yes"];
        assert.deepStrictEqual(row, cells);
        assert.strictEqual(table[table.length - 1], "every proxy traces to the collector at the rate the stack intends");

        // The override's rate on the mesh-wide probe, and the mesh rate on payment's: both named.
        const swapped = verdict("prod", intent, mesh, [{ ...ok[0], snapshot: ok[1].snapshot }, { ...ok[1], snapshot: ok[0].snapshot }]);
        assert.deepStrictEqual(swapped.problems, [
            "mesh-probe.auth: samples 100 %, istio-system/mesh-default intends 5 %",
            "mesh-probe-payment.my: samples 5 %, my/payment intends 100 %",
        ]);

        // No tracer: the mesh config lacks the provider, or its service resolves to nothing istiod knows.
        const untraced: Probed[] = [{ spec: ok[0].spec, snapshot: snapshot([listener()], clusters) }];
        const otherMesh = { extensionProviders: [{ name: "other", zipkin: { service: "x", port: 1 } }] };
        assert.match(verdict("prod", intent, otherMesh, untraced).problems[0],
            /^mesh-probe\.auth: does not trace: provider jaeger not in the mesh config \(its extensionProviders: other\)$/);
        const unresolved: Probed[] = [{ spec: ok[0].spec, snapshot: snapshot([listener()], seClusters) }];
        assert.match(verdict("prod", intent, mesh, unresolved).problems[0],
            /service jaeger-collector-clusterip\.istio-system\.svc\.cluster\.local:9411 does not resolve/);

        // The wrong collector, a missing tag, W3C where the stack did not ask for it, no access log, a ServiceEntry missing.
        const wrong = listener({ rate: 5, tags: [], option: "USE_B3_WITH_W3C_PROPAGATION", cluster: "outbound|9411||elsewhere" }, false);
        const off = verdict("prod", intent, mesh, [{ spec: ok[0].spec, snapshot: snapshot([wrong], clusters.slice(0, 3)) }]);
        assert.deepStrictEqual(off.problems.slice(0, 4), [
            `mesh-probe.auth: spans go to outbound|9411||elsewhere, not the collector ${COLLECTOR}`,
            `mesh-probe.auth: span tags ${tags.join(", ")} missing`,
            "mesh-probe.auth: trace context USE_B3_WITH_W3C_PROPAGATION, the stack intends USE_B3",
            "mesh-probe.auth: access log off, the stack intends on",
        ]);
        assert.ok(off.problems.some((p) => /^ServiceEntry \S+: no cluster outbound\|443\|\|/.test(p)), off.problems.join("\n"));
        assert.match(off.report.proxies[0].tracing!.provider, /no provider of the mesh config/);
    });

    it("a proxy whose HTTP managers disagree, or that has none, is reported", () => {
        const s = summarize(snapshot([listener({ rate: 5, tags: [] }), listener({ rate: 7, tags: [] })], []));
        assert.deepStrictEqual([s.inconsistent, s.httpManagers, s.tracing?.samplingPercent], [true, 2, 5]);
        assert.deepStrictEqual(summarize(snapshot([], [])), { tracing: null, accessLog: false, httpManagers: 0, inconsistent: false });
    });
});
