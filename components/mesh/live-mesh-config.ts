/**
 * The live mesh config against the stack's tracing provider, as plain data. istiod only logs (if that) when a
 * Telemetry names a provider its mesh config lacks, or one whose service is elsewhere: every proxy then stops tracing.
 * So a stack that does not manage istiod reads istiod's ConfigMap first (mesh-config-guard.ts) and judges it here.
 */
import * as YAML from "yaml";
import { isPlainObject } from "../foundation/k8s";
import { mergeMeshConfig, MeshConfigFragment, ZipkinProvider } from "./mesh-config";

/** istiod's mesh ConfigMap holds the mesh config as YAML under this key. */
export const MESH_CONFIG_KEY = "mesh";

export interface LiveMeshVerdict {
    /** Each makes the stack's Telemetry trace nowhere or to the wrong place: the run must stop. */
    problems: string[];
    /** Valid, but not what the stack's fragment says. */
    warnings: string[];
}

/** A provider's `service` is `[<namespace>/]<hostname>` (Istio's ZipkinTracingProvider). */
const hostOf = (service: unknown) => (typeof service === "string" ? service.split("/").pop() : undefined);

/**
 * Judges `data` (the ConfigMap's data; undefined when it has none) for `wanted`, the provider this stack's fragment
 * declares. `where` names the ConfigMap in messages.
 */
export function judgeLiveMeshConfig(data: Record<string, string> | undefined, wanted: ZipkinProvider, where: string): LiveMeshVerdict {
    const fix = "merge the stack's `meshConfig` output into it (README, \"Running against a real cluster\")";
    const raw = data?.[MESH_CONFIG_KEY];
    if (typeof raw !== "string") {
        return { problems: [`${where} has no key "${MESH_CONFIG_KEY}": not istiod's mesh config; ${fix}`], warnings: [] };
    }
    let mesh: unknown;
    try {
        mesh = YAML.parse(raw);
    } catch (e) {
        return { problems: [`${where}: key "${MESH_CONFIG_KEY}" is not YAML (${(e as Error).message.split("\n")[0]})`], warnings: [] };
    }
    const config = isPlainObject(mesh) ? mesh : {};
    const providers = Array.isArray(config.extensionProviders) ? config.extensionProviders.filter(isPlainObject) : [];
    const found = providers.find((p) => p.name === wanted.name);
    const names = providers.map((p) => String(p.name)).join(", ") || "none";
    if (!found) {
        return { problems: [`${where}: provider "${wanted.name}" is not in the mesh config (its extensionProviders: ${names}), ` +
            `so every Telemetry of this stack would switch tracing off; ${fix}`], warnings: [] };
    }
    const zipkin = isPlainObject(found.zipkin) ? found.zipkin : undefined;
    if (!zipkin) {
        const kind = Object.keys(found).filter((k) => k !== "name").join(", ") || "no settings";
        return { problems: [`${where}: provider "${wanted.name}" is not a zipkin provider (it has ${kind}); ${fix}`], warnings: [] };
    }
    const problems: string[] = [];
    const want = wanted.zipkin;
    if (hostOf(zipkin.service) !== want.service || Number(zipkin.port) !== want.port) {
        problems.push(`${where}: provider "${wanted.name}" sends spans to ${String(zipkin.service)}:${String(zipkin.port)}, ` +
            `not to this stack's collector ${want.service}:${want.port}; ${fix}`);
    }
    if (want.traceContextOption && zipkin.traceContextOption !== want.traceContextOption) {
        problems.push(`${where}: provider "${wanted.name}" lacks traceContextOption ${want.traceContextOption} (istio.w3cPropagation): ` +
            `Envoy would not emit traceparent; ${fix}`);
    }
    const warnings: string[] = [];
    if (!want.traceContextOption && zipkin.traceContextOption !== undefined && zipkin.traceContextOption !== "USE_B3") {
        warnings.push(`${where}: provider "${wanted.name}" has traceContextOption ${String(zipkin.traceContextOption)}, ` +
            "but istio.w3cPropagation is false");
    }
    if (zipkin.maxTagLength !== undefined && Number(zipkin.maxTagLength) !== want.maxTagLength) {
        warnings.push(`${where}: provider "${wanted.name}" has maxTagLength ${String(zipkin.maxTagLength)}, ` +
            `istio.maxPathTagLength is ${want.maxTagLength}`);
    }
    if (isPlainObject(config.defaultConfig) && config.defaultConfig.tracing !== undefined) {
        warnings.push(`${where}: defaultConfig.tracing is set; a leftover proxy tracing config can override the Telemetry API ` +
            "(istio/istio#35750): remove it unless you know it is needed");
    }
    return { problems, warnings };
}

/**
 * The ConfigMap data of a platform that did what the README asks: the fragment merged into its mesh config, as
 * istiod's chart writes it. The embedded cluster's stand-in for the platform, and the mock plan's live cluster.
 */
export function platformMeshConfigData(
    existingMesh: string | undefined, rootNamespace: string, fragment: MeshConfigFragment,
): Record<string, string> {
    const parsed: unknown = existingMesh ? YAML.parse(existingMesh) : undefined;
    const base = isPlainObject(parsed) ? parsed : { rootNamespace };
    return { [MESH_CONFIG_KEY]: YAML.stringify(mergeMeshConfig(base, fragment)) };
}
