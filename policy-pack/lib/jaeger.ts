/**
 * Recognising the Jaeger install in a stack or a set of manifests: Services that select Jaeger pods, the Helm
 * release/chart of the jaeger chart, and rendered Jaeger workloads with the config they load.
 */
import { parse } from "yaml";
import { DEFAULT_JAEGER_POD_LABELS } from "./config";
import { asArray, hasLabels, isKind, isRecord, ResourceLike, stringMap } from "./resources";

/** A Service selects Jaeger pods when its selector is a non-empty subset of the Jaeger pod labels. */
export function selectsJaeger(serviceSpec: unknown, jaegerPodLabels: Readonly<Record<string, string>>): boolean {
    const selector = isRecord(serviceSpec) ? stringMap(serviceSpec.selector) : {};
    return Object.keys(selector).length > 0 && hasLabels(jaegerPodLabels, selector);
}

/** Helm v3 Release or v4 Chart resources (same `chart`, `repositoryOpts`, `values` inputs). */
export function isHelmInstall(type: string): boolean {
    return isKind(type, "helm.sh", "Release") || isKind(type, "helm.sh", "Chart");
}

/** The jaegertracing chart: `jaeger`, `repo/jaeger`, `oci://…/jaeger`, `…/jaeger-4.11.1.tgz`. */
export function isJaegerChart(props: Record<string, any>): boolean {
    const chart = typeof props.chart === "string" ? props.chart : "";
    return /(^|[/:])jaeger(-\d+\.\d+\.\d+[^/]*\.tgz)?$/.test(chart);
}

const JAEGER_IMAGE = /(^|\/)jaegertracing\/(jaeger|all-in-one)(:|@|$)/;

export function isJaegerImage(image: unknown): boolean {
    return typeof image === "string" && JAEGER_IMAGE.test(image);
}

/** Kubernetes memory quantity → bytes; undefined when not a quantity. */
export function memoryBytes(quantity: unknown): number | undefined {
    const text = typeof quantity === "number" ? String(quantity) : typeof quantity === "string" ? quantity.trim() : "";
    const m = /^(\d+(?:\.\d+)?)(?:e(\d+))?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/.exec(text);
    if (!m) return undefined;
    const scale: Record<string, number> = {
        "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
        Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
    };
    return Number(m[1]) * 10 ** Number(m[2] ?? 0) * scale[m[3] ?? ""];
}

/** A problem with the memory limit, or undefined when a positive limit is set. */
export function memoryLimitProblem(resources: unknown, where: string): string | undefined {
    const limit = isRecord(resources) && isRecord(resources.limits) ? resources.limits.memory : undefined;
    if (limit === undefined || limit === null) return `${where} sets no memory limit (resources.limits.memory)`;
    const bytes = memoryBytes(limit);
    if (bytes === undefined || bytes <= 0) return `${where} has memory limit ${JSON.stringify(limit)}, which is not a positive quantity`;
    return undefined;
}

/**
 * Problems with in-memory storage in a Jaeger v2 config: every `memory` backend of the jaeger_storage extension needs
 * a positive literal `max_traces` (without it the store grows until the pod is OOM-killed).
 */
export function maxTracesProblems(config: unknown, where: string): string[] {
    const storage = isRecord(config) && isRecord(config.extensions) ? config.extensions.jaeger_storage : undefined;
    if (!isRecord(storage)) return [];
    const backends = { ...(isRecord(storage.trace_backends) ? storage.trace_backends : {}), ...(isRecord(storage.backends) ? storage.backends : {}) };
    const problems: string[] = [];
    for (const name of Object.keys(backends).sort()) {
        const backend = backends[name];
        if (!isRecord(backend) || !("memory" in backend)) continue;
        const max = isRecord(backend.memory) ? backend.memory.max_traces : undefined;
        if (!(typeof max === "number" && Number.isInteger(max) && max > 0)) {
            problems.push(`${where}: memory backend "${name}" has ${max === undefined ? "no max_traces" : `max_traces ${JSON.stringify(max)}`}; set a positive max_traces to bound memory`);
        }
    }
    return problems;
}

/** `userconfig` as the chart takes it (an object), or as a YAML string. */
export function parseUserConfig(value: unknown): { config?: unknown; error?: string } {
    if (typeof value !== "string") return { config: value };
    try {
        return { config: parse(value) };
    } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
    }
}

