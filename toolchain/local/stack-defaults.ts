/**
 * What the local runner needs to know of a stack's raw config — names only, with the config schema's own defaults —
 * read leniently: a config the program rejects still reaches the program, which reports it properly.
 */
import { z } from "zod";
import { rawConfigSchema } from "../../components/config/schema";
import { zipkinCollector } from "../../components/foundation/topology";
import { MeshConfigFragment, meshConfigFragment } from "../../components/mesh/mesh-config";

const jaegerKeys = rawConfigSchema.shape.jaeger.unwrap().shape;
const istioSchema = rawConfigSchema.shape.istio;
const istioKeys = istioSchema.unwrap().shape;
const appNamespace = rawConfigSchema.shape.appNamespaces.unwrap().element;

function field<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
    const r = schema.safeParse(value);
    return r.success ? r.data : undefined;
}

export interface StackNames {
    jaegerNamespace?: string;
    rootNamespace?: string;
    /** App namespaces the stack references without creating them. */
    referencedAppNamespaces: string[];
    chart?: { name: string; version: string; path?: string };
    secretRefs: { name: string; key: string; purpose: "password" | "ca" }[];
    /** istiod's mesh ConfigMap the program checks for its provider (absent when it manages istiod or skips the check). */
    meshConfigMap?: { namespace: string; name: string; fragment: MeshConfigFragment };
}

export function stackNames(project: string, config: Record<string, any>): StackNames {
    const get = (key: string) => config[`${project}:${key}`];
    const jaeger = get("jaeger") && typeof get("jaeger") === "object" ? get("jaeger") : {};
    const istio = get("istio") && typeof get("istio") === "object" ? get("istio") : {};
    const apps = (Array.isArray(get("appNamespaces")) ? get("appNamespaces") : []).flatMap((a: unknown) => field(appNamespace, a) ?? []);
    const storage = jaeger.storage && typeof jaeger.storage === "object" ? jaeger.storage : {};
    const ref = (value: unknown, purpose: "password" | "ca") => {
        const r = value as { name?: unknown; key?: unknown } | undefined;
        return r && typeof r.name === "string" && typeof r.key === "string" ? [{ name: r.name, key: r.key, purpose }] : [];
    };
    return {
        jaegerNamespace: field(jaegerKeys.namespace, jaeger.namespace),
        rootNamespace: field(istioKeys.rootNamespace, istio.rootNamespace),
        referencedAppNamespaces: apps.filter((a: { create: boolean }) => !a.create).map((a: { name: string }) => a.name),
        chart: field(jaegerKeys.chart, jaeger.chart),
        secretRefs: [...ref(storage.passwordSecretRef, "password"), ...ref(storage.caSecretRef, "ca")],
        meshConfigMap: meshConfigMapOf(field(istioSchema, get("istio")), field(jaegerKeys.namespace, jaeger.namespace)),
    };
}

function meshConfigMapOf(istio: z.infer<typeof istioSchema> | undefined, jaegerNamespace: string | undefined): StackNames["meshConfigMap"] {
    if (!istio || !jaegerNamespace || istio.istiod || !istio.verifyMeshConfig) return undefined;
    const fragment = meshConfigFragment(istio, zipkinCollector(jaegerNamespace));
    return { namespace: istio.rootNamespace, name: istio.meshConfigMap, fragment };
}
