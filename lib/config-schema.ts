/**
 * The stack configuration schema: every key under the `eco2-tracing:` namespace, its defaults and its rules.
 *
 * Pure zod, no Pulumi: `lib/config.ts` feeds it the raw stack config and turns its issues into messages. Objects
 * are strict (a typo must not fall back to a default); `strict()` adds "did you mean" to unknown-key errors.
 */
import { z } from "zod";
import { DNS1123_LABEL, LABEL_KEY, LABEL_VALUE } from "./labels";
import { ISTIO_PORT_PROTOCOLS } from "./external-hosts";

// ---- primitives ------------------------------------------------------------------------------------------------

/** Values set with `pulumi config set` arrive as strings: accept numeric strings, reject anything else. */
const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;

const toNumber = (v: unknown) => (typeof v === "string" && NUMERIC.test(v) ? Number(v) : v);
export const num = () => z.preprocess(toNumber, z.number({ error: "must be a number (numeric strings are accepted)" }));
export const int = () => z.preprocess(toNumber, z.number({ error: "must be a whole number" }).int("must be a whole number"));
export const bool = () =>
    z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean({ error: "must be true or false" }));

export const dnsLabel = () =>
    z.string().max(63, "must be at most 63 characters").regex(DNS1123_LABEL, "must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)");

export const port = () => int().pipe(z.number().min(1, "must be a port number 1–65535").max(65535, "must be a port number 1–65535"));

/** Kubernetes quantity, e.g. 512Mi, 1Gi, 250m. */
const quantity = () => z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/, "must be a Kubernetes quantity such as 512Mi or 250m");

/** OTEL_PYTHON_EXCLUDED_URLS is a comma-separated list, so one entry cannot hold a comma. */
const healthPath = () => z.string().min(1).regex(/^[^,]*$/, "must not contain ',' (OTEL_PYTHON_EXCLUDED_URLS is a comma-separated list)");

const labels = () => z.record(z.string().min(1), z.string());

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let diag = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const up = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
            diag = up;
        }
    }
    return row[b.length];
}

/** The closest allowed key to an unknown one, when it is close enough to be a typo. */
export function suggest(key: string, allowed: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of allowed) {
        const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) [best, bestDistance] = [candidate, d];
    }
    return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** A strict object whose unknown-key error lists what is allowed and the nearest match. */
export function strict<T extends z.ZodRawShape>(shape: T) {
    const allowed = Object.keys(shape).sort();
    return z.strictObject(shape, {
        error: (iss) => {
            if (iss.code !== "unrecognized_keys") return undefined;
            return iss.keys
                .map((k) => {
                    const hint = suggest(k, allowed);
                    return `unknown key "${k}"${hint ? ` (did you mean "${hint}"?)` : ""}; allowed: ${allowed.join(", ")}`;
                })
                .join("; ");
        },
    });
}

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
});

const jaeger = strict({
    namespace: dnsLabel().default("istio-system"),
    releaseName: dnsLabel().default("jaeger"),
    chart: strict({
        repo: z.url().default("https://jaegertracing.github.io/helm-charts"),
        name: z.string().default("jaeger"),
        version: z.string().regex(/^\d+\.\d+\.\d+$/, "must be an exact chart version such as 4.11.1").default("4.11.1"),
    }).default({ repo: "https://jaegertracing.github.io/helm-charts", name: "jaeger", version: "4.11.1" }),
    mode: z.enum(["allInOne", "production"]).default("allInOne"),
    replicas: int().pipe(z.number().min(1, "must be at least 1").max(20, "must be at most 20")).default(1),
    memory: strict({ maxTraces: int().pipe(z.number().min(1000, "must be at least 1000").max(10_000_000, "must be at most 10000000")).default(50_000) }).default({ maxTraces: 50_000 }),
    resources: resources.default({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } }),
    storage: storage.optional(),
    /** Escape hatch: extra chart values deep-merged over the generated ones. */
    helmValues: z.record(z.string(), z.unknown()).default({}).superRefine(helmValuesGuardRails),
});

