/**
 * What the platform provides before this stack runs on a real cluster, stood in for on the embedded one: the
 * namespaces the stack references without creating them (Istio's, the app teams'), and prod's storage Secrets
 * (README, "Running against a real cluster", step 3): the password with a local-only value, and the backend's CA with
 * a placeholder, since no Elasticsearch runs here and kwok starts no container that would read it.
 */
import * as YAML from "yaml";
import { run } from "../kit/exec";
import { StackNames } from "./stack-defaults";
import { ToolchainError } from "../kit/command";

export const LOCAL_STORAGE_PASSWORD = "local-only-password";
const PLACEHOLDER_CA = "placeholder: no Elasticsearch runs on the embedded cluster\n";

export interface Referenced {
    namespaces: string[];
    /** One entry per Secret, every key it must hold. */
    secrets: { namespace: string; name: string; data: Record<string, string> }[];
}

export function referencedByStack(names: StackNames): Referenced {
    const namespaces = [...new Set([names.jaegerNamespace, names.rootNamespace, ...names.referencedAppNamespaces].filter((n): n is string => !!n))].sort();
    const secrets = new Map<string, Referenced["secrets"][number]>();
    for (const ref of names.jaegerNamespace ? names.secretRefs : []) {
        const secret = secrets.get(ref.name) ?? { namespace: names.jaegerNamespace!, name: ref.name, data: {} };
        secret.data[ref.key] = ref.purpose === "password" ? LOCAL_STORAGE_PASSWORD : PLACEHOLDER_CA;
        secrets.set(ref.name, secret);
    }
    return { namespaces, secrets: [...secrets.values()] };
}

/** Creates what is missing (never changes what exists) and says what it created. */
export function providePlatform(kubectl: string, kubeconfig: string, ref: Referenced, log: (line: string) => void): void {
    const k = (args: string[], input?: string) => run(kubectl, ["--kubeconfig", kubeconfig, ...args], { input });
    const missing = ref.namespaces.filter((ns) => k(["get", "namespace", ns]).code !== 0);
    const secrets = ref.secrets.filter((s) => k(["-n", s.namespace, "get", "secret", s.name]).code !== 0);
    const docs = [
        ...missing.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: name === "istio-system" ? {} : { "istio-injection": "enabled" } } })),
        ...secrets.map((s) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: s.name, namespace: s.namespace }, type: "Opaque", stringData: s.data })),
    ];
    if (!docs.length) return;
    log(`embedded cluster: creating what the platform provides on a real cluster: ${docs.map((d) => `${d.kind.toLowerCase()}/${d.metadata.name}`).join(", ")}`);
    const r = k(["create", "-f", "-"], docs.map((d) => YAML.stringify(d)).join("---\n"));
    if (r.code !== 0) throw new ToolchainError(`creating ${docs.map((d) => d.metadata.name).join(", ")} failed:\n${r.stderr}`);
}
