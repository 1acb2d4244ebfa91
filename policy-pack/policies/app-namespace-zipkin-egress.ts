/** Envoy sidecars report spans over Zipkin; a namespace that blocks TCP 9411 to the collector silently loses them. */
import { appNamespaceEgressPolicy } from "../lib/app-namespace-egress";

export const appNamespaceZipkinEgress = appNamespaceEgressPolicy({
    name: "app-namespace-zipkin-egress",
    port: 9411,
    purpose: "Zipkin spans from Envoy sidecars",
    enforcementLevel: "mandatory",
});
