/** App SDKs export over OTLP gRPC; advisory because not every app is instrumented with an SDK. */
import { appNamespaceEgressPolicy } from "../lib/app-namespace-egress";
import { JAEGER_PORTS } from "../lib/ports";

export const appNamespaceOtlpEgress = appNamespaceEgressPolicy({
    name: "app-namespace-otlp-egress",
    port: JAEGER_PORTS.otlpGrpc,
    purpose: "OTLP gRPC spans from application SDKs",
    enforcementLevel: "advisory",
});
