/** The mesh sections: `externalServices` (ServiceEntries), `istio` (the mesh and an optional istiod) and `telemetry`. */
import { z } from "zod";
import { DEFAULT_HEALTH_CHECK_PATHS } from "../../foundation/health";
import { ISTIO_PORT_PROTOCOLS } from "../external-hosts";
import { bool, chartRepo, dnsLabel, healthPath, int, percentage, port, selectorLabels, strict } from "../primitives";

const servicePort = strict({
    number: port().describe("Port number 1–65535, unique within the entry."),
    name: dnsLabel().default("https").describe("Port name (DNS-1123 label), unique within the entry."),
    // Istio parses protocols ignoring case.
    protocol: z.preprocess((v) => (typeof v === "string" ? v.toUpperCase() : v), z.enum(ISTIO_PORT_PROTOCOLS)).default("HTTPS").describe("Istio protocol."),
});

export const externalService = strict({
    name: dnsLabel().describe("ServiceEntry name (DNS-1123 label)."),
    hosts: z.array(z.string().min(1)).min(1, "needs at least one host")
        .describe("Hosts; a leading `*.` wildcard is allowed, a bare `*` is not; a host (with or without a trailing `.`) belongs to one entry only."),
    ports: z.array(servicePort).min(1).default([{ number: 443, name: "https", protocol: "HTTPS" }]).describe("Ports; default one port 443 `https` HTTPS."),
    resolution: z.enum(["DNS", "NONE"]).optional()
        .describe("Default NONE when any host is a wildcard, DNS otherwise; DNS with a wildcard is rejected."),
});

/** Istio's CustomTag: exactly one of literal, environment, header. */
const customTag = strict({
    literal: strict({ value: z.string().min(1, "must not be empty (Istio rejects an empty literal)") }).optional(),
    environment: strict({ name: z.string().min(1), defaultValue: z.string().optional() }).optional(),
    header: strict({ name: z.string().min(1), defaultValue: z.string().optional() }).optional(),
}).refine((t) => [t.literal, t.environment, t.header].filter(Boolean).length === 1, "needs exactly one of literal, environment, header");

const workloadOverride = strict({
    // mesh-default is the mesh-wide Telemetry's name (components/mesh/mesh-config.ts MESH_TELEMETRY_NAME).
    name: dnsLabel().refine((n) => n !== "mesh-default", "mesh-default is the mesh-wide Telemetry's name; allowed: any other name").describe("Telemetry name."),
    namespace: dnsLabel().describe("Workload namespace."),
    matchLabels: selectorLabels().describe("Workload selector labels."),
    sampling: percentage()
        .describe("Sampling percentage 0–100 for the workload. Above the mesh rate it only applies where traces start (a sidecar follows the decision a request carries): a warning unless `traceRoot`. Rejected in tail mode (use `tailSampling.alwaysSampleServices`)."),
    // Checked in components/config/sampling-rules.ts.
    traceRoot: bool().default(false)
        .describe("The workload is where its traces start (an ingress gateway, a job, a receiver of calls from outside the mesh), so its own rate decides; silences the warning for a rate above the mesh rate."),
});

export const telemetry = strict({
    accessLogging: bool().default(true).describe("Envoy access logging in the mesh-wide Telemetry."),
    customTags: z.record(z.string().min(1), customTag).default({})
        .describe("Span tags (Istio CustomTag: `literal`, `environment` or `header`); `deployment.environment.name` (the apps' resource attribute too) is always added."),
    workloadOverrides: z.array(workloadOverride).default([]).describe("Per-workload sampling overrides (one Telemetry each, carrying the mesh-wide tags)."),
    healthCheckPaths: z.array(healthPath()).default([...DEFAULT_HEALTH_CHECK_PATHS])
        .describe("URL paths the apps' OTEL SDKs exclude from tracing (health, readiness, metrics): " +
            "each excludes exactly that path, with any query string."),
}).describe("Istio Telemetry resources.");

const istiod = strict({
    repo: chartRepo().default("https://istio-release.storage.googleapis.com/charts").describe("Istio chart repository."),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, "must be an exact chart version such as 1.28.1").describe("Exact istiod chart version."),
    meshConfig: z.record(z.string(), z.unknown()).default({}).describe("The rest of the mesh config to keep; the tracing parts are merged in, never replace it."),
    values: z.record(z.string(), z.unknown()).default({}).describe("Other istiod chart values."),
});

export const istio = strict({
    rootNamespace: dnsLabel().default("istio-system").describe("Istio root namespace (mesh-wide Telemetry, ServiceEntries)."),
    tracingProvider: dnsLabel().default("jaeger").describe("Name of the Zipkin extension provider in the mesh config; Telemetry resources reference it."),
    w3cPropagation: bool().default(false)
        .describe("Istio ≥ 1.28: Envoy emits W3C `traceparent` next to B3 (`traceContextOption: USE_B3_WITH_W3C_PROPAGATION`)."),
    maxPathTagLength: int({ min: 1, max: 1024 }).default(256).describe("Maximum length of the request path tag Envoy records."),
    gatewayNamespaces: z.array(dnsLabel()).default([]).describe("Namespaces of gateways that report spans (allowed into the collector)."),
    trustClientSampling: bool().default(false)
        .describe("Keep the sampling headers (`x-b3-sampled`, `x-b3-flags`, `b3`, `traceparent`) of requests entering through the " +
            "ingress gateways; by default an EnvoyFilter removes them, so clients cannot force sampling. Set it for a partner whose " +
            "sampling decisions you trust."),
    ingressGatewayLabels: selectorLabels().default({ istio: "ingressgateway" })
        .describe("Pod labels of the ingress gateways that remove client sampling headers (Istio's gateway charts: " +
            "`istio: ingressgateway`)."),
    istiod: istiod.optional()
        .describe("When set, this stack installs/upgrades istiod from the official chart with the tracing provider merged into its mesh config."),
    verifyMeshConfig: bool().default(true)
        .describe("Without `istiod`: `pulumi preview`/`up` first read the live mesh config (ConfigMap `meshConfigMap` in " +
            "`rootNamespace`, key `mesh`) and fail, creating nothing, when its provider `tracingProvider` is missing or points " +
            "elsewhere (a Telemetry naming it would switch tracing off). Set false where the stack cannot read that ConfigMap."),
    meshConfigMap: dnsLabel().default("istio")
        .describe("Name of istiod's mesh ConfigMap in `rootNamespace`: `istio`, or `istio-<revision>` for a revisioned install."),
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
}).describe("Mesh integration.");