/** Overrides that would silently break the ClusterIP Services or expose the UI outside the cluster. */
function helmValuesGuardRails(values: Record<string, unknown>, ctx: z.RefinementCtx): void {
    if ("nameOverride" in values) {
        ctx.addIssue({ code: "custom", path: ["nameOverride"], message: "renames the chart's pod label app.kubernetes.io/name, so the jaeger-*-clusterip selectors would match no pod; allowed: unset" });
    }
    const chartJaeger = values.jaeger;
    const service = chartJaeger && typeof chartJaeger === "object" ? (chartJaeger as Record<string, unknown>).service : undefined;
    const type = service && typeof service === "object" ? (service as Record<string, unknown>).type : undefined;
    if (type !== undefined && type !== "ClusterIP") {
        ctx.addIssue({ code: "custom", path: ["jaeger", "service", "type"], message: "the Jaeger UI and collector stay in-cluster; allowed: ClusterIP (never LoadBalancer or NodePort)" });
    }
}

/** Istio's CustomTag: exactly one of literal, environment, header. */
const customTag = strict({
    literal: strict({ value: z.string().min(1, "must not be empty (Istio rejects an empty literal)") }).optional(),
    environment: strict({ name: z.string().min(1), defaultValue: z.string().optional() }).optional(),
    header: strict({ name: z.string().min(1), defaultValue: z.string().optional() }).optional(),
}).refine((t) => [t.literal, t.environment, t.header].filter(Boolean).length === 1, "needs exactly one of literal, environment, header");

/** Kubernetes label syntax (lib/labels.ts) also keeps out the wildcards Istio's selector rejects. */
const selectorLabels = () =>
    z
        .record(z.string(), z.string().max(63, "must be at most 63 characters").regex(LABEL_VALUE, "must be a label value (alphanumerics, '-', '_', '.', starting and ending with an alphanumeric)"))
        .superRefine((l, ctx) => {
            for (const key of Object.keys(l)) {
                const slash = key.indexOf("/");
                if (!LABEL_KEY.test(key) || slash > 253 || key.length - slash - 1 > 63) {
                    ctx.addIssue({ code: "custom", path: [key], message: `"${key}" is not a label key; allowed: [DNS prefix (at most 253)/]name (at most 63: alphanumerics, '-', '_', '.')` });
                }
            }
        })
        .refine((l) => Object.keys(l).length > 0, "needs at least one label");

const workloadOverride = strict({
    // mesh-default is the mesh-wide Telemetry's name (lib/mesh-config.ts MESH_TELEMETRY_NAME).
    name: dnsLabel().refine((n) => n !== "mesh-default", "mesh-default is the mesh-wide Telemetry's name; allowed: any other name"),
    namespace: dnsLabel(),
    matchLabels: selectorLabels(),
    sampling: num(),
});

const telemetry = strict({
    accessLogging: bool().default(true),
    customTags: z.record(z.string().min(1), customTag).default({}),
    workloadOverrides: z.array(workloadOverride).default([]),
    /** Path fragments the OTEL SDKs exclude from instrumentation (health/readiness/metrics endpoints). */
    healthCheckPaths: z.array(healthPath()).default(["health", "ready", "metrics"]),
});

const istiod = strict({
    repo: z.url().default("https://istio-release.storage.googleapis.com/charts"),
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
    maxPathTagLength: int().pipe(z.number().min(1).max(1024)).default(256),
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

const kubernetes = strict({
    renderYamlToDirectory: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
});

/** Top-level keys, as set with `pulumi config set eco2-tracing:<key>`. */
export const rawConfigSchema = strict({
    environment: z.enum(["dev", "prod"]),
    sampling: num().optional(),
    appNamespaces: z.array(appNamespace).default([]),
    externalServices: z.array(externalService).default([]),
    jaeger: jaeger.default(jaeger.parse({})),
    istio: istio.default(istio.parse({})),
    telemetry: telemetry.default(telemetry.parse({})),
    networkPolicy: networkPolicy.default(networkPolicy.parse({})),
    smokeTest: smokeTest.default(smokeTest.parse({})),
    kubernetes: kubernetes.default({}),
    /** The storage password as a Pulumi secret (`pulumi config set --secret jaegerStoragePassword ...`). */
    jaegerStoragePassword: z.string().min(1).optional(),
});

export type RawConfig = z.output<typeof rawConfigSchema>;
export const TOP_LEVEL_KEYS = Object.keys(rawConfigSchema.shape).sort();
