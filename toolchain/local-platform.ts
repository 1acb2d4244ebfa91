/**
 * What the platform provides before this stack runs on a real cluster, stood in for on the embedded one: the
 * namespaces the stack references without creating them (Istio's, the app teams'), and prod's storage password
 * Secret (README, "Running against a real cluster", step 3) with a local-only value.
 */
import { spawnSync } from "child_process";
import * as YAML from "yaml";
import { ToolchainError } from "./tools";

export const LOCAL_STORAGE_PASSWORD = "local-only-password";

interface Referenced {
    namespaces: string[];
    secrets: { namespace: string; name: string; key: string }[];
}

/** Reads the stack file's raw config: only names, so a config the program rejects still gets its own message. */
export function referencedByStack(project: string, config: Record<string, any>): Referenced {
    const get = (key: string) => config[`${project}:${key}`];
    const jaeger = get("jaeger") ?? {};
    const istio = get("istio") ?? {};
    const jaegerNamespace = typeof jaeger.namespace === "string" ? jaeger.namespace : "istio-system";
    const apps = (Array.isArray(get("appNamespaces")) ? get("appNamespaces") : [])
        .filter((a: unknown) => typeof a === "string" || (a && typeof a === "object" && (a as any).create !== true))
        .map((a: any) => (typeof a === "string" ? a : a.name))
        .filter((n: unknown) => typeof n === "string");
    const namespaces = [jaegerNamespace, typeof istio.rootNamespace === "string" ? istio.rootNamespace : "istio-system", ...apps];
    const ref = jaeger.storage?.passwordSecretRef;
    const secrets = ref && typeof ref.name === "string" && typeof ref.key === "string" ? [{ namespace: jaegerNamespace, name: ref.name, key: ref.key }] : [];
    return { namespaces: [...new Set(namespaces)].sort(), secrets };
}

/** Creates what is missing (never changes what exists) and says what it created. */
export function providePlatform(kubectl: string, kubeconfig: string, ref: Referenced, log: (line: string) => void): void {
    const k = (args: string[], input?: string) => spawnSync(kubectl, ["--kubeconfig", kubeconfig, ...args], { input, encoding: "utf8" });
    const missing = ref.namespaces.filter((ns) => k(["get", "namespace", ns]).status !== 0);
    const secrets = ref.secrets.filter((s) => k(["-n", s.namespace, "get", "secret", s.name]).status !== 0);
    const docs = [
        ...missing.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: name === "istio-system" ? {} : { "istio-injection": "enabled" } } })),
        ...secrets.map((s) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: s.name, namespace: s.namespace }, type: "Opaque", stringData: { [s.key]: LOCAL_STORAGE_PASSWORD } })),
    ];
    if (!docs.length) return;
    log(`embedded cluster: creating what the platform provides on a real cluster: ${docs.map((d) => `${d.kind.toLowerCase()}/${d.metadata.name}`).join(", ")}`);
    const r = k(["create", "-f", "-"], docs.map((d) => YAML.stringify(d)).join("---\n"));
    if (r.status !== 0) throw new ToolchainError(`creating ${docs.map((d) => d.metadata.name).join(", ")} failed:\n${r.stderr}`);
}
