/**
 * Policy configuration: defaults (what the eco2-tracing stack deploys), JSON schemas the CLI validates
 * `--policy-pack-config` against, and typed readers. The values are copied from the program on purpose: the pack
 * runs on its own (`pulumi preview --policy-pack`) and must not import from the repository.
 */
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export const DEFAULT_COLLECTOR_NAMESPACE = "istio-system";
export const DEFAULT_COLLECTOR_NAMESPACE_LABELS: Readonly<Record<string, string>> = { "kubernetes.io/metadata.name": "istio-system" };
/** Labels the jaeger chart (4.x, release "jaeger") puts on its all-in-one pods. */
export const DEFAULT_JAEGER_POD_LABELS: Readonly<Record<string, string>> = {
    "app.kubernetes.io/component": "all-in-one",
    "app.kubernetes.io/instance": "jaeger",
    "app.kubernetes.io/name": "jaeger",
};
/** The Zipkin extension provider this project registers in the mesh config. */
export const DEFAULT_TRACING_PROVIDERS: readonly string[] = ["jaeger"];
export const DEFAULT_ROOT_NAMESPACE = "istio-system";

const DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

export const schema = {
    namespace: (description: string, defaultValue: string): PolicyConfigJSONSchema => ({ type: "string", pattern: DNS_LABEL, description, default: defaultValue }),
    labels: (description: string, defaultValue: Readonly<Record<string, string>>): PolicyConfigJSONSchema => ({
        type: "object",
        additionalProperties: { type: "string" },
        description,
        default: { ...defaultValue },
    }),
    strings: (description: string, defaultValue: readonly string[], pattern?: string, minItems?: number): PolicyConfigJSONSchema => ({
        type: "array",
        items: pattern ? { type: "string", pattern } : { type: "string" },
        ...(minItems !== undefined ? { minItems } : {}),
        description,
        default: [...defaultValue],
    }),
    percentage: (description: string, defaultValue: number): PolicyConfigJSONSchema => ({ type: "number", minimum: 0, maximum: 100, description, default: defaultValue }),
};

/** Config values arrive as JSON (the CLI fills in schema defaults); re-apply defaults for hand-built args. */
export function read<T extends object>(raw: object, defaults: T): T {
    const out = { ...defaults } as Record<string, unknown>;
    for (const [key, value] of Object.entries(raw)) if (value !== undefined && value !== null) out[key] = value;
    return out as T;
}

export interface CollectorConfig {
    collectorNamespace: string;
    collectorNamespaceLabels: Record<string, string>;
    collectorPodLabels: Record<string, string>;
    appNamespaces: string[];
}

export const COLLECTOR_DEFAULTS: CollectorConfig = {
    collectorNamespace: DEFAULT_COLLECTOR_NAMESPACE,
    collectorNamespaceLabels: { ...DEFAULT_COLLECTOR_NAMESPACE_LABELS },
    collectorPodLabels: { ...DEFAULT_JAEGER_POD_LABELS },
    appNamespaces: [],
};

export const collectorSchema = {
    properties: {
        collectorNamespace: schema.namespace("Namespace of the Jaeger collector pods.", DEFAULT_COLLECTOR_NAMESPACE),
        collectorNamespaceLabels: schema.labels(
            "Labels of the collector's namespace, for namespaceSelector matching (kubernetes.io/metadata.name is always added).",
            DEFAULT_COLLECTOR_NAMESPACE_LABELS,
        ),
        collectorPodLabels: schema.labels("Labels of the collector pods, for podSelector matching.", DEFAULT_JAEGER_POD_LABELS),
        appNamespaces: schema.strings("Namespaces that must reach the collector besides the sidecar-injected ones and those running workloads of the stack.", [], DNS_LABEL),
    },
};

export interface JaegerPodsConfig {
    jaegerPodLabels: Record<string, string>;
}

export const JAEGER_PODS_DEFAULTS: JaegerPodsConfig = { jaegerPodLabels: { ...DEFAULT_JAEGER_POD_LABELS } };

export const jaegerPodsSchema = {
    properties: {
        jaegerPodLabels: schema.labels("Labels of the Jaeger pods; a Service whose selector is a non-empty subset of these selects Jaeger.", DEFAULT_JAEGER_POD_LABELS),
    },
};
