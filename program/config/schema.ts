/**
 * The stack configuration schema: every key under the `eco2-tracing:` namespace, its defaults and its rules.
 *
 * Pure zod, no Pulumi: `program/config/index.ts` feeds it the raw stack config and turns its issues into messages. Objects
 * are strict (a typo must not fall back to a default); `strict()` adds "did you mean" to unknown-key errors.
 */
import { z } from "zod";
import { ISTIO_PORT_PROTOCOLS } from "./external-hosts";
import { bool, chartRepo, dnsLabel, healthPath, int, labels, percentage, port, quantity, selectorLabels, strict } from "./primitives";
import { parseQuantity } from "../k8s";
import { helmValuesGuardRails } from "./helm-values-rules";

export { suggest } from "./primitives";

// ---- sections --------------------------------------------------------------------------------------------------

export { ISTIO_PORT_PROTOCOLS };

const servicePort = strict({
    number: port(),
    name: dnsLabel().default("https"),
    // Istio parses protocols ignoring case.
    protocol: z.preprocess((v) => (typeof v === "string" ? v.toUpperCase() : v), z.enum(ISTIO_PORT_PROTOCOLS)).default("HTTPS"),
});

const externalService = strict({
    name: dnsLabel(),
    hosts: z.array(z.string().min(1)).min(1, "needs at least one host"),
    ports: z.array(servicePort).min(1).default([{ number: 443, name: "https", protocol: "HTTPS" }]),
    resolution: z.enum(["DNS", "NONE"]).optional(),
});

/** A bare name is shorthand for `{name}`. */
const appNamespace = z.preprocess(
    (v) => (typeof v === "string" ? { name: v } : v),
    strict({
        name: dnsLabel(),
        /** Create and label the namespace here instead of referencing one an app team's stack owns. */
        create: bool().default(false),
        /** Extra labels when `create` is set (istio-injection: enabled is always added). */
        labels: labels().default({}),
        /** Overrides `telemetry.healthCheckPaths` for this namespace's OTEL exclusions. */
        healthCheckPaths: z.array(healthPath()).optional(),
    }).superRefine((n, ctx) => {
        if (!n.create && Object.keys(n.labels).length > 0) {
            ctx.addIssue({ code: "custom", path: ["labels"], message: "labels are only applied to a namespace this stack creates; allowed: create: true, or no labels" });
        }
        const injection = n.labels["istio-injection"];
        if (injection !== undefined && injection !== "enabled") {
            ctx.addIssue({ code: "custom", path: ["labels", "istio-injection"], message: 'a created namespace always gets sidecar injection; allowed: "enabled" or unset' });
        }
    }),
);

const secretRef = strict({ name: dnsLabel().or(z.string().regex(/^[a-z0-9.-]+$/)), key: z.string().min(1) });

const storage = strict({
    type: z.enum(["elasticsearch", "opensearch"]),
    serverUrls: z.array(z.url({ protocol: /^https?$/ })).min(1, "needs at least one server URL"),
    username: z.string().min(1).optional(),
    /** An existing Kubernetes Secret in the tracing namespace holding the password. */
    passwordSecretRef: secretRef.optional(),
    indexPrefix: dnsLabel().default("jaeger"),
    tlsInsecureSkipVerify: bool().default(false),
    /** prod only: the explicit acceptance of an unverified backend (program/config/rules.ts). */
    tlsInsecureSkipVerifyAcknowledged: bool().default(false),
    /** An existing Secret in the tracing namespace holding the PEM CA that signed the backend's certificate. */
    caSecretRef: secretRef.optional(),
    /** Verify the backend against the image's system CAs: the explicit choice for a publicly signed certificate. */
    tlsSystemCAs: bool().default(false),
}).superRefine(storageTlsRules);

/**
 * An https backend needs exactly one way to check its certificate, stated in the stack file. The Elastic chart's
 * default certificate is self-signed, so the system CAs (what Jaeger uses without a `tls` block) would fail the
 * handshake: Jaeger exits, the pod crash-loops and the atomic release rolls back. A plain http backend has nothing
 * to verify, so a TLS choice there is a mistake.
 */
