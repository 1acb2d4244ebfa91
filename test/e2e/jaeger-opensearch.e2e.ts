/**
 * Prod's storage path on a real OpenSearch (2.19.6 from the toolchain, loopback, its own data directory): two real
 * Jaeger 2.12 replicas with prod's generated userconfig write a trace whose spans reach different replicas, and
 * either replica's query API returns it whole from the prefixed daily indices under Jaeger's templates; the node is
 * stopped while spans arrive and brought back on its data (the replicas survive and store again). Then the
 * retention CronJob as the chart renders it (`helm template` of the prod values) runs its real program, Jaeger's
 * es-index-cleaner from the same module, against the same node. The security plugin is not served here: the node
 * speaks plain HTTP without authentication, so only the backend address and the TLS block differ from prod's config
 * (jaeger-prod.e2e.ts covers TLS and basic auth with a stand-in).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PRIMARY_STORE } from "../../components/jaeger/values";
import { PORTS, STORAGE_PASSWORD_ENV } from "../../components/foundation/topology";
import { K8S_VERSION } from "../../toolchain/build/components";
import { toolPaths } from "../../toolchain/build/tools";
import { eco2Trace, otlpBody, post, SPANS_PER_TRACE } from "./eco2-trace";
import { generated, Generated } from "./generated";
import { chartFile, must, parseYaml, plan, tmpDir, toYaml } from "./harness";
import { getTrace, onLoopback, RunningJaeger, startJaeger } from "./jaeger-process";
import { indices, RunningOpenSearch, startOpenSearch } from "./opensearch-process";

const PASSWORD = "e2e-Pa55w0rd-from-the-secret";
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** The prod userconfig on loopback, its backend moved to the local node (plain HTTP: no TLS block). */
async function prodOn(gen: Generated, os: RunningOpenSearch) {
    const { config, ports } = await onLoopback(gen.userconfig);
    const backend = config.extensions.jaeger_storage.backends[PRIMARY_STORE].elasticsearch;
    backend.server_urls = [os.url];
    delete backend.tls;
    return { config, ports };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, seconds = 30): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        const v = await probe();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds} s`);
        await new Promise((r) => setTimeout(r, 500));
    }
}

describe("prod storage on a real OpenSearch (2.19.6) with two real Jaeger replicas", () => {
    let os: RunningOpenSearch;
    let gen: Generated;
    let prefix: string;
    const replicas: RunningJaeger[] = [];

    before(async () => {
        [gen, os] = await Promise.all([generated("prod"), startOpenSearch()]);
        prefix = gen.userconfig.extensions.jaeger_storage.backends[PRIMARY_STORE].elasticsearch.indices.index_prefix;
        for (let i = 0; i < 2; i++) {
            const { config, ports } = await prodOn(gen, os);
            replicas.push(await startJaeger(config, ports, { [STORAGE_PASSWORD_ENV]: PASSWORD }));
        }
    });
    after(async () => {
        await Promise.all(replicas.map((j) => j.stop()));
        await os?.stop();
    });

    it("a trace whose spans reach different replicas is returned whole by either replica's query API", async () => {
        const trace = eco2Trace(1, Date.now() * 1000, "prod");
        // The sidecars' Zipkin spans land on one replica, the app's OTLP spans on the other.
        await post(`${replicas[0].url(PORTS.zipkin)}/api/v2/spans`, trace.zipkin, 202);
        await post(`${replicas[1].url(PORTS.otlpHttp)}/v1/traces`, otlpBody(trace.otlp, gen.otelEnv("auth")), 200);
        for (const j of replicas) {
            const whole = await eventually(`trace ${trace.traceId} whole on ${j.url(PORTS.query)}`, async () => {
                const t = await getTrace(j, trace.traceId);
                return t && t.spans.length === SPANS_PER_TRACE ? t : undefined;
            });
            const services = new Set(Object.values(whole.processes).map((p) => p.serviceName));
            assert.ok(services.has("auth-api") && services.has("istio-ingressgateway.istio-system"), [...services].join(", "));
        }
    });

    it(`the indices carry the stack's prefix and Jaeger's templates exist`, async () => {
        const names = await indices(os, `${prefix}-`);
        assert.ok(names.includes(`${prefix}-jaeger-span-${day(0)}`), names.join(", "));
        assert.ok(names.includes(`${prefix}-jaeger-service-${day(0)}`), names.join(", "));
        assert.deepStrictEqual(await indices(os, "jaeger-"), [], "nothing written without the prefix");
        const legacy = (await (await fetch(`${os.url}/_template`)).json()) as Record<string, { index_patterns: string[] }>;
        type Composable = { index_templates: { name: string; index_template: { index_patterns: string[] } }[] };
        const composable = (await (await fetch(`${os.url}/_index_template`)).json()) as Composable;
        const patterns = [
            ...Object.values(legacy).flatMap((t) => t.index_patterns),
            ...composable.index_templates.flatMap((t) => t.index_template.index_patterns),
        ];
        for (const kind of ["span", "service"]) {
            assert.ok(patterns.some((p) => p.includes(`${prefix}-jaeger-${kind}-`)), `no template for ${kind}: ${patterns.join(", ")}`);
        }
    });

    // memory_limiter's percentages are of the cgroup limit, which a process here does not have (they then apply to the
    // machine's memory): this shows the replicas survive and recover, and measures their memory; it does not show the
    // limiter refusing at prod's 1 GiB.
    it("OpenSearch stopped while spans arrive: the replicas stay up, and store again once it is back", async () => {
        const env = gen.otelEnv("auth");
        const { dataDir, port } = os;
        await os.stop(true);
        const statuses = new Map<number | string, number>();
        const before = replicas.map((j) => j.memory().rss);
        const until = Date.now() + 15_000;
        for (let i = 0; Date.now() < until; i++) {
            const t = eco2Trace(1000 + i, Date.now() * 1000, "prod");
            // Jaeger's Elasticsearch writer hands spans to its bulk processor and answers 200; once that is full (the node
            // gone) the request blocks: the 200 only says the spans were buffered.
            const status = await fetch(`${replicas[i % 2].url(PORTS.otlpHttp)}/v1/traces`, {
                method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(otlpBody(t.otlp, env)),
                signal: AbortSignal.timeout(3000),
            }).then((r) => r.status, () => "no answer in 3 s");
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
        const during = replicas.map((j) => j.memory());
        for (const j of replicas) process.kill(j.pid, 0); // still running (throws otherwise)
        os = await startOpenSearch(dataDir, port);
        const stored = await eventually("a new trace stored after OpenSearch is back", async () => {
            const t = eco2Trace(5000, Date.now() * 1000, "prod");
            await fetch(`${replicas[0].url(PORTS.otlpHttp)}/v1/traces`, {
                method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(otlpBody(t.otlp, env)),
                signal: AbortSignal.timeout(10_000),
            }).catch(() => undefined);
            await new Promise((r) => setTimeout(r, 2000));
            const got = await getTrace(replicas[1], t.traceId);
            return got && got.spans.length === t.otlp.length ? t.traceId : undefined;
        }, 180);
        const mib = (b: number) => (b / 2 ** 20).toFixed(0);
        const answers = JSON.stringify(Object.fromEntries(statuses));
        process.stderr.write(`      outage: OTLP answers ${answers}; RSS MiB before ${before.map(mib)}, ` +
            `after 15 s ${during.map((m) => mib(m.rss))} (peak ${during.map((m) => mib(m.hwm))}); recovered with ${stored}\n`);
        assert.ok(statuses.has("no answer in 3 s"), "the full bulk processor holds the sender back");
        for (const m of during) assert.ok(m.rss < 2 ** 30, `RSS ${mib(m.rss)} MiB over prod's 1 GiB limit`);
    });

    describe("retention: the chart's es-index-cleaner CronJob, its real program", () => {
        let container: Record<string, any>;
        let cleaner: string;
        before(async () => {
            const p = await plan("prod");
            const release = p.releases[0];
            const dir = tmpDir("cleaner-chart");
            fs.writeFileSync(path.join(dir, "values.yaml"), toYaml([release.values]));
            const tools = await toolPaths(["helm", "es-index-cleaner"]);
            cleaner = tools["es-index-cleaner"];
            const chart = await chartFile(release, dir);
            const rendered = parseYaml(must(tools.helm, ["template", release.name!, chart, "--namespace", release.namespace!,
                "--kube-version", K8S_VERSION, "-f", path.join(dir, "values.yaml")]));
            fs.rmSync(dir, { recursive: true, force: true });
            const jobs = rendered.filter((o) => o.kind === "CronJob");
            assert.strictEqual(jobs.length, 1, "one CronJob");
            container = jobs[0].spec.jobTemplate.spec.template.spec.containers[0];
        });

        it("renders with Jaeger's tag, prod's days and URL, the prefix, the password's Secret and the CA", () => {
            const backend = gen.userconfig.extensions.jaeger_storage.backends[PRIMARY_STORE].elasticsearch;
            assert.strictEqual(container.image, `jaegertracing/jaeger-es-index-cleaner:${gen.values.jaeger.image.tag}`);
            assert.deepStrictEqual(container.args.slice(0, 2), ["7", backend.server_urls[0]]);
            const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
            assert.strictEqual(env.INDEX_PREFIX, prefix);
            assert.strictEqual(env.ES_USERNAME, backend.auth.basic.username);
            assert.deepStrictEqual(env.ES_PASSWORD, { secretKeyRef: { name: "jaeger-es-credentials", key: "password" } });
            assert.strictEqual(env.ES_TLS_ENABLED, "true");
            const mount = container.volumeMounts.find((m: any) => m.name === "storage-ca");
            assert.strictEqual(env.ES_TLS_CA, `${mount.mountPath}/ca.crt`);
        });

        // The cleaner compares each index's creation date (settings index.creation_date, which cannot be set), not the
        // date in its name, with midnight after today minus the days: every index here was created today, so 1 day
        // keeps them all and 0 days removes every daily index of the prefix, and nothing else.
        it("with the rendered env, 1 day keeps today's indices and 0 days deletes the prefix's daily indices only", async () => {
            const daily = [`${prefix}-jaeger-span-${day(-7)}`, `${prefix}-jaeger-service-${day(-30)}`];
            const others = [`other-jaeger-span-${day(-30)}`, `${prefix}-notes`];
            for (const name of [...daily, ...others]) {
                const res = await fetch(`${os.url}/${name}`, { method: "PUT" });
                assert.strictEqual(res.status, 200, await res.text());
            }
            const ours = await indices(os, `${prefix}-jaeger-`);
            assert.ok(ours.length >= 4, ours.join(", "));
            // What the pod's env resolves to here: the Secret's value for its reference; no TLS (plain HTTP node).
            const env: Record<string, string> = {};
            for (const e of container.env) env[e.name] = e.valueFrom?.secretKeyRef ? PASSWORD : e.value;
            for (const k of ["ES_TLS_ENABLED", "ES_TLS_CA"]) delete env[k];
            const clean = (days: number) => {
                const r = spawnSync(cleaner, [String(days), os.url], { encoding: "utf8", env: { ...process.env, ...env } });
                assert.strictEqual(r.status, 0, `${r.stdout}${r.stderr}`);
            };
            clean(1);
            assert.deepStrictEqual(await indices(os, `${prefix}-jaeger-`), ours, "1 day deleted an index created today");
            clean(0);
            assert.deepStrictEqual(await indices(os, `${prefix}-jaeger-`), []);
            assert.deepStrictEqual([...(await indices(os, "other-")), ...(await indices(os, `${prefix}-notes`))], others);
        });
    });
});
