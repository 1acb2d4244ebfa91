/**
 * How this program installs a Helm chart (Jaeger, a managed istiod), decided in one place.
 *
 * Normally a `helm.v3.Release`: a real release that shows in `helm list`, rolls back with `helm rollback`, runs
 * whatever hooks a chart defines (the jaeger chart's ES rollover hook stays disabled), and (atomic) undoes a failed
 * upgrade, so a bad config never leaves the collector down; `helm.v4.Chart` renders client-side into plain Pulumi
 * resources, with nothing in `helm list` and hooks not run as Helm would. A renamed release is replaced delete-first:
 * charts hard-code object names (the jaeger chart's ConfigMap `user-config`), so a new release created next to the
 * old one would collide. A provider with `renderYamlToDirectory` cannot handle a Release (pulumi-kubernetes#1716), so
 * a rendering (GitOps) stack gets `helm.v4.Chart` instead, which renders the same chart, version and values into
 * plain manifests for Argo CD/Flux. Both carry the same inputs (chart, version, repository, namespace, name,
 * values), so plans, policies and the tests under mocks see the same values.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface HelmInstallArgs {
    releaseName: string;
    namespace: string;
    chart: string;
    version: string;
    /** The chart repository; unset when `chart` is a local directory or archive. */
    repo?: string;
    values: pulumi.Input<pulumi.Inputs>;
    /** The provider renders YAML instead of applying it. */
    renderYaml: boolean;
    /**
     * The release outlives this stack: never deleted (retainOnDelete: `destroy` and a replacement leave it installed)
     * nor replaced delete-first. For a managed istiod: the whole mesh depends on it, not only tracing.
     */
    outlivesStack?: boolean;
}

/** A chart as config names it: the repository's, or a local directory/archive (`path`) installed instead. */
export interface ChartRef {
    readonly name: string;
    readonly version: string;
    readonly repo?: string;
    readonly path?: string;
}

/** helmInstall's chart, version and repository for a ChartRef: a local path has no repository. */
export function chartSource(c: ChartRef): Pick<HelmInstallArgs, "chart" | "version" | "repo"> {
    return { chart: c.path ?? c.name, version: c.version, repo: c.path ? undefined : c.repo };
}

export function helmInstall(name: string, args: HelmInstallArgs, opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions): k8s.helm.v3.Release | k8s.helm.v4.Chart {
    const common = {
        name: args.releaseName,
        namespace: args.namespace,
        chart: args.chart,
        version: args.version,
        ...(args.repo ? { repositoryOpts: { repo: args.repo } } : {}),
        values: args.values,
    };
    if (args.renderYaml) return new k8s.helm.v4.Chart(name, common, opts);
    const lifecycle = args.outlivesStack ? { retainOnDelete: true } : { deleteBeforeReplace: true };
    return new k8s.helm.v3.Release(name, { ...common, atomic: true, maxHistory: 10 }, { ...opts, ...lifecycle });
}
