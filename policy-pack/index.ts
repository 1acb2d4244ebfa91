/**
 * eco2-tracing policy pack: guardrails for the tracing plane and for app teams' stacks that join it.
 *
 *   pulumi preview --policy-pack policy-pack [--policy-pack-config policy-pack/config/prod.json]
 *
 * Self-contained on purpose: the CLI installs this directory's package.json and runs this file on its own.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
    description: "Tracing guardrails: app namespaces reach the Jaeger collector, Istio Telemetry and ServiceEntries are sound, Jaeger stays private and bounded.",
    policies,
});
