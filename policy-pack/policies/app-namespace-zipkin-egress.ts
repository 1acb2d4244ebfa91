/** Envoy sidecars report spans over Zipkin; a namespace that blocks TCP 9411 to the collector silently loses them. */
import { appNamespaceEgressPolicy } from "../lib/app-namespace-egress";
import { JAEGER_PORTS } from "../lib/ports";

export const appNamespaceZipkinEgress = appNamespaceEgressPolicy({
    name: "app-namespace-zipkin-egress",
    port: JAEGER_PORTS.zipkin,
    purpose: "Zipkin spans from Envoy sidecars",
    enforcementLevel: "mandatory",
});
