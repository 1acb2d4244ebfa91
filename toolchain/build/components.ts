/**
 * The pinned real components: one Go module each under toolchain/go/<component>/ (go.mod + go.sum), built with the
 * ordinary `go` command through the module proxy. Versions that differ from what the project targets are the proxy's
 * nearest served ones (README "Real components" lists each mismatch).
 */

/** Every binary the toolchain provides, as `npm run -s toolchain -- --json` names them. */
export const TOOL_NAMES = [
    "pulumi",
    "pulumi-language-nodejs",
    "pulumi-resource-kubernetes",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubectl",
    "etcd",
    "kwok",
    "kwokctl",
    "helm",
    "istioctl",
    "pilot-discovery",
    "xds-probe",
    "jaeger",
    "es-index-cleaner",
    "otelcol",
    // Not from Go: resolved with Maven (toolchain/build/opensearch.ts).
    "opensearch",
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export interface Tool {
    name: ToolName;
    /** Go package of the main, relative to the module when it starts with "./". */
    pkg: string;
    /** Arguments that print the version, and the text the output must contain, to reuse a binary found on PATH. */
    versionCheck?: { args: string[]; expect: string };
}

export interface Component {
    /** Folder under toolchain/go/. */
    module: string;
    /** The version the binaries report. */
    version: string;
    /** Where it comes from, for the summary table and the README. */
    source: string;
    tools: Tool[];
    /** Extra environment for `go build` (part of the cache key). */
    env?: Record<string, string>;
    /** -X flags: the version is stamped where the binary reports one. */
    stamps: Record<string, string>;
    /** Files copied from a module's directory next to the binaries (the provider reads its schema from there). */
    moduleFiles?: { module: string; files: Record<string, string> };
}

/** The Kubernetes release of the control plane, kubectl and the embedded cluster. */
export const K8S_VERSION = "v1.36.3";
const K8S = K8S_VERSION;
const k8sStamps = (prefix: string) => ({
    [`${prefix}.gitVersion`]: K8S,
    [`${prefix}.gitMajor`]: "1",
    [`${prefix}.gitMinor`]: "36",
    [`${prefix}.gitTreeState`]: "clean",
    // Fixed (the release's date) so two builds are byte-identical.
    [`${prefix}.buildDate`]: "2026-07-23T00:00:00Z",
});
const k8sTool = (name: ToolName, args = ["--version"], expect = `Kubernetes ${K8S}`): Tool => ({
    name,
    pkg: `k8s.io/kubernetes/cmd/${name}`,
    versionCheck: { args, expect },
});

export const COMPONENTS: Component[] = [
    {
        module: "pulumi",
        version: "v3.248.0",
        source: "github.com/pulumi/pulumi/pkg/v3@v3.248.0",
        tools: [{ name: "pulumi", pkg: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", versionCheck: { args: ["version"], expect: "v3.248.0" } }],
        stamps: { "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version": "v3.248.0" },
    },
    {
        module: "pulumi-language-nodejs",
        version: "v3.248.0",
        source: "own main on github.com/pulumi/pulumi/sdk/v3@v3.248.0 (upstream's module is not served)",
        tools: [{ name: "pulumi-language-nodejs", pkg: "." }],
        stamps: { "main.version": "v3.248.0" },
    },
    {
        module: "pulumi-resource-kubernetes",
        version: "4.25.0",
        source: "own main on github.com/pulumi/pulumi-kubernetes/provider/v4@v4.0.0-20260115033456-f47bc2d6f199 (v4.25.0)",
        tools: [{ name: "pulumi-resource-kubernetes", pkg: "." }],
        stamps: {
            "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version": "4.25.0",
            // The provider renders helm.v4.Chart with the Helm library; with no cluster to ask (renderYamlToDirectory,
            // `npm run synth`) it assumes Helm's default Kubernetes version, unstamped v1.20, which the jaeger chart
            // (kubeVersion >= 1.21) refuses. Stamped with its client-go's (v0.33.3), as Helm's Makefile does.
            "helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor": "1",
            "helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor": "33",
        },
        moduleFiles: {
            module: "github.com/pulumi/pulumi-kubernetes/provider/v4",
            files: {
                "cmd/pulumi-resource-kubernetes/schema.json": "kubernetes-schema.json",
                "cmd/pulumi-resource-kubernetes/terraform-mapping.json": "kubernetes-terraform-mapping.json",
            },
        },
    },
    {
        module: "kubernetes",
        version: K8S,
        source: `k8s.io/kubernetes@${K8S} (staging modules v0.36.3)`,
        tools: [
            k8sTool("kube-apiserver"),
            k8sTool("kube-controller-manager"),
            k8sTool("kube-scheduler"),
            k8sTool("kubectl", ["version", "--client"], `Client Version: ${K8S}`),
        ],
        stamps: { ...k8sStamps("k8s.io/component-base/version"), ...k8sStamps("k8s.io/client-go/pkg/version") },
    },
    {
        module: "etcd",
        version: "v3.6.16",
        source: "go.etcd.io/etcd/server/v3@v3.6.16",
        tools: [{ name: "etcd", pkg: "go.etcd.io/etcd/server/v3", versionCheck: { args: ["--version"], expect: "etcd Version: 3.6.16" } }],
        stamps: {},
    },
    {
        module: "kwok",
        version: "v0.8.0",
        source: "sigs.k8s.io/kwok@v0.8.0",
        tools: [
            { name: "kwok", pkg: "sigs.k8s.io/kwok/cmd/kwok", versionCheck: { args: ["--version"], expect: "v0.8.0" } },
            { name: "kwokctl", pkg: "sigs.k8s.io/kwok/cmd/kwokctl", versionCheck: { args: ["--version"], expect: "v0.8.0" } },
        ],
        stamps: {},
    },
    {
        module: "helm",
        version: "v3.21.4",
        // v3.22.0 is served but not an approved release; v3.21.4 is the newest approved one.
        source: "helm.sh/helm/v3@v3.21.4",
        tools: [{ name: "helm", pkg: "helm.sh/helm/v3/cmd/helm", versionCheck: { args: ["version", "--short"], expect: "v3.21.4" } }],
        stamps: {
            "helm.sh/helm/v3/internal/version.version": "v3.21.4",
            "helm.sh/helm/v3/internal/version.gitTreeState": "clean",
            // Helm's default Kubernetes version is its client-go's (v0.36.2), stamped as its Makefile does; unstamped
            // it is v1.20, which charts requiring >= 1.21 refuse.
            "helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor": "1",
            "helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor": "36",
        },
    },
    {
        module: "istioctl",
        version: "1.31-dev+eed52ebb66ad",
        source: "istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad (master, 2026-08-27; no 1.28 build is served)",
        tools: [
            {
                name: "istioctl",
                pkg: "istio.io/istio/istioctl/cmd/istioctl",
                versionCheck: { args: ["version", "--remote=false", "--short"], expect: "1.31-dev+eed52ebb66ad" },
            },
            // istiod, from the same module so control plane and CLI agree (`npm run mesh` runs it).
            {
                name: "pilot-discovery",
                pkg: "istio.io/istio/pilot/cmd/pilot-discovery",
                versionCheck: { args: ["version", "--short"], expect: "1.31-dev+eed52ebb66ad" },
            },
        ],
        // Static binaries, as Istio's own release builds them.
        env: { CGO_ENABLED: "0" },
        stamps: {
            "istio.io/istio/pkg/version.buildVersion": "1.31-dev+eed52ebb66ad",
            "istio.io/istio/pkg/version.buildGitRevision": "eed52ebb66ad",
            "istio.io/istio/pkg/version.buildStatus": "Clean",
            "istio.io/istio/pkg/version.buildTag": "1.31-dev",
        },
    },
    {
        module: "xds-probe",
        version: "1.31-dev+eed52ebb66ad",
        // Own main on the same versions as istiod (the istioctl module's go.sum).
        source: "own main on istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad",
        tools: [{ name: "xds-probe", pkg: "." }],
        env: { CGO_ENABLED: "0" },
        stamps: {},
    },
    {
        module: "jaeger",
        version: "v2.12.0",
        source: "github.com/jaegertracing/jaeger@v1.75.0 (= v2.12.0, the approved release; the chart's 2.19.0 is not served)",
        tools: [
            { name: "jaeger", pkg: "github.com/jaegertracing/jaeger/cmd/jaeger", versionCheck: { args: ["version"], expect: "v2.12.0" } },
            // The retention CronJob's program (image jaegertracing/jaeger-es-index-cleaner of the same release).
            { name: "es-index-cleaner", pkg: "github.com/jaegertracing/jaeger/cmd/es-index-cleaner" },
        ],
        stamps: {
            "github.com/jaegertracing/jaeger/internal/version.latestVersion": "v2.12.0",
            // The module proxy gives the release's time, not its commit: no commitSHA is stamped rather than a guessed one.
            "github.com/jaegertracing/jaeger/internal/version.date": "2025-11-13T16:44:30Z",
        },
    },
    {
        module: "otelcol",
        version: "0.158.0",
        // The chart opentelemetry-collector 0.170.0's appVersion; all collector modules at that one release.
        source: "own main on opentelemetry-collector-contrib v0.158.0 (core v0.158.0 / v1.64.0)",
        // No PATH reuse: a stock otelcol of the same version lacks the loadbalancing exporter.
        tools: [{ name: "otelcol", pkg: "." }],
        stamps: { "main.version": "0.158.0" },
    },
];
