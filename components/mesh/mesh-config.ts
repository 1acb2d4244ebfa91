/**
 * The mesh side of tracing as plain data: the Zipkin extension provider (meshConfig fragment), the Telemetry and
 * ServiceEntry specs (typed with the @kubernetes-models/istio v1 models), and the merge of the fragment into a mesh
 * config that must keep everything else. Pure functions of config; the components turn these into resources.
 */
import type { IServiceEntry, ITelemetry } from "./models";
import type { ExternalServiceArgs, IstioArgs, IstiodArgs, TelemetryArgs } from "./args";
import { clone, deepMerge, isPlainObject, sortKeys, Values } from "../foundation/k8s";

export type TelemetrySpec = NonNullable<ITelemetry["spec"]>;
export type ServiceEntrySpec = NonNullable<IServiceEntry["spec"]>;
type Tracing = NonNullable<TelemetrySpec["tracing"]>[number];
type CustomTags = NonNullable<Tracing["customTags"]>;

/** Istio's built-in access log provider (Envoy file access log to /dev/stdout), present in every default mesh config. */
export const ACCESS_LOG_PROVIDER = "envoy";
/** Name of the one selector-less Telemetry in the root namespace. */
export const MESH_TELEMETRY_NAME = "mesh-default";

export interface ZipkinProvider {
    name: string;
    zipkin: {
        /** FQDN of the collector Service. */
        service: string;
        port: number;
        maxTagLength: number;
        /** Istio ≥ 1.28 (ZipkinTracingProvider.trace_context_option). */
        traceContextOption?: "USE_B3_WITH_W3C_PROPAGATION";
    };
}

/** What a platform that owns its Istio install adds to its meshConfig (camelCase, as in Helm values and the ConfigMap). */
export interface MeshConfigFragment {
    enableTracing: true;
    defaultProviders: { tracing: string[] };
    extensionProviders: ZipkinProvider[];
}

export interface Collector {
    host: string;
    zipkinPort: number;
}

export function meshConfigFragment(istio: Pick<IstioArgs, "tracingProvider" | "maxPathTagLength" | "w3cPropagation">, collector: Collector): MeshConfigFragment {
    const zipkin: ZipkinProvider["zipkin"] = { service: collector.host, port: collector.zipkinPort, maxTagLength: istio.maxPathTagLength };
    if (istio.w3cPropagation) zipkin.traceContextOption = "USE_B3_WITH_W3C_PROPAGATION";
    return {
        enableTracing: true,
        defaultProviders: { tracing: [istio.tracingProvider] },
        extensionProviders: [{ name: istio.tracingProvider, zipkin }],
    };
}

/** Config tags as Istio CustomTags, keys sorted, each carrying exactly its one kind. */
export function customTags(tags: TelemetryArgs["customTags"]): CustomTags {
    const out: CustomTags = {};
    for (const key of Object.keys(tags).sort()) {
        const t = tags[key];
        if (t.literal) out[key] = { literal: { value: t.literal.value } };
        else if (t.environment) out[key] = { environment: { ...t.environment } };
        else if (t.header) out[key] = { header: { ...t.header } };
    }
    return out;
}

export interface TelemetryObject {
    name: string;
    namespace: string;
    spec: TelemetrySpec;
}

export interface TelemetryInputs {
    istio: Pick<IstioArgs, "rootNamespace" | "tracingProvider">;
    telemetry: TelemetryArgs;
    /** Mesh-wide sampling percentage (the Telemetry's randomSamplingPercentage). */
    samplingPercent: number;
}

/**
 * One selector-less Telemetry in the root namespace (tracing and access logging together: two selector-less objects
 * there merge in undefined order, IST0160), then one per workload override. A workload's customTags replace the
 * parent's entirely, so each override carries the mesh-wide tags.
 */
export function telemetryObjects({ istio, telemetry, samplingPercent }: TelemetryInputs): TelemetryObject[] {
    const providers = [{ name: istio.tracingProvider }];
    const tags = customTags(telemetry.customTags);
    const mesh: TelemetrySpec = { tracing: [{ providers, randomSamplingPercentage: samplingPercent, customTags: tags }] };
    if (telemetry.accessLogging) mesh.accessLogging = [{ providers: [{ name: ACCESS_LOG_PROVIDER }] }];
    const overrides = telemetry.workloadOverrides.map((w) => ({
        name: w.name,
        namespace: w.namespace,
        spec: {
            selector: { matchLabels: sortKeys(w.matchLabels) },
            tracing: [{ providers: [...providers], randomSamplingPercentage: w.samplingPercent, customTags: customTags(telemetry.customTags) }],
        },
    }));
    return [{ name: MESH_TELEMETRY_NAME, namespace: istio.rootNamespace, spec: mesh }, ...overrides];
}

/** A MESH_EXTERNAL entry visible to every namespace, so calls show up as the named service instead of PassthroughCluster. */
export function serviceEntrySpec(svc: Pick<ExternalServiceArgs, "hosts" | "ports" | "resolution">): ServiceEntrySpec {
    return {
        hosts: [...svc.hosts],
        ports: svc.ports.map((p) => ({ number: p.number, name: p.name, protocol: p.protocol })),
        location: "MESH_EXTERNAL",
        resolution: svc.resolution,
        exportTo: ["*"],
    };
}

type Json = Values;

/**
 * Merges the tracing fragment into a full mesh config without dropping anything else: objects merge key by key (Helm
 * semantics: a null removes a key),
 * extensionProviders merge by name (as istiod merges them over its defaults; the stack's provider replaces a
 * same-named one in place), and defaultProviders.tracing becomes the stack's provider. The inputs are not modified.
 */
export function mergeMeshConfig(base: Json, fragment: MeshConfigFragment): Json {
    const merged = deepMerge(base, { enableTracing: fragment.enableTracing, defaultProviders: fragment.defaultProviders });
    const existing = Array.isArray(base.extensionProviders) ? (base.extensionProviders as unknown[]) : [];
    const ours = new Map(fragment.extensionProviders.map((p) => [p.name, p]));
    const providers: unknown[] = existing.map((p) => {
        const name = isPlainObject(p) ? p.name : undefined;
        if (typeof name !== "string" || !ours.has(name)) return clone(p);
        const replacement = ours.get(name);
        ours.delete(name);
        return clone(replacement);
    });
    providers.push(...[...ours.values()].map(clone));
    merged.extensionProviders = providers;
    return sortKeys(merged);
}

/**
 * Values for the official istiod chart: the configured values plus the merged mesh config, whose root namespace is
 * pinned to the one holding the mesh-wide Telemetry (the chart would otherwise default it to global.istioNamespace).
 */
export function istiodValues(istiod: IstiodArgs, rootNamespace: string, fragment: MeshConfigFragment): Json {
    return sortKeys({ ...clone(istiod.values), meshConfig: mergeMeshConfig({ ...istiod.meshConfig, rootNamespace }, fragment) });
}

