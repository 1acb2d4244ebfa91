/**
 * `npm run mesh` against real istiod (the toolchain's pilot-discovery) on the embedded cluster: what every proxy of
 * dev and prod is told, the mutations that must fail (a mesh config without the provider, a provider name that
 * differs, a provider service that does not resolve, one that points elsewhere), istiod's Istio-version gate on the
 * W3C option, and that a run leaves the cluster as it found it. No Envoy runs: the xds-probe asks as each Envoy would.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { main as mesh, planInputs } from "../../tools/mesh/main";
import { intentOf, meshConfigFor } from "../../tools/mesh/expectations";
import { ClusterObjects, meshObjects, probeDocs, probesFor } from "../../tools/mesh/cluster-objects";
import type { MeshReport } from "../../tools/mesh/report";
import { startIstiod } from "../../toolchain/istiod/istiod";
import { probeProxy } from "../../toolchain/istiod/probe";
import { httpManagers, summarize, terminalFilters } from "../../tools/mesh/xds-summary";
import { CommandRun, runCommand, writeStackFile } from "../helpers";
import { allTools, cluster, kubectl, tmpDir } from "./harness";

const tmp = tmpDir("mesh");
const COLLECTOR_HOST = "jaeger-collector-clusterip.istio-system.svc.cluster.local";
const COLLECTOR = `outbound|9411||${COLLECTOR_HOST}`;
/** A mesh config with one Zipkin provider, as a platform would write it. */
const zipkin = (name: string, service: string, port = 9411) => ({
    enableTracing: true,
    defaultProviders: { tracing: [name] },
    extensionProviders: [{ name, zipkin: { service, port, maxTagLength: 256 } }],
});

async function run(args: string[]): Promise<CommandRun & { report?: MeshReport; seconds: number }> {
    const started = Date.now();
    const r = await runCommand(mesh, [...args, "--json"]);
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`      npm run mesh -- ${args.join(" ")} --json: exit ${r.code}, ${seconds.toFixed(1)} s\n`);
    return { ...r, seconds, report: r.stdout.trim() ? (JSON.parse(r.stdout) as MeshReport) : undefined };
}

function meshFile(name: string, doc: unknown): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
}