/** Where a container's `--config` flags point: file paths, or other config URIs (env:, yaml:, http:). */
export function configFlags(container: Record<string, any>): string[] {
    const argv = [...asArray(container.command), ...asArray(container.args)].map(String);
    const out: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--config" && i + 1 < argv.length) out.push(argv[++i]);
        else if (a.startsWith("--config=")) out.push(a.slice("--config=".length));
    }
    return out;
}

export interface ConfigMapRef {
    name: string;
    key: string;
}

/** Maps a config file path to the ConfigMap key mounted there, when it comes from a configMap volume. */
export function configMapAt(path: string, container: Record<string, any>, podSpec: Record<string, any>): ConfigMapRef | undefined {
    for (const mount of asArray(container.volumeMounts)) {
        if (!isRecord(mount) || typeof mount.mountPath !== "string") continue;
        let file: string | undefined;
        if (typeof mount.subPath === "string" && mount.subPath) file = mount.mountPath === path ? mount.subPath : undefined;
        else if (path.startsWith(mount.mountPath.replace(/\/$/, "") + "/")) file = path.slice(mount.mountPath.replace(/\/$/, "").length + 1);
        if (file === undefined) continue;
        const volume = asArray(podSpec.volumes).find((v) => isRecord(v) && v.name === mount.name);
        const cm = isRecord(volume) && isRecord(volume.configMap) ? volume.configMap : undefined;
        if (!cm || typeof cm.name !== "string") return undefined;
        const item = asArray(cm.items).find((it) => isRecord(it) && it.path === file);
        return { name: cm.name, key: isRecord(item) && typeof item.key === "string" ? item.key : file };
    }
    return undefined;
}

/** Where the Jaeger install a stack declares itself runs: its namespace and the pod labels the chart gives it. */
export interface StackJaeger {
    namespace: string;
    podLabels: Record<string, string>;
}

/**
 * The stack's own install of the jaeger chart, when it has exactly one: its release namespace, and the chart's pod
 * labels with the release name as app.kubernetes.io/instance (the routers' labels when the stack has the router tier:
 * they receive the spans). Undefined for stacks that only point at a collector.
 */
export function stackJaeger(resources: readonly ResourceLike[]): StackJaeger | undefined {
    const installs = resources.filter((r) => isHelmInstall(r.type) && isJaegerChart(r.props));
    if (installs.length !== 1) return undefined;
    const { props, name } = installs[0];
    const release = typeof props.name === "string" && props.name ? props.name : name;
    const namespace = typeof props.namespace === "string" && props.namespace ? props.namespace : "default";
    const routers = stackRouters(resources, namespace);
    return { namespace, podLabels: routers ?? { ...DEFAULT_JAEGER_POD_LABELS, "app.kubernetes.io/instance": release } };
}

/**
 * The router tier beside the stack's Jaeger (components/collector-tier): an opentelemetry-collector chart install in
 * the same namespace whose collector config exports with load_balancing. Span senders then reach the routers, not
 * Jaeger: the chart's selector labels (no nameOverride) with its release name.
 */
const OTEL_COLLECTOR_CHART = /(^|[/:])opentelemetry-collector(-\d+\.\d+\.\d+[^/]*\.tgz)?$/;

function stackRouters(resources: readonly ResourceLike[], namespace: string): Record<string, string> | undefined {
    const routers = resources.filter((r) => {
        if (!isHelmInstall(r.type) || !OTEL_COLLECTOR_CHART.test(String(r.props.chart ?? ""))) return false;
        const values = isRecord(r.props.values) ? r.props.values : {};
        const config = isRecord(values.alternateConfig) ? values.alternateConfig : isRecord(values.config) ? values.config : {};
        const exporters = isRecord(config.exporters) ? Object.keys(config.exporters) : [];
        return (r.props.namespace ?? "default") === namespace && exporters.some((e) => /^load_?balancing(\/|$)/.test(e));
    });
    if (routers.length !== 1) return undefined;
    const release = typeof routers[0].props.name === "string" && routers[0].props.name ? routers[0].props.name : routers[0].name;
    return { "app.kubernetes.io/instance": release, "app.kubernetes.io/name": "opentelemetry-collector" };
}

/** `Release namespace/name` for a Helm install (its namespace and name are top-level inputs). */
export function describeHelmInstall(r: { type: string; name: string; props: Record<string, any> }): string {
    const kind = isKind(r.type, "helm.sh", "Chart") ? "Chart" : "Release";
    const namespace = typeof r.props.namespace === "string" && r.props.namespace ? r.props.namespace : "default";
    const name = typeof r.props.name === "string" && r.props.name ? r.props.name : r.name;
    return `${kind} ${namespace}/${name}`;
}
