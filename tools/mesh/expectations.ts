/**
 * What the stack intends every Envoy to be told, read from its own plan (the Telemetry and ServiceEntry objects and
 * the `meshConfig` output), and the mesh config istiod runs with: Istio's defaults plus the stack's fragment merged as
 * the README tells platforms to, a managed istiod's own values, or the user's file. Pure functions.
 */
import type { KubeObject, HelmRelease } from "../synth/write-manifests";
import { mergeMeshConfig, MeshConfigFragment } from "../../components/mesh/mesh-config";
import { isPlainObject } from "../../components/foundation/k8s";

/** The Istio release this project targets, reported by the probes unless the stack pins istiod's chart. */
export const TARGET_ISTIO_VERSION = "1.28.0";

export interface TracingIntent {
    rate: number;
    tags: string[];
}

export interface Override extends TracingIntent {
    name: string;
    namespace: string;
    labels: Record<string, string>;
}

export interface ServiceEntryIntent {
    name: string;
    hosts: string[];
    ports: number[];
    resolution: string;
}

export interface Intent {
    rootNamespace: string;
    /** The provider name the Telemetries select. */
    provider: string;
    /** The stack's collector: the provider's zipkin service and port. */
    collector: { service: string; port: number };
    traceContextOption: string;
    mesh: TracingIntent & { accessLog: boolean };
    overrides: Override[];
    appNamespaces: string[];
    gatewayNamespace: string;
    serviceEntries: ServiceEntryIntent[];
    istioVersion: string;
}

const specOf = (o: KubeObject) => ((o.body as Record<string, any>).spec ?? {}) as Record<string, any>;
const rateAndTags = (tracing: Record<string, any> | undefined): TracingIntent => ({
    rate: tracing?.randomSamplingPercentage ?? 100,
    tags: Object.keys(tracing?.customTags ?? {}).sort(),
});

export interface PlanInputs {
    objects: KubeObject[];
    releases: HelmRelease[];
    fragment: MeshConfigFragment;
    appNamespaces: string[];
    /** The stack's `istio.gatewayNamespaces`. */
    gatewayNamespaces: string[];
}

export function intentOf(plan: PlanInputs): Intent {
    const telemetries = plan.objects.filter((o) => o.kind === "Telemetry");
    const mesh = telemetries.find((t) => !specOf(t).selector);
    if (!mesh) throw new Error("the plan has no selector-less (mesh-wide) Telemetry");
    const meshSpec = specOf(mesh);
    const provider = meshSpec.tracing?.[0]?.providers?.[0]?.name;
    const zipkin = plan.fragment.extensionProviders[0].zipkin;
    const istiod = plan.releases.find((r) => r.chart === "istiod");
    return {
        rootNamespace: mesh.namespace ?? "istio-system",
        provider,
        collector: { service: zipkin.service, port: zipkin.port },
        traceContextOption: zipkin.traceContextOption ?? "USE_B3",
        mesh: { ...rateAndTags(meshSpec.tracing?.[0]), accessLog: (meshSpec.accessLogging ?? []).length > 0 },
        overrides: telemetries.filter((t) => specOf(t).selector).map((t) => ({
            name: t.name!,
            namespace: t.namespace!,
            labels: specOf(t).selector.matchLabels ?? {},
            ...rateAndTags(specOf(t).tracing?.[0]),
        })),
        appNamespaces: [...plan.appNamespaces].sort(),
        gatewayNamespace: plan.gatewayNamespaces[0] ?? mesh.namespace ?? "istio-system",
        serviceEntries: plan.objects.filter((o) => o.kind === "ServiceEntry").map((o) => ({
            name: o.name!,
            hosts: specOf(o).hosts ?? [],
            ports: (specOf(o).ports ?? []).map((p: { number: number }) => p.number),
            resolution: specOf(o).resolution ?? "NONE",
        })),
        istioVersion: istiod?.version ?? TARGET_ISTIO_VERSION,
    };
}

/**
 * The mesh config istiod runs with. A user's file may be a mesh config or istiod Helm values (its `meshConfig`);
 * without one, a managed istiod's values, else the stack's fragment merged into Istio's defaults (istiod fills in the
 * rest of its defaults itself).
 */
export function meshConfigFor(plan: PlanInputs, rootNamespace: string, userFile?: unknown): Record<string, unknown> {
    if (userFile !== undefined) {
        if (!isPlainObject(userFile)) throw new Error("is not a YAML mapping");
        return isPlainObject(userFile.meshConfig) ? userFile.meshConfig : userFile;
    }
    const istiod = plan.releases.find((r) => r.chart === "istiod");
    if (istiod && isPlainObject(istiod.values.meshConfig)) return istiod.values.meshConfig;
    return mergeMeshConfig({ rootNamespace }, plan.fragment);
}

/** The rate, tags and name of the Telemetry that applies to a workload: its override's, else the mesh's. */
export function intendedFor(intent: Intent, namespace: string, labels: Record<string, string>): TracingIntent & { telemetry: string } {
    const o = intent.overrides.find((x) => x.namespace === namespace && Object.entries(x.labels).every(([k, v]) => labels[k] === v));
    if (o) return { rate: o.rate, tags: o.tags, telemetry: `${o.namespace}/${o.name}` };
    return { rate: intent.mesh.rate, tags: intent.mesh.tags, telemetry: `${intent.rootNamespace}/mesh-default` };
}

/** The Envoy cluster type a sidecar gets for a ServiceEntry resolution (istio pilot/pkg/networking/core/cluster.go convertResolution). */
export const CLUSTER_TYPE: Record<string, string> = {
    DNS: "STRICT_DNS",
    DNS_ROUND_ROBIN: "LOGICAL_DNS",
    NONE: "ORIGINAL_DST",
    STATIC: "EDS",
};
