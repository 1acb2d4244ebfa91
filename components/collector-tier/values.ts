/**
 * The opentelemetry-collector chart's values for the router tier (pure). `alternateConfig` replaces the chart's
 * default config whole (its `config` would merge in the jaeger and prometheus receivers this binary does not have).
 */
import type { Values } from "../foundation/k8s";
import { PORTS } from "../foundation/topology";
import { routerConfig } from "./router-config";

/** The image of the release the toolchain builds and the e2e runs (toolchain/go/otelcol, the chart's appVersion). */
export const ROUTER_IMAGE = Object.freeze({ repository: "otel/opentelemetry-collector-k8s", tag: "0.158.0" });

/**
 * A router holds no trace (it forwards each batch), so its memory is the batches in flight: 256Mi leaves
 * memory_limiter's 80 % well above them at the rates measured in the README ("Router tier").
 */
export const ROUTER_RESOURCES = Object.freeze({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } });

export interface RouterValuesArgs {
    readonly replicas: number;
    /** The headless Service of the Jaeger pods the k8s resolver watches. */
    readonly backendService: string;
    readonly namespace: string;
    readonly serviceAccountName: string;
    readonly resources: { readonly requests: Values; readonly limits: Values };
}

const off = { enabled: false };

export function routerChartValues(a: RouterValuesArgs): Values {
    return {
        mode: "deployment",
        replicaCount: a.replicas,
        image: { ...ROUTER_IMAGE },
        command: { name: "otelcol-k8s" },
        alternateConfig: routerConfig({
            resolver: { k8s: { service: a.backendService, namespace: a.namespace } },
            listenHost: "${env:MY_POD_IP}",
        }),
        // The stable jaeger-collector-clusterip Service (components/jaeger) fronts the routers: no second address.
        service: off,
        ports: {
            otlp: { enabled: true, containerPort: PORTS.otlpGrpc, servicePort: PORTS.otlpGrpc, protocol: "TCP", appProtocol: "grpc" },
            "otlp-http": { enabled: true, containerPort: PORTS.otlpHttp, servicePort: PORTS.otlpHttp, protocol: "TCP" },
            zipkin: { enabled: true, containerPort: PORTS.zipkin, servicePort: PORTS.zipkin, protocol: "TCP" },
            "jaeger-compact": off,
            "jaeger-thrift": off,
            "jaeger-grpc": off,
            metrics: off,
        },
        // Namespaced Role in collector-tier.ts (EndpointSlices only); the chart's ClusterRole would be cluster-wide.
        serviceAccount: { create: true, name: a.serviceAccountName },
        clusterRole: { create: false },
        resources: a.resources,
        // A rollout keeps at least one router (and the chart's probes gate on health_check).
        podDisruptionBudget: { enabled: a.replicas > 1, minAvailable: 1 },
    };
}
