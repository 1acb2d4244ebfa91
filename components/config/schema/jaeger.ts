/** The `jaeger` section: the Helm install, its resources and the Elasticsearch/OpenSearch backend of mode `production`. */
import { z } from "zod";
import { bool, chartRepo, dnsLabel, int, quantity, strict } from "../primitives";
import { parseQuantity } from "../../foundation/k8s";
import { JAEGER_VERSION } from "../../foundation/topology";
import { helmValuesGuardRails } from "../helm-values-rules";

/** The two refs differ only in what their `key` usually holds. */
const secretRef = (keyDescription: string) =>
    strict({
        name: dnsLabel().or(z.string().regex(/^[a-z0-9.-]+$/)).describe("Secret name."),
        key: z.string().min(1).describe(keyDescription),
    });

const storage = strict({
    type: z.enum(["elasticsearch", "opensearch"]).describe("Backend kind."),
    serverUrls: z.array(z.url({ protocol: /^https?$/ })).min(1, "needs at least one server URL")
        .describe("Server URLs of the existing cluster; `https://` in prod when a username is set."),
    username: z.string().min(1).optional().describe("Username; needs a password source."),
    passwordSecretRef: secretRef("Key in the Secret.").optional().describe("Existing Secret in the tracing namespace holding the password."),
    indexPrefix: dnsLabel().default("jaeger").describe("Index prefix."),
    retentionDays: int({ min: 1, message: "must be a whole number of days, at least 1" }).default(7)
        .describe("Days of traces kept: the chart's `esIndexCleaner` CronJob (nightly, 23:55) deletes the daily span and "
            + "service indices older than this, with the same prefix, credentials and CA as Jaeger."),
    tlsInsecureSkipVerify: bool().default(false)
        .describe("Skip TLS verification of the backend; in prod only together with `tlsInsecureSkipVerifyAcknowledged`."),
    // Checked in components/config/rules.ts.
    tlsInsecureSkipVerifyAcknowledged: bool().default(false)
        .describe("prod: accept the risk of `tlsInsecureSkipVerify` (anyone on the network path can pose as the backend and receive the traces and the password); rejected without it."),
    caSecretRef: secretRef("Key in the Secret (e.g. `ca.crt`).").optional()
        .describe("Existing Secret in the tracing namespace holding the PEM CA certificate of a privately signed backend; mounted read-only and used as the backend's `tls.ca_file`."),
    tlsSystemCAs: bool().default(false)
        .describe("Verify the backend's certificate against the system CAs (publicly signed). An https backend needs exactly one of `caSecretRef`, `tlsSystemCAs: true`, `tlsInsecureSkipVerify: true`; http URLs take none."),
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
    requests: strict({
        cpu: quantity().optional().describe("CPU request."),
        memory: quantity().optional().describe("Memory request."),
    }).default({ cpu: "100m", memory: "256Mi" }).describe("Resource requests (each at most its limit)."),
    limits: strict({
        cpu: quantity().optional().describe("CPU limit (unset by default: throttling a collector drops spans)."),
        memory: quantity().optional().describe("Memory limit."),
    }).default({ memory: "512Mi" }).describe("Resource limits."),
}).superRefine((r, ctx) => {
    for (const kind of ["cpu", "memory"] as const) {
        const [request, limit] = [r.requests[kind], r.limits[kind]];
        if (request !== undefined && limit !== undefined && parseQuantity(request) > parseQuantity(limit)) {
            ctx.addIssue({ code: "custom", path: ["requests", kind], message: `is above limits.${kind} ${limit} (Kubernetes rejects a request above its limit); allowed: at most ${limit}` });
        }
    }
});

export const jaeger = strict({
    namespace: dnsLabel().default("istio-system").describe("Tracing namespace (Jaeger and its ClusterIP Services)."),
    releaseName: dnsLabel().max(53, "must be at most 53 characters (Helm's limit for release names)").default("jaeger")
        .describe("Helm release name (at most 53 characters); the chart's pod labels derive from it."),
    chart: strict({
        repo: chartRepo().default("https://jaegertracing.github.io/helm-charts")
            .describe("Chart repository URL: `http://`, `https://` or `oci://` (a local chart goes through `path`)."),
        name: z.string().min(1, "must not be empty (Helm needs a chart name)").default("jaeger").describe("Chart name (not empty)."),
        version: z.string().regex(/^\d+\.\d+\.\d+$/, "must be an exact chart version such as 4.11.1").default("4.11.1")
            .describe("Exact chart version (4.x runs Jaeger v2)."),
        // Air-gapped clusters install from a file; kept as written so the state is the same on every machine.
        path: z.string().min(1, "must be a chart directory or .tgz").optional()
            .describe("A local chart directory or `.tgz` (relative to the project directory) installed instead of the repository's chart, e.g. for air-gapped clusters; `version` must still match the chart's."),
    }).default({ repo: "https://jaegertracing.github.io/helm-charts", name: "jaeger", version: "4.11.1" }).describe("Helm chart coordinates."),
    image: strict({
        tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be an image tag such as " + JAEGER_VERSION)
            .default(JAEGER_VERSION)
            .describe(`Tag of \`jaegertracing/jaeger\`; defaults to ${JAEGER_VERSION}, the release the suites run ` +
                "(another tag deploys with a warning that it is untested)."),
    }).default({ tag: JAEGER_VERSION })
        .describe("The Jaeger image (the chart's default, its appVersion 2.19.0, is not the tested release)."),
    mode: z.enum(["allInOne", "production"]).default("allInOne")
        .describe("`allInOne`: in-memory store, one replica (dev only). `production`: replicas on an existing Elasticsearch/OpenSearch (required in prod)."),
    replicas: int({ min: 1, max: 20 }).default(1).describe("Replica count; must be 1 with the in-memory store."),
    // 20000 fits the default 512Mi limit (components/foundation/memory.ts); larger stores need a larger limit.
    memory: strict({
        maxTraces: int({ min: 1000, max: 10_000_000 }).default(20_000)
            .describe("Upper bound of traces the in-memory store keeps; must fit `resources.limits.memory` (16 KiB per trace plus 64 MiB within GOMEMLIMIT, 80 % of the limit, as measured by `npm run test:e2e`: 512Mi holds at most 22118)."),
    }).default({ maxTraces: 20_000 }).describe("In-memory store settings."),
    resources: resources.default({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } }).describe("Container resources."),
    storage: storage.optional().describe("Backend for mode `production` (required there, rejected in `allInOne`)."),
    helmValues: z.record(z.string(), z.unknown()).default({}).superRefine(helmValuesGuardRails)
        .describe("Escape hatch: chart values deep-merged over the generated ones (maps merge, lists replace, null removes; `jaeger.extraEnv`, `jaeger.extraVolumes` and `jaeger.extraVolumeMounts` merge by `name` instead, so the generated entries stay unless replaced by name); rejected: `nameOverride`, a non-ClusterIP `jaeger.service.type`, `allInOne.enabled: false`, `jaeger.podLabels` on the keys the Services select on, and credentials in clear (a secret-looking `jaeger.extraEnv` value, a literal `password`)."),
}).describe("The Jaeger install.");
