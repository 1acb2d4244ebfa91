/**
 * What the platform provides before this stack runs on a real cluster, stood in for on the embedded one: the
 * namespaces the stack references without creating them (Istio's, the app teams'), prod's storage Secrets
 * (README, "Running against a real cluster", step 3): the password with a local-only value, and the backend's CA with
 * a placeholder, since no Elasticsearch runs here and kwok starts no container that would read it; and istiod's mesh
 * ConfigMap with the stack's tracing provider merged in (step 2), which the program reads before it registers anything.
 */
import * as YAML from "yaml";
import { run } from "../kit/exec";
import { StackNames } from "./stack-defaults";
import { ToolchainError } from "../kit/command";
import { judgeLiveMeshConfig, MESH_CONFIG_KEY, platformMeshConfigData } from "../../components/mesh/live-mesh-config";

export const LOCAL_STORAGE_PASSWORD = "local-only-password";
const PLACEHOLDER_CA = "placeholder: no Elasticsearch runs on the embedded cluster\n";

export interface Referenced {
    namespaces: string[];
    /** One entry per Secret, every key it must hold. */
    secrets: { namespace: string; name: string; data: Record<string, string> }[];
    meshConfigMap?: StackNames["meshConfigMap"];
}

export function referencedByStack(names: StackNames): Referenced {
    const namespaces = [...new Set([names.jaegerNamespace, names.rootNamespace, ...names.referencedAppNamespaces].filter((n): n is string => !!n))].sort();
    const secrets = new Map<string, Referenced["secrets"][number]>();
    for (const ref of names.jaegerNamespace ? names.secretRefs : []) {
        const secret = secrets.get(ref.name) ?? { namespace: names.jaegerNamespace!, name: ref.name, data: {} };
        secret.data[ref.key] = ref.purpose === "password" ? LOCAL_STORAGE_PASSWORD : PLACEHOLDER_CA;
        secrets.set(ref.name, secret);
    }
    return { namespaces, secrets: [...secrets.values()], meshConfigMap: names.meshConfigMap };
}

/**
 * Creates what is missing and says what it created. What exists is left alone, except the mesh ConfigMap when it
 * lacks this stack's provider: the stand-in platform then merges the fragment, as the README asks a real one to.
 */
export function providePlatform(kubectl: string, kubeconfig: string, ref: Referenced, log: (line: string) => void): void {
    const k = (args: string[], input?: string) => run(kubectl, ["--kubeconfig", kubeconfig, ...args], { input });
    const missing = ref.namespaces.filter((ns) => k(["get", "namespace", ns]).code !== 0);
    const secrets = ref.secrets.filter((s) => k(["-n", s.namespace, "get", "secret", s.name]).code !== 0);
    const docs: ({ kind: string; metadata: { name: string; namespace?: string } } & Record<string, unknown>)[] = [
        ...missing.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: name === "istio-system" ? {} : { "istio-injection": "enabled" } } })),
        ...secrets.map((s) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: s.name, namespace: s.namespace }, type: "Opaque", stringData: s.data })),
    ];
    const mesh = ref.meshConfigMap;
    if (mesh) {
        const got = k(["-n", mesh.namespace, "get", "configmap", mesh.name, "-o", "json"]);
        const existing = got.code === 0 ? (JSON.parse(got.stdout).data as Record<string, string> | undefined) : undefined;
        const data = platformMeshConfigData(existing?.[MESH_CONFIG_KEY], mesh.namespace, mesh.fragment);
        const where = `ConfigMap ${mesh.namespace}/${mesh.name}`;
        if (got.code !== 0) {
            docs.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: mesh.name, namespace: mesh.namespace }, data });
        } else if (judgeLiveMeshConfig(existing, mesh.fragment.extensionProviders[0], where).problems.length) {
            log(`embedded cluster: merging the stack's tracing provider into ${where}, as the README asks a platform to`);
            const r = k(["-n", mesh.namespace, "patch", "configmap", mesh.name, "--type", "merge", "-p", JSON.stringify({ data })]);
            if (r.code !== 0) throw new ToolchainError(`patching ${where} failed:\n${r.stderr}`);
        }
    }
    if (!docs.length) return;
    log(`embedded cluster: creating what the platform provides on a real cluster: ${docs.map((d) => `${d.kind.toLowerCase()}/${d.metadata.name}`).join(", ")}`);
    const r = k(["create", "-f", "-"], docs.map((d) => YAML.stringify(d)).join("---\n"));
    if (r.code !== 0) throw new ToolchainError(`creating ${docs.map((d) => d.metadata.name).join(", ")} failed:\n${r.stderr}`);
}
