/** The `networkPolicy` section: the NetworkPolicies on the tracing paths. */
import { z } from "zod";
import { bool, dnsLabel, labels, strict } from "../primitives";

const peer = strict({
    namespace: dnsLabel().describe("Peer namespace."),
    podLabels: labels().optional().describe("Peer pod labels (all pods of the namespace when unset)."),
});

export const networkPolicy = strict({
    defaultDenyEgress: bool().default(false)
        .describe("App namespaces deny egress by default: add `allow-jaeger-egress` (4317/4318/9411) and DNS egress there. Off: no egress policy is created, since any Egress policy would isolate the pods from everything else."),
    dnsNamespace: dnsLabel().default("kube-system").describe("Namespace of the cluster DNS."),
    dnsPodLabels: labels().default({ "k8s-app": "kube-dns" }).describe("Labels of the cluster DNS pods."),
    queryIngressFrom: z.array(peer).default([])
        .describe("Who may reach the query UI/HTTP API on 16686 and its gRPC API on 16685 (e.g. the ingress gateway, Kiali)."),
    metricsIngressFrom: z.array(peer).default([])
        .describe("Who may scrape Jaeger's Prometheus metrics on 8888 (the ingress policy closes it otherwise)."),
}).describe("NetworkPolicies for the tracing paths.");