function storageTlsRules(s: { serverUrls: string[]; caSecretRef?: unknown; tlsSystemCAs: boolean; tlsInsecureSkipVerify: boolean }, ctx: z.RefinementCtx): void {
    const choices = ["caSecretRef", "tlsSystemCAs", "tlsInsecureSkipVerify"] as const;
    const chosen = choices.filter((k) => (k === "caSecretRef" ? s.caSecretRef !== undefined : s[k]));
    const schemes = new Set(s.serverUrls.map((u) => u.slice(0, u.indexOf(":")).toLowerCase()));
    const allowed = "caSecretRef {name, key} (a Secret in the tracing namespace jaeger.namespace with the PEM CA that signed the backend's certificate), tlsSystemCAs: true (publicly signed) or tlsInsecureSkipVerify: true";
    if (schemes.size > 1) {
        ctx.addIssue({ code: "custom", path: ["serverUrls"], message: "mixes http and https URLs of one cluster; allowed: one scheme for all serverUrls" });
    } else if (schemes.has("https") && chosen.length === 0) {
        ctx.addIssue({ code: "custom", path: ["caSecretRef"], message: `an https backend needs a way to verify its certificate (Jaeger exits on a failed handshake and the release rolls back); allowed: one of ${allowed}` });
    } else if (schemes.has("http") && chosen.length > 0) {
        ctx.addIssue({ code: "custom", path: [chosen[0]], message: "http URLs use no TLS; allowed: unset, or https serverUrls" });
    }
    if (chosen.length > 1) {
        ctx.addIssue({ code: "custom", path: [chosen[0]], message: `${chosen.join(" and ")} are alternatives; allowed: one of ${allowed}` });
    }
}

const resources = strict({
    requests: strict({ cpu: quantity().optional(), memory: quantity().optional() }).default({ cpu: "100m", memory: "256Mi" }),
    limits: strict({ cpu: quantity().optional(), memory: quantity().optional() }).default({ memory: "512Mi" }),
}).superRefine((r, ctx) => {
    for (const kind of ["cpu", "memory"] as const) {
        const [request, limit] = [r.requests[kind], r.limits[kind]];
        if (request !== undefined && limit !== undefined && parseQuantity(request) > parseQuantity(limit)) {
            ctx.addIssue({ code: "custom", path: ["requests", kind], message: `is above limits.${kind} ${limit} (Kubernetes rejects a request above its limit); allowed: at most ${limit}` });
        }
    }
});

const jaeger = strict({
    namespace: dnsLabel().default("istio-system"),
    releaseName: dnsLabel().max(53, "must be at most 53 characters (Helm's limit for release names)").default("jaeger"),
    chart: strict({
        repo: chartRepo().default("https://jaegertracing.github.io/helm-charts"),
        name: z.string().min(1, "must not be empty (Helm needs a chart name)").default("jaeger"),
        version: z.string().regex(/^\d+\.\d+\.\d+$/, "must be an exact chart version such as 4.11.1").default("4.11.1"),
        // Air-gapped clusters install from a file; kept as written so the state is the same on every machine.
        path: z.string().min(1, "must be a chart directory or .tgz").optional(),
    }).default({ repo: "https://jaegertracing.github.io/helm-charts", name: "jaeger", version: "4.11.1" }),
    mode: z.enum(["allInOne", "production"]).default("allInOne"),
    replicas: int({ min: 1, max: 20 }).default(1),
    // 20000 fits the default 512Mi limit (program/jaeger/memory.ts); larger stores need a larger limit.
    memory: strict({ maxTraces: int({ min: 1000, max: 10_000_000 }).default(20_000) }).default({ maxTraces: 20_000 }),
    resources: resources.default({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } }),
    storage: storage.optional(),
    /** Escape hatch: extra chart values deep-merged over the generated ones. */
    helmValues: z.record(z.string(), z.unknown()).default({}).superRefine(helmValuesGuardRails),
});

