/**
 * Plain registration, shared by the plain baseline (mock runtime) and the real-engine plain baseline project: each item as
 * the plain @pulumi/kubernetes class for its type, no components, no logic. Loads only the SDKs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlainItem } from "./plain-baseline-plan";

type Ctor = new (name: string, args: any) => pulumi.CustomResource | pulumi.ComponentResource;

/**
 * The SDK's class for a type token: `kubernetes:<group>/<version>:<Kind>` is `k8s.<module>.<version>.<Kind>` with
 * the module the group's first label (`networking.k8s.io` → networking, `rbac.authorization.k8s.io` → rbac,
 * `helm.sh` → helm); groups the SDK has no class for (Istio's) are `apiextensions.CustomResource`.
 */
export function resourceClass(type: string): Ctor {
    const m = /^kubernetes:([^/:]+)\/([^/:]+):([A-Za-z0-9]+)$/.exec(type);
    if (!m) throw new Error(`not a Kubernetes type token: ${type}`);
    const [, group, version, kind] = m;
    const builtIn = group === "core" || group === "helm.sh" || !group.includes(".") || group.endsWith(".k8s.io");
    const module = builtIn ? (k8s as any)[group.split(".")[0]] : undefined;
    const ctor = module?.[version]?.[kind] as Ctor | undefined;
    if (ctor) return ctor;
    if (builtIn) throw new Error(`@pulumi/kubernetes has no class for ${type}`);
    return k8s.apiextensions.CustomResource as unknown as Ctor;
}

/** Registers every item (under the mock runtime or a real engine). */
export function registerPlain(plan: readonly PlainItem[]): void {
    for (const item of plan) new (resourceClass(item.type))(item.name, item.args);
}
