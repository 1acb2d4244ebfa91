/**
 * What real istiod tells each proxy of dev about tracing (`npm run mesh -- dev --json`), for the Envoy stand-ins
 * of the trace suites: they follow the control plane instead of a belief about it. One mesh run per W3C setting.
 */
import * as assert from "assert";
import { main as mesh } from "../../tools/mesh/main";
import type { MeshReport } from "../../tools/mesh/report";
import { runCommand, writeStackFile } from "../helpers";
import { tmpDir } from "./harness";
import type { PathTracing } from "./two-hop";
import type { ProxyTracing } from "../../tools/mesh/xds-summary";

const reports = new Map<boolean, Promise<MeshReport>>();

async function meshReport(w3c: boolean): Promise<MeshReport> {
    const args = ["dev", "--json"];
    const w3cOn = () => writeStackFile(tmpDir("istiod-tracing"), "dev", "Pulumi.dev.yaml", { istio: { w3cPropagation: true } });
    if (w3c) args.push("--config-file", w3cOn());
    const r = await runCommand(mesh, args);
    assert.strictEqual(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as MeshReport;
}

/** The tracer istiod sent one proxy (`<pod>.<namespace>` as the mesh report names it). */
export async function proxyTracing(proxy: string, w3c: boolean): Promise<ProxyTracing> {
    if (!reports.has(w3c)) reports.set(w3c, meshReport(w3c));
    const t = (await reports.get(w3c)!).proxies.find((p) => p.proxy === proxy)?.tracing;
    assert.ok(t, `istiod sent ${proxy} no tracer`);
    return t;
}

/** The sidecar of an app namespace's probe pod. */
export const sidecarTracing = (namespace: string, w3c: boolean) => proxyTracing(`mesh-probe.${namespace}`, w3c);

/** The two-hop path's proxies: the ingress gateway and the auth and character sidecars. */
export async function istiodTracing(w3c: boolean): Promise<PathTracing> {
    return {
        gateway: await proxyTracing("mesh-probe-ingressgateway.istio-system", w3c),
        auth: await sidecarTracing("auth", w3c),
        character: await sidecarTracing("character", w3c),
    };
}
