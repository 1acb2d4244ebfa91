/**
 * The mesh check's verdict: per proxy, what istiod told it against what the stack intends, with the reason when they
 * differ (a provider missing from the mesh config, one whose service does not resolve, the wrong rate...), and the
 * ServiceEntry clusters. The JSON shape is the `npm run mesh -- --json` contract. Pure functions.
 */
import type { ProxySpec, XdsSnapshot } from "../../toolchain/istiod/probe";
import { CLUSTER_TYPE, Intent, intendedFor } from "./expectations";
import { clusterTypes, ProxySummary, ProxyTracing, summarize } from "./xds-summary";
import { isPlainObject } from "../../components/foundation/k8s";

export interface ProxyReport {
    proxy: string;
    kind: ProxySpec["kind"];
    /** `provider` is the mesh config's name for the Zipkin provider whose service is the tracer's cluster. */
    tracing: ProxyTracing | null;
    accessLog: boolean;
}

export interface MeshReport {
    stack: string;
    istioVersion: string;
    proxies: ProxyReport[];
    serviceEntryClusters: string[];
}

export interface Verdict {
    report: MeshReport;
    /** Each one names the proxy (or ServiceEntry) and why; empty when every Envoy is told what the stack intends. */
    problems: string[];
}

export interface Probed {
    spec: ProxySpec;
    snapshot: XdsSnapshot;
}

export const collectorCluster = (c: Intent["collector"]) => `outbound|${c.port}||${c.service}`;

/** The mesh config's Zipkin settings for a provider name, or undefined when it has no such provider. */
function meshProvider(meshConfig: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
    const providers = Array.isArray(meshConfig.extensionProviders) ? meshConfig.extensionProviders : [];
    const p = providers.find((x) => isPlainObject(x) && x.name === name);
    return isPlainObject(p) ? p : undefined;
}

/** Envoy is not told the provider's name: it is the mesh config's provider whose service:port gives the cluster. */
function providerOf(meshConfig: Record<string, unknown>, t: ProxyTracing): string {
    const providers = Array.isArray(meshConfig.extensionProviders) ? meshConfig.extensionProviders : [];
    const clusterOf = (x: unknown) =>
        (isPlainObject(x) && isPlainObject(x.zipkin) ? `outbound|${x.zipkin.port}||${x.zipkin.service}` : undefined);
    const p = providers.find((x) => clusterOf(x) === t.cluster);
    return isPlainObject(p) ? String(p.name) : `${t.provider} (no provider of the mesh config)`;
}

/** Why a proxy got no tracer: what istiod only logs, if anything. */
function whyNoTracer(intent: Intent, meshConfig: Record<string, unknown>, s: ProxySummary, snapshot: XdsSnapshot): string {
    if (!s.httpManagers) return "no HTTP listener to trace";
    const p = meshProvider(meshConfig, intent.provider);
    if (!p) {
        const names = (Array.isArray(meshConfig.extensionProviders) ? meshConfig.extensionProviders : [])
            .map((x) => (isPlainObject(x) ? String(x.name) : "?"));
        return `provider ${intent.provider} not in the mesh config (its extensionProviders: ${names.join(", ") || "none"})`;
    }
    const zipkin = isPlainObject(p.zipkin) ? p.zipkin : undefined;
    if (!zipkin) return `provider ${intent.provider} in the mesh config is not a zipkin provider`;
    const cluster = `outbound|${zipkin.port}||${zipkin.service}`;
    if (!clusterTypes(snapshot).has(cluster)) {
        return `provider ${intent.provider}'s service ${zipkin.service}:${zipkin.port} does not resolve to a Service or ServiceEntry ` +
            "istiod knows (istiod drops the tracer and only logs a warning)";
    }
    return "istiod sent no tracer";
}

