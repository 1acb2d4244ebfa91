/**
 * The pack's policies, in one list. Kept apart from index.ts so tests and `npm run policy:check` can run them
 * without starting the analyzer gRPC server that `new PolicyPack(...)` starts.
 */
import { Policies } from "@pulumi/policy";
import { appNamespaceOtlpEgress } from "./policies/app-namespace-otlp-egress";
import { appNamespaceZipkinEgress } from "./policies/app-namespace-zipkin-egress";
import { jaegerCollectorNotHeadless } from "./policies/jaeger-collector-not-headless";
import { jaegerResourcesBounded } from "./policies/jaeger-resources-bounded";
import { jaegerUiNotPublic } from "./policies/jaeger-ui-not-public";
import { prodSamplingRange, samplingRangeConfigProblem } from "./policies/prod-sampling-range";
import { serviceEntryWildcardResolution } from "./policies/service-entry-wildcard-resolution";
import { telemetryProviderKnown } from "./policies/telemetry-provider-known";

export const PACK_NAME = "eco2-tracing";

export const policies: Policies = [
    appNamespaceZipkinEgress,
    appNamespaceOtlpEgress,
    telemetryProviderKnown,
    prodSamplingRange,
    serviceEntryWildcardResolution,
    jaegerCollectorNotHeadless,
    jaegerUiNotPublic,
    jaegerResourcesBounded,
];

/** Checks of a policy's config across its properties (JSON schema checks each alone), by policy name. */
export const CONFIG_CHECKS: Readonly<Record<string, (properties: Record<string, unknown>) => string | undefined>> = {
    [prodSamplingRange.name]: samplingRangeConfigProblem,
};