/** Istio's CustomTag: exactly one of literal, environment, header. */
const customTag = strict({
    literal: strict({ value: z.string().min(1, "must not be empty (Istio rejects an empty literal)") }).optional(),
    environment: strict({ name: z.string().min(1), defaultValue: z.string().optional() }).optional(),
    header: strict({ name: z.string().min(1), defaultValue: z.string().optional() }).optional(),
}).refine((t) => [t.literal, t.environment, t.header].filter(Boolean).length === 1, "needs exactly one of literal, environment, header");

const workloadOverride = strict({
    // mesh-default is the mesh-wide Telemetry's name (program/mesh/mesh-config.ts MESH_TELEMETRY_NAME).
    name: dnsLabel().refine((n) => n !== "mesh-default", "mesh-default is the mesh-wide Telemetry's name; allowed: any other name"),
    namespace: dnsLabel(),
    matchLabels: selectorLabels(),
    sampling: percentage(),
    /** The workload starts traces (an ingress gateway, a cron job): only there does its own rate decide (program/config/sampling-rules.ts). */
    traceRoot: bool().default(false),
});

const telemetry = strict({
    accessLogging: bool().default(true),
    customTags: z.record(z.string().min(1), customTag).default({}),
    workloadOverrides: z.array(workloadOverride).default([]),
    /** Path fragments the OTEL SDKs exclude from instrumentation (health/readiness/metrics endpoints). */
    healthCheckPaths: z.array(healthPath()).default(["health", "ready", "metrics"]),
});

const istiod = strict({
    repo: chartRepo().default("https://istio-release.storage.googleapis.com/charts"),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, "must be an exact chart version such as 1.28.1"),
    /** The rest of the mesh config this stack must keep; the tracing parts are merged into it, never replace it. */
    meshConfig: z.record(z.string(), z.unknown()).default({}),
    values: z.record(z.string(), z.unknown()).default({}),
});

const istio = strict({
    rootNamespace: dnsLabel().default("istio-system"),
    tracingProvider: dnsLabel().default("jaeger"),
    /** Istio ≥ 1.28: Envoy also emits W3C traceparent next to B3. */
    w3cPropagation: bool().default(false),
    maxPathTagLength: int({ min: 1, max: 1024 }).default(256),
    /** Namespaces whose gateways send spans to the collector (besides the root namespace). */
    gatewayNamespaces: z.array(dnsLabel()).default([]),
    /** When set, this stack installs/upgrades istiod from the official chart with the merged mesh config. */
    istiod: istiod.optional(),
}).superRefine((v, ctx) => {
    const d = v.istiod;
    if (!d) return;
    const [major, minor] = d.version.split(".").map(Number);
    if (v.w3cPropagation && (major < 1 || (major === 1 && minor < 28))) {
        ctx.addIssue({ code: "custom", path: ["w3cPropagation"], message: `traceContextOption needs Istio >= 1.28, istiod.version is ${d.version}; allowed: false, or istiod.version 1.28.0 or later` });
    }
    if ("meshConfig" in d.values) {
        ctx.addIssue({ code: "custom", path: ["istiod", "values", "meshConfig"], message: "set the mesh config in istio.istiod.meshConfig (the tracing provider is merged into it); allowed: no meshConfig in values" });
    }
    const root = d.meshConfig.rootNamespace;
    if (root !== undefined && root !== v.rootNamespace) {
        ctx.addIssue({ code: "custom", path: ["istiod", "meshConfig", "rootNamespace"], message: `the mesh-wide Telemetry goes to istio.rootNamespace "${v.rootNamespace}", which must be the mesh's root namespace; allowed: unset or "${v.rootNamespace}"` });
    }
});

const peer = strict({ namespace: dnsLabel(), podLabels: labels().optional() });

