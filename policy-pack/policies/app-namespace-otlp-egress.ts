/** App SDKs export over OTLP gRPC; advisory because not every app is instrumented with an SDK. */
import { appNamespaceEgressPolicy } from "../lib/app-namespace-egress";

export const appNamespaceOtlpEgress = appNamespaceEgressPolicy({
    name: "app-namespace-otlp-egress",
    port: 4317,
    purpose: "OTLP gRPC spans from application SDKs",
    enforcementLevel: "advisory",
});
