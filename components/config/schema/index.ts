/**
 * The stack configuration schema: every key under the `eco2-tracing:` namespace, its default, its rules and its
 * description (`.describe()`, which `npm run docs` turns into the README's config reference); one file per section.
 *
 * Pure zod, no Pulumi: `components/config/index.ts` feeds it the raw stack config and turns its issues into messages. Objects
 * are strict (a typo must not fall back to a default); `strict()` adds "did you mean" to unknown-key errors. Comments
 * here say why; what a key means is its description.
 */
import { z } from "zod";
import { bool, dnsLabel, percentage, strict } from "../primitives";
import { appNamespace } from "./app-namespace";
import { jaeger } from "./jaeger";
import { externalService, istio, telemetry } from "./mesh";
import { networkPolicy } from "./network";
import { scrubAttributes, tailSampling } from "./tail-sampling";

export { suggest } from "../primitives";
export { ISTIO_PORT_PROTOCOLS } from "../external-hosts";
export { DEFAULT_SCRUB_ATTRIBUTES } from "./tail-sampling";

const smokeTest = strict({
    enabled: bool().default(false).describe("Deploy the smoke workload that sends one Zipkin and one OTLP span."),
    namespace: dnsLabel().optional().describe("Namespace for it (default: the first app namespace)."),
    image: z.string().min(1).default("curlimages/curl:8.11.1").describe("Image with curl."),
}).describe("Optional end-to-end check after `pulumi up`.");

const kubernetes = strict({
    renderYamlToDirectory: z.string().min(1).optional().describe("Render manifests to this directory instead of applying them (GitOps)."),
    context: z.string().min(1).optional().describe("kubeconfig context to use."),
}).describe("Kubernetes provider settings.");

/** Top-level keys, as set with `pulumi config set eco2-tracing:<key>`. */
export const rawConfigSchema = strict({
    environment: z.enum(["dev", "prod"])
        .describe("Stack environment; sets the sampling default and range and the `deployment.environment.name` span tag and resource attribute."),
    sampling: percentage().optional()
        .describe("Mesh-wide sampling percentage. dev defaults to 100; prod must be 1–10 (default 1); numeric strings are accepted."),
    appNamespaces: z.array(appNamespace).default([])
        .describe("Application namespaces to wire (egress policy + OTEL ConfigMap). An entry is a name or an object."),
    externalServices: z.array(externalService).default([]).describe("External dependencies declared as ServiceEntries so they appear as named services."),
    jaeger: jaeger.default(jaeger.parse({})),
    istio: istio.default(istio.parse({})),
    telemetry: telemetry.default(telemetry.parse({})),
    networkPolicy: networkPolicy.default(networkPolicy.parse({})),
    smokeTest: smokeTest.default(smokeTest.parse({})),
    tailSampling: tailSampling.default(tailSampling.parse({})),
    scrubAttributes,
    kubernetes: kubernetes.default({}),
    // A secret so the password never reaches the state in clear; plain text is rejected in components/config/rules.ts.
    jaegerStoragePassword: z.string().min(1).optional()
        .describe("Storage password as a Pulumi secret (`pulumi config set --secret jaegerStoragePassword ...`); plain text is rejected."),
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