const networkPolicy = strict({
    /**
     * The app namespaces deny egress by default: add allow-jaeger-egress and DNS egress there. Off, no egress policy
     * is created, because a pod selected by any Egress policy loses all egress that policy does not allow.
     */
    defaultDenyEgress: bool().default(false),
    dnsNamespace: dnsLabel().default("kube-system"),
    dnsPodLabels: labels().default({ "k8s-app": "kube-dns" }),
    /** Who may reach the query UI/API on 16686 (e.g. the ingress gateway, Kiali). */
    queryIngressFrom: z.array(peer).default([]),
    /** Who may scrape Jaeger's metrics on 8888 (Prometheus). */
    metricsIngressFrom: z.array(peer).default([]),
});

const smokeTest = strict({
    enabled: bool().default(false),
    namespace: dnsLabel().optional(),
    image: z.string().min(1).default("curlimages/curl:8.11.1"),
});

/** Span attributes removed or replaced by their hash in the Jaeger pipeline before anything is stored (program/jaeger/span-pipeline.ts). */
const scrubAttribute = strict({
    key: z.string().min(1, "must not be empty"),
    action: z.enum(["delete", "hash"]),
});
export const DEFAULT_SCRUB_ATTRIBUTES = [
    { key: "http.request.header.authorization", action: "delete" as const },
    { key: "db.statement", action: "hash" as const },
];

/**
 * Tail-based sampling: the mesh sends every request and the collector keeps a trace once it is complete (errors,
 * slow traces, listed services, a share of the rest). Rules across keys (mesh rate, replicas, workload overrides,
 * the prod range) are in program/config/sampling-rules.ts.
 */
const tailSampling = strict({
    enabled: bool().default(false),
    /** The share of ordinary traces kept; the default depends on the environment like `sampling` (program/config/index.ts). */
    probabilisticPercent: percentage().optional(),
    latencyThresholdMs: int({ min: 1, max: 3_600_000 }).default(1000),
    alwaysSampleServices: z.array(z.string().min(1, "must not be empty")).default([]),
    // The processor's own default; it must exceed the longest request, whose root span arrives last.
    decisionWaitSeconds: int({ min: 1, max: 300 }).default(30),
    numTraces: int({ min: 1000, max: 10_000_000 }).default(50_000),
});

const kubernetes = strict({
    renderYamlToDirectory: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
});

/** Top-level keys, as set with `pulumi config set eco2-tracing:<key>`. */
export const rawConfigSchema = strict({
    environment: z.enum(["dev", "prod"]),
    sampling: percentage().optional(),
    appNamespaces: z.array(appNamespace).default([]),
    externalServices: z.array(externalService).default([]),
    jaeger: jaeger.default(jaeger.parse({})),
    istio: istio.default(istio.parse({})),
    telemetry: telemetry.default(telemetry.parse({})),
    networkPolicy: networkPolicy.default(networkPolicy.parse({})),
    smokeTest: smokeTest.default(smokeTest.parse({})),
    tailSampling: tailSampling.default(tailSampling.parse({})),
    scrubAttributes: z.array(scrubAttribute).default(DEFAULT_SCRUB_ATTRIBUTES),
    kubernetes: kubernetes.default({}),
    /** The storage password as a Pulumi secret (`pulumi config set --secret jaegerStoragePassword ...`). */
    jaegerStoragePassword: z.string().min(1).optional(),
});

export type RawConfig = z.output<typeof rawConfigSchema>;
export const TOP_LEVEL_KEYS = Object.keys(rawConfigSchema.shape).sort();

/** What each config rule (rules.ts, sampling-rules.ts, jaeger/memory.ts) is given to report with. */
export interface RuleContext {
    /** `redact`: print "(redacted)" for the value (a credential; values under jaegerStoragePassword always are). */
    add(path: PropertyKey[], message: string, options?: { redact?: boolean }): void;
    /** A config that works but does not do what it says (printed by the program, never fatal). */
    warn(path: PropertyKey[], message: string): void;
    /** Whether a problem was already reported at or below `path`. */
    reported(path: PropertyKey[]): boolean;
    /** Top-level keys the engine holds as secrets; undefined when unknown. */
    secretKeys?: ReadonlySet<string>;
}
