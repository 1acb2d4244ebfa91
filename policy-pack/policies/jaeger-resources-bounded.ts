/**
 * Jaeger must not grow without bound: the install sets a memory limit, and in-memory storage sets max_traces.
 * Sees the jaeger Helm release/chart (values `jaeger.resources`, `userconfig`) and rendered Jaeger workloads
 * (container limits; the config their `--config` flag loads from a ConfigMap). Without `--config`/`userconfig` Jaeger
 * runs its built-in all-in-one config, whose memory store is bounded (max_traces 100000).
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { JAEGER_PODS_DEFAULTS, JaegerPodsConfig, jaegerPodsSchema, read } from "../lib/config";
import {
    configFlags, configMapAt, describeHelmInstall, isHelmInstall, isJaegerChart, isJaegerImage, maxTracesProblems, memoryLimitProblem, parseUserConfig,
} from "../lib/jaeger";
import { asArray, describe, hasLabels, isKind, isRecord, metadataName, namespaceOf, podTemplate, ResourceLike } from "../lib/resources";

/** Problems of a Helm install of the jaeger chart. */
function helmProblems(r: ResourceLike): string[] {
    const where = describeHelmInstall(r);
    const values = isRecord(r.props.values) ? r.props.values : {};
    const problems: string[] = [];
    const limit = memoryLimitProblem(values.jaeger?.resources, `${where} (values jaeger.resources)`);
    if (limit) problems.push(limit);
    if (values.userconfig !== undefined && values.userconfig !== null) {
        const { config, error } = parseUserConfig(values.userconfig);
        if (error) problems.push(`${where}: values userconfig is not valid YAML (${error})`);
        else problems.push(...maxTracesProblems(config, `${where} (values userconfig)`));
    }
    return problems;
}

/** Problems of a rendered Jaeger workload; ConfigMaps are looked up by namespace/name. */
function workloadProblems(r: ResourceLike, configMaps: Map<string, ResourceLike>): string[] {
    const template = podTemplate(r);
    if (!template) return [];
    const where = describe(r);
    const namespace = namespaceOf(r);
    const problems: string[] = [];
    // The Jaeger containers (by image); without one, the workload was recognised by its labels: all containers.
    const containers = asArray(template.spec.containers).filter(isRecord);
    const jaegerContainers = containers.filter((c) => isJaegerImage(c.image));
    for (const container of jaegerContainers.length > 0 ? jaegerContainers : containers) {
        const at = `${where} container "${container.name}"`;
        const limit = memoryLimitProblem(container.resources, at);
        if (limit) problems.push(limit);
        for (const flag of configFlags(container)) {
            const path = flag.replace(/^file:/, "");
            if (!path.startsWith("/")) {
                problems.push(`${at} loads its config from "${flag}", which cannot be checked for max_traces; use a file from a ConfigMap`);
                continue;
            }
            const ref = configMapAt(path, container, template.spec);
            if (!ref) {
                problems.push(`${at} loads its config from ${path}, which is not mounted from a ConfigMap; max_traces cannot be checked`);
                continue;
            }
            const cm = configMaps.get(`${namespace}/${ref.name}`);
            const text = cm?.props.data?.[ref.key];
            if (typeof text !== "string") {
                problems.push(`${at} loads its config from ConfigMap ${namespace}/${ref.name} key "${ref.key}", which is not in the checked resources; max_traces cannot be checked`);
                continue;
            }
            const { config, error } = parseUserConfig(text);
            if (error) problems.push(`${at}: ConfigMap ${namespace}/${ref.name} key "${ref.key}" is not valid YAML (${error})`);
            else problems.push(...maxTracesProblems(config, `${at} (ConfigMap ${namespace}/${ref.name} key "${ref.key}")`));
        }
    }
    return problems;
}

export const jaegerResourcesBounded: StackValidationPolicy = {
    name: "jaeger-resources-bounded",
    description: "The Jaeger install sets a memory limit, and in-memory storage sets a max_traces bound.",
    enforcementLevel: "mandatory",
    configSchema: jaegerPodsSchema,
    validateStack: (args, reportViolation) => {
        const { jaegerPodLabels } = read<JaegerPodsConfig>(args.getConfig(), JAEGER_PODS_DEFAULTS);
        const configMaps = new Map<string, ResourceLike>();
        const installs: { r: ResourceLike; helm: boolean }[] = [];
        for (const r of args.resources) {
            if (isKind(r.type, "", "ConfigMap")) configMaps.set(`${namespaceOf(r)}/${metadataName(r)}`, r);
            else if (isHelmInstall(r.type) && isJaegerChart(r.props)) installs.push({ r, helm: true });
            else {
                const template = podTemplate(r);
                const jaeger = template && (hasLabels(template.labels, jaegerPodLabels) || asArray(template.spec.containers).some((c) => isRecord(c) && isJaegerImage(c.image)));
                if (jaeger) installs.push({ r, helm: false });
            }
        }
        if (installs.length === 0) args.notApplicable("no Jaeger install (jaeger Helm chart or Jaeger workload) in the checked resources");
        for (const { r, helm } of installs) {
            for (const problem of helm ? helmProblems(r) : workloadProblems(r, configMaps)) reportViolation(problem, r.urn);
        }
    },
};
