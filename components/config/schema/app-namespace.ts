/** An `appNamespaces` entry: a namespace whose workloads send spans, referenced or created here. */
import { z } from "zod";
import { bool, dnsLabel, healthPath, labels, strict } from "../primitives";

/** A bare name is shorthand for `{name}`. */
export const appNamespace = z.preprocess(
    (v) => (typeof v === "string" ? { name: v } : v),
    strict({
        // The reserved names are rejected in components/config/rules.ts.
        name: dnsLabel()
            .describe("Namespace name (DNS-1123 label); not `kube-system`, `kube-public`, `kube-node-lease`, `istio.rootNamespace` or `jaeger.namespace`."),
        create: bool().default(false).describe("Create and label the namespace (`istio-injection: enabled`) instead of referencing an existing one."),
        labels: labels().default({}).describe("Extra labels when `create` is set."),
        healthCheckPaths: z.array(healthPath()).optional().describe("Overrides `telemetry.healthCheckPaths` for this namespace."),
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