function proxyProblems(intent: Intent, meshConfig: Record<string, unknown>, p: Probed, s: ProxySummary): string[] {
    const name = `${p.spec.pod}.${p.spec.namespace}`;
    const out: string[] = p.snapshot.invalid.map((i) => `${name}: Envoy would reject ${i.type} ${i.name}: ${i.error}`);
    if (!s.tracing) return [...out, `${name}: does not trace: ${whyNoTracer(intent, meshConfig, s, p.snapshot)}`];
    const want = intendedFor(intent, p.spec.namespace, p.spec.labels);
    const t = s.tracing;
    const collector = collectorCluster(intent.collector);
    if (t.cluster !== collector) out.push(`${name}: spans go to ${t.cluster}, not the collector ${collector}`);
    if (t.samplingPercent !== want.rate) out.push(`${name}: samples ${t.samplingPercent} %, ${want.telemetry} intends ${want.rate} %`);
    const missing = want.tags.filter((tag) => !t.customTags.includes(tag));
    if (missing.length) out.push(`${name}: span tags ${missing.join(", ")} missing`);
    if (t.traceContextOption !== intent.traceContextOption) {
        out.push(`${name}: trace context ${t.traceContextOption}, the stack intends ${intent.traceContextOption}`);
    }
    const onOff = (b: boolean) => (b ? "on" : "off");
    if (s.accessLog !== intent.mesh.accessLog) {
        out.push(`${name}: access log ${onOff(s.accessLog)}, the stack intends ${onOff(intent.mesh.accessLog)}`);
    }
    if (s.inconsistent) out.push(`${name}: its HTTP connection managers do not all trace the same way`);
    return out;
}

/** The ServiceEntry clusters one sidecar got, and a problem for each host:port missing or of the wrong type. */
function serviceEntryClusters(intent: Intent, sidecar: Probed | undefined): { names: string[]; problems: string[] } {
    if (!sidecar) return { names: [], problems: intent.serviceEntries.length ? ["no sidecar probed: ServiceEntries unchecked"] : [] };
    const types = clusterTypes(sidecar.snapshot);
    const names: string[] = [];
    const problems: string[] = [];
    for (const se of intent.serviceEntries) {
        for (const host of se.hosts) {
            for (const port of se.ports) {
                const cluster = `outbound|${port}||${host}`;
                const type = types.get(cluster);
                if (!type) problems.push(`ServiceEntry ${se.name}: no cluster ${cluster}`);
                else {
                    names.push(cluster);
                    const want = CLUSTER_TYPE[se.resolution];
                    if (want && type !== want) problems.push(`ServiceEntry ${se.name}: ${cluster} is ${type} (${se.resolution}: ${want})`);
                }
            }
        }
    }
    return { names: names.sort(), problems };
}

export function verdict(stack: string, intent: Intent, meshConfig: Record<string, unknown>, probed: Probed[]): Verdict {
    const problems: string[] = [];
    const proxies = probed.map((p) => {
        const s = summarize(p.snapshot);
        problems.push(...proxyProblems(intent, meshConfig, p, s));
        const tracing = s.tracing && { ...s.tracing, provider: providerOf(meshConfig, s.tracing) };
        return { proxy: `${p.spec.pod}.${p.spec.namespace}`, kind: p.spec.kind, tracing, accessLog: s.accessLog };
    });
    const se = serviceEntryClusters(intent, probed.find((p) => p.spec.kind === "sidecar"));
    problems.push(...se.problems);
    return { report: { stack, istioVersion: intent.istioVersion, proxies, serviceEntryClusters: se.names }, problems };
}

/** The human table: one row per proxy, then the ServiceEntry clusters and the problems. */
export function formatTable(v: Verdict): string[] {
    const rows = [["proxy", "kind", "provider → cluster", "sampling", "tags", "trace context", "access log"]];
    for (const p of v.report.proxies) {
        const t = p.tracing;
        const tags = t ? t.customTags.filter((x) => !x.startsWith("istio.")).join(",") || "-" : "-";
        rows.push([p.proxy, p.kind, t ? `${t.provider} → ${t.cluster}` : "none", t ? `${t.samplingPercent} %` : "-", tags,
            t?.traceContextOption ?? "-", p.accessLog ? "yes" : "no"]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
    lines.push("", `Istio ${v.report.istioVersion}; ServiceEntry clusters: ${v.report.serviceEntryClusters.length}`);
    lines.push(...v.report.serviceEntryClusters.map((c) => `  ${c}`));
    if (v.problems.length) lines.push("", "PROBLEMS:", ...v.problems.map((p) => `  ${p}`));
    else lines.push("", "every proxy traces to the collector at the rate the stack intends");
    return lines;
}
