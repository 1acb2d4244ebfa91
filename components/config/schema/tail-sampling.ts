/** What the Jaeger collector does to spans before storing them (components/jaeger/span-pipeline.ts): `tailSampling`, `scrubAttributes`. */
import { z } from "zod";
import { bool, chartRepo, int, percentage, strict } from "../primitives";

export const ROUTER_CHART_DEFAULT = {
    repo: "https://open-telemetry.github.io/opentelemetry-helm-charts",
    name: "opentelemetry-collector",
    version: "0.170.0",
};

const routerChart = strict({
    repo: chartRepo().default(ROUTER_CHART_DEFAULT.repo).describe("Chart repository URL (a local chart goes through `path`)."),
    name: z.string().min(1, "must not be empty (Helm needs a chart name)").default(ROUTER_CHART_DEFAULT.name).describe("Chart name."),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, "must be an exact chart version such as 0.170.0").default(ROUTER_CHART_DEFAULT.version)
        .describe("Exact chart version (0.170.0 runs collector 0.158.0, the router the toolchain builds)."),
    path: z.string().min(1, "must be a chart directory or .tgz").optional()
        .describe("A local chart directory or `.tgz` (relative to the project directory) installed instead of the " +
            "repository's, e.g. air-gapped."),
});

/**
 * Tail-based sampling: the mesh sends every request and the collector keeps a trace once it is complete. Rules across
 * keys (mesh rate, replicas, workload overrides, the prod range) are in components/config/sampling-rules.ts.
 */
export const tailSampling = strict({
    enabled: bool().default(false)
        .describe("Mesh and apps sample 100 % (`sampling` must be unset or 100, no workload overrides), Jaeger runs memory_limiter → tail_sampling → batch; one Jaeger replica (`jaeger.replicas` 1)."),
    // The default depends on the environment like `sampling`'s (components/config/index.ts).
    probabilisticPercent: percentage().optional()
        .describe("Percentage of ordinary traces kept (no error, faster than the threshold, not an always-sampled service). dev defaults to 100; prod must be 1–10 (default 1). Only with `enabled`."),
    latencyThresholdMs: int({ min: 1, max: 3_600_000 }).default(1000)
        .describe("Traces longer than this (first span start to last span end) are always kept."),
    alwaysSampleServices: z.array(z.string().min(1, "must not be empty")).default([])
        .describe("Service names (`service.name`, as Jaeger shows them: sidecars report `<workload>.<namespace>`, SDKs their own name) whose traces are always kept. Only with `enabled`."),
    // The processor's own default.
    decisionWaitSeconds: int({ min: 1, max: 300 }).default(30)
        .describe("How long the sampler holds a trace after its first span before deciding; must exceed the longest request (its root span arrives last)."),
    numTraces: int({ min: 1000, max: 10_000_000 }).default(50_000)
        .describe("Traces the sampler tracks; at least requests/s × decisionWaitSeconds: when full it evicts the oldest, and a trace evicted before its decision is lost. Spans are held only until the decision."),
    routerReplicas: int({ min: 1, max: 20 }).optional()
        .describe("Replicas of the router tier (components/collector-tier): OpenTelemetry Collectors that take every " +
            "span and send all spans of a trace to one Jaeger replica (loadbalancing by trace ID), so `jaeger.replicas` " +
            "may be above 1; each sampler replica then tracks about 1/`jaeger.replicas` of the traces. Unset: no tier, " +
            "one Jaeger replica. Only with `enabled`."),
    routerChart: routerChart.default(ROUTER_CHART_DEFAULT)
        .describe("Helm chart of the router tier (the official opentelemetry-collector chart)."),
}).describe("Tail-based sampling (README \"Sampling: head or tail\"): the mesh sends every request, Jaeger keeps a trace once it is complete.");

const scrubAttribute = strict({
    key: z.string().min(1, "must not be empty").describe("Attribute key, e.g. `http.request.header.authorization` (one action per key)."),
    action: z.enum(["delete", "hash", "stripQuery"])
        .describe("`delete`, `hash`, or `stripQuery` (a URL keeps what precedes its `?`/`#`: the path stays, OAuth `code`/`state` go)."),
});

/** Credentials, query strings (OAuth `code` and `state`, tokens) and statements, in Envoy's and current semconv names. */
export const DEFAULT_SCRUB_ATTRIBUTES = [
    { key: "db.query.text", action: "hash" as const },
    { key: "db.statement", action: "hash" as const },
    { key: "http.request.header.authorization", action: "delete" as const },
    { key: "http.url", action: "stripQuery" as const },
    { key: "url.full", action: "stripQuery" as const },
    { key: "url.query", action: "delete" as const },
];

export const scrubAttributes = z.array(scrubAttribute).default(DEFAULT_SCRUB_ATTRIBUTES)
    .describe("Span attributes removed (`delete`), replaced by their SHA-256 hex (`hash`, unsalted) or cut before their query (`stripQuery`) by the `attributes` processor before sampling and storage, in both modes. Setting the key replaces the defaults; `[]` turns scrubbing off.");