/** Every object istiod could write (locks, CA ConfigMaps, webhooks, status), with its resourceVersion. */
async function writable(): Promise<string[]> {
    const kinds = ["configmaps", "secrets", "leases", "validatingwebhookconfigurations", "mutatingwebhookconfigurations", "serviceentries",
        "telemetries", "services"];
    const line = "{.kind}/{.metadata.namespace}/{.metadata.name}@{.metadata.resourceVersion}";
    const out = await kubectl(["get", kinds.join(","), "-A", "-o", `jsonpath={range .items[*]}${line}{"\\n"}{end}`]);
    // The cluster's own controllers renew their leases all the time.
    return out.split("\n").filter((l) => l && !/^Lease\/(kube-system|kube-node-lease)\//.test(l)).sort();
}

describe("npm run mesh: what real istiod tells every proxy", function () {
    before(async () => {
        await allTools();
        await cluster();
    });

    it("dev: every sidecar and the gateway trace to the collector at 100 %, tags and access logs; the ServiceEntry clusters", async () => {
        const r = await run(["dev"]);
        assert.strictEqual(r.code, 0, r.stderr);
        const report = r.report!;
        assert.deepStrictEqual([report.stack, report.istioVersion], ["dev", "1.28.0"]);
        assert.deepStrictEqual(report.proxies.map((p) => p.proxy), [
            "mesh-probe.auth", "mesh-probe.character", "mesh-probe.chat", "mesh-probe.my", "mesh-probe.scan",
            "mesh-probe-ingressgateway.istio-system",
        ]);
        assert.deepStrictEqual(report.proxies.map((p) => p.kind), ["sidecar", "sidecar", "sidecar", "sidecar", "sidecar", "router"]);
        for (const p of report.proxies) {
            const t = p.tracing;
            assert.deepStrictEqual([t?.provider, t?.cluster, t?.samplingPercent], ["jaeger", COLLECTOR, 100], p.proxy);
            assert.ok(p.tracing!.customTags.includes("deployment.environment.name"), p.proxy);
            assert.strictEqual(p.tracing!.traceContextOption, "USE_B3", `${p.proxy}: W3C only when istio.w3cPropagation is on`);
            assert.strictEqual(p.accessLog, true, p.proxy);
        }
        for (const host of ["api.openai.com", "accounts.google.com", "*.s3.amazonaws.com"]) {
            assert.ok(report.serviceEntryClusters.includes(`outbound|443||${host}`), host);
        }
        // Deterministic: the same report twice (and `Object.keys` in the exact shape the issue gives).
        assert.deepStrictEqual(Object.keys(report), ["stack", "istioVersion", "proxies", "serviceEntryClusters"]);
        assert.deepStrictEqual(Object.keys(report.proxies[0]), ["proxy", "kind", "tracing", "accessLog"]);
        const fields = ["provider", "cluster", "samplingPercent", "customTags", "traceContextOption"];
        assert.deepStrictEqual(Object.keys(report.proxies[0].tracing!), fields);
        assert.deepStrictEqual((await run(["dev"])).report, report);
    });

    it("prod: 5 % mesh-wide and at the gateway, my/payment's override at 100 % on payment's sidecar only", async () => {
        const r = await run(["prod"]);
        assert.strictEqual(r.code, 0, r.stderr);
        const rates = Object.fromEntries(r.report!.proxies.map((p) => [p.proxy, p.tracing?.samplingPercent]));
        assert.deepStrictEqual(rates, {
            "mesh-probe.auth": 5, "mesh-probe.character": 5, "mesh-probe.chat": 5, "mesh-probe.my": 5, "mesh-probe.scan": 5,
            "mesh-probe-payment.my": 100, "mesh-probe-ingressgateway.istio-system": 5,
        });
        assert.ok(r.report!.proxies.every((p) => p.tracing?.cluster === COLLECTOR && p.accessLog));
    });

    it("istio.w3cPropagation: every proxy gets USE_B3_WITH_W3C_PROPAGATION; istiod sends it to Istio >= 1.28 proxies only", async () => {
        const file = writeStackFile(tmp, "dev", "Pulumi.w3c.yaml", { istio: { w3cPropagation: true } });
        const r = await run(["dev", "--config-file", file]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.ok(r.report!.proxies.every((p) => p.tracing?.traceContextOption === "USE_B3_WITH_W3C_PROPAGATION"));

        // The same provider to a 1.27 proxy: istiod leaves the option out (Envoy before 1.28 lacks the field).
        const tools = await allTools();
        const option = "USE_B3_WITH_W3C_PROPAGATION";
        const service = "kubernetes.default.svc.cluster.local";
        const provider = { name: "jaeger", zipkin: { service, port: 443, traceContextOption: option } };
        const telemetry = {
            apiVersion: "telemetry.istio.io/v1",
            kind: "Telemetry",
            metadata: { name: "mesh-default", namespace: "istio-system" },
            spec: { tracing: [{ providers: [{ name: "jaeger" }] }] },
        };
        await kubectl(["create", "-f", "-"], YAML.stringify(telemetry));
        const meshConfig = { rootNamespace: "istio-system", extensionProviders: [provider] };
        const istiod = await startIstiod({ pilotDiscovery: tools["pilot-discovery"], kubeconfig: await cluster(), meshConfig });
        try {
            const optionFor = (istioVersion: string) => {
                const spec = { kind: "sidecar" as const, pod: "w3c", namespace: "default", ip: "10.99.0.1", labels: {}, istioVersion };
                return summarize(probeProxy(tools["xds-probe"], istiod.grpcAddr, spec)).tracing?.traceContextOption;
            };
            assert.deepStrictEqual([optionFor("1.27.3"), optionFor("1.28.0")], ["USE_B3", option]);
        } finally {
            await istiod.stop();
            await kubectl(["delete", "-n", "istio-system", "telemetry/mesh-default"]);
        }
    });

    it("HTTPS ServiceEntry ports go through tcp_proxy (matched by SNI): Envoy sees no request, so no HTTP span", async () => {
        const tools = await allTools();
        const kubeconfig = await cluster();
        const inputs = await planInputs("dev");
        const objects = new ClusterObjects(tools.kubectl, kubeconfig, () => undefined);
        objects.create(meshObjects(inputs.objects));
        try {
            const meshConfig = meshConfigFor(inputs, "istio-system");
            const istiod = await startIstiod({ pilotDiscovery: tools["pilot-discovery"], kubeconfig, meshConfig });
            try {
                const spec = { kind: "sidecar" as const, pod: "se", namespace: "auth", ip: "10.99.0.2",
                    labels: {}, istioVersion: "1.28.0" };
                const snapshot = probeProxy(tools["xds-probe"], istiod.grpcAddr, spec);
                assert.deepStrictEqual(snapshot.invalid, [], "go-control-plane's Validate accepts every cluster, listener, HTTP manager");
                for (const se of intentOf(inputs).serviceEntries) {
                    for (const host of se.hosts) {
                        const filters = terminalFilters(snapshot, `outbound|443||${host}`);
                        assert.deepStrictEqual(filters, ["envoy.filters.network.tcp_proxy"], host);
                    }
                }
            } finally {
                await istiod.stop();
            }
        } finally {
            objects.removeCreated();
        }
    });

    it("the ingress gateway's HTTP managers remove client sampling headers before tracing; trustClientSampling keeps them", async () => {
        const tools = await allTools();
        const kubeconfig = await cluster();
        const removedBy = async (configFile?: string) => {
            const inputs = await planInputs("prod", configFile);
            const router = probesFor(intentOf(inputs)).filter((p) => p.kind === "router");
            const objects = new ClusterObjects(tools.kubectl, kubeconfig, () => undefined);
            objects.create([...meshObjects(inputs.objects), ...probeDocs(router)]);
            try {
                const ips = await objects.podIps(router);
                const meshConfig = meshConfigFor(inputs, "istio-system");
                const istiod = await startIstiod({ pilotDiscovery: tools["pilot-discovery"], kubeconfig, meshConfig });
                try {
                    const spec = { ...router[0], ip: ips.get(`${router[0].pod}.${router[0].namespace}`)!, istioVersion: "1.28.0" };
                    const snapshot = probeProxy(tools["xds-probe"], istiod.grpcAddr, spec);
                    assert.deepStrictEqual(snapshot.invalid, [], "go-control-plane's Validate accepts the patched managers");
                    const managers = snapshot.listeners.flatMap(httpManagers);
                    assert.ok(managers.length > 0, "the gateway has an HTTP manager");
                    return managers.map((m) => (m.earlyHeaderMutationExtensions ?? [])
                        .flatMap((e: { typedConfig?: { mutations?: { remove?: string }[] } }) => e.typedConfig?.mutations ?? [])
                        .map((x: { remove?: string }) => x.remove).sort());
                } finally {
                    await istiod.stop();
                }
            } finally {
                objects.removeCreated();
            }
        };
        for (const removed of await removedBy()) assert.deepStrictEqual(removed, ["b3", "traceparent", "x-b3-flags", "x-b3-sampled"]);
        const trusted = writeStackFile(tmp, "prod", "trusted.yaml", { istio: { trustClientSampling: true } });
        for (const removed of await removedBy(trusted)) assert.deepStrictEqual(removed, []);
    });

    it("a mesh config without the provider: exit 1, every proxy untraced, naming the provider", async () => {
        const r = await run(["dev", "--mesh-config", meshFile("no-provider.yaml", { meshConfig: { accessLogFile: "/dev/stdout" } })]);
        assert.strictEqual(r.code, 1, r.stderr);
        assert.ok(r.report!.proxies.every((p) => p.tracing === null));
        const why = /^mesh: mesh-probe\.auth: does not trace: provider jaeger not in the mesh config \(its extensionProviders: none\)$/m;
        assert.match(r.stderr, why, r.stderr);
    });

    it("a Telemetry provider name that differs from the mesh config's: exit 1", async () => {
        const file = writeStackFile(tmp, "dev", "Pulumi.renamed.yaml", { istio: { tracingProvider: "zipkin" } });
        const r = await run(["dev", "--config-file", file, "--mesh-config", meshFile("jaeger.yaml", zipkin("jaeger", COLLECTOR_HOST))]);
        assert.strictEqual(r.code, 1, r.stderr);
        assert.match(r.stderr, /does not trace: provider zipkin not in the mesh config \(its extensionProviders: jaeger\)/);
    });

    it("a provider service that does not resolve (istiod only logs it), and one that points elsewhere: exit 1", async () => {
        const nowhereFile = meshFile("nowhere.yaml", zipkin("jaeger", "jaeger-collector.nowhere.svc.cluster.local"));
        const nowhere = await run(["dev", "--mesh-config", nowhereFile]);
        assert.strictEqual(nowhere.code, 1, nowhere.stderr);
        assert.ok(nowhere.report!.proxies.every((p) => p.tracing === null));
        assert.match(nowhere.stderr, /provider jaeger's service jaeger-collector\.nowhere\.svc\.cluster\.local:9411 does not resolve/);

        const elsewhereFile = meshFile("elsewhere.yaml", zipkin("jaeger", "kubernetes.default.svc.cluster.local", 443));
        const elsewhere = await run(["dev", "--mesh-config", elsewhereFile]);
        assert.strictEqual(elsewhere.code, 1, elsewhere.stderr);
        assert.match(elsewhere.stderr, /spans go to outbound\|443\|\|kubernetes\.default\.svc\.cluster\.local, not the collector/);
    });

    it("bad arguments or config: exit 2", async () => {
        assert.strictEqual((await runCommand(mesh, [])).code, 2);
        assert.strictEqual((await runCommand(mesh, ["dev", "--bogus"])).code, 2);
        const bad = writeStackFile(tmp, "dev", "Pulumi.bad.yaml", { sampling: 250 });
        const r = await runCommand(mesh, ["dev", "--config-file", bad]);
        assert.strictEqual(r.code, 2, r.stderr);
        assert.match(r.stderr, /sampling/);
    });

    it("leaves the cluster as it found it: nothing istiod could write changes, the check's objects are gone", async () => {
        const before = await writable();
        const r = await run(["prod"]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.deepStrictEqual(await writable(), before);
        assert.strictEqual((await kubectl(["get", "pods,gateways", "-A", "-l", "eco2.growbin.app/mesh-probe", "-o", "name"])).trim(), "");

        // A namespace the stack creates itself is taken out again, so a later `pulumi up` can create it.
        const own = writeStackFile(tmp, "dev", "Pulumi.own-ns.yaml", { appNamespaces: ["auth", { name: "mesh-own", create: true }] });
        const withOwn = await run(["dev", "--config-file", own]);
        assert.strictEqual(withOwn.code, 0, withOwn.stderr);
        assert.ok(withOwn.report!.proxies.some((p) => p.proxy === "mesh-probe.mesh-own"));
        assert.strictEqual((await kubectl(["get", "namespace", "mesh-own", "--ignore-not-found", "-o", "name"])).trim(), "");
    });

    it("wall time: the check against a bare istiod start in the same run", async () => {
        const tools = await allTools();
        const istiod = await startIstiod({ pilotDiscovery: tools["pilot-discovery"], kubeconfig: await cluster(), meshConfig: {} });
        await istiod.stop();
        const r = await run(["dev"]);
        const bare = (istiod.startMs / 1000).toFixed(1);
        process.stderr.write(`      bare istiod start to ready: ${bare} s; npm run mesh -- dev: ${r.seconds.toFixed(1)} s\n`);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.ok(r.seconds < 60, `${r.seconds} s`);
    });
});
