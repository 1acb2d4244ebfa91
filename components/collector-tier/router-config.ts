/**
 * The router's collector config (pure): OTLP and Zipkin in, memory_limiter → batch, and the load_balancing exporter
 * keyed by trace ID, so every span of a trace reaches the same Jaeger replica whichever router received it. The
 * component runs it with the k8s resolver over the headless Service of the Jaeger pods; the e2e runs the same
 * config with the static resolver in front of processes. Component names are those of collector 0.158.0
 * (`load_balancing`, `otlp_grpc`: the toolchain's otelcol lists them with `otelcol components`).
 */
import { PORTS } from "../foundation/topology";
import type { Values } from "../foundation/k8s";

/** Where the routers find the Jaeger replicas. */
export type RouterResolver =
    | { readonly k8s: { readonly service: string; readonly namespace: string } }
    | { readonly static: { readonly hostnames: readonly string[] } };

export interface RouterConfigArgs {
    readonly resolver: RouterResolver;
    /** Address the receivers listen on: the pod IP in the chart (`${env:MY_POD_IP}`), loopback in the e2e. */
    readonly listenHost: string;
    /** Receiver ports; the chart's are the Jaeger collector's own (PORTS). */
    readonly ports?: RouterPorts;
    /** Routing by `service` instead is only the e2e's control (it splits traces). */
    readonly routingKey?: "traceID" | "service";
}

export interface RouterPorts {
    readonly otlpGrpc: number;
    readonly otlpHttp: number;
    readonly zipkin: number;
    readonly health: number;
    /** The router's own metrics (Prometheus), as Jaeger's on 8888. */
    readonly metrics: number;
}

export const ROUTER_HEALTH_PORT = 13133;
export const ROUTER_EXPORTER = "load_balancing";

export function routerConfig(a: RouterConfigArgs): Values {
    const ports = a.ports ?? { ...PORTS, health: ROUTER_HEALTH_PORT };
    const resolver = "k8s" in a.resolver
        // The resolver watches the Service's EndpointSlices (RBAC in collector-tier.ts), so it follows pods as they come
        // and go without DNS TTLs; a headless Service is what gives those slices one endpoint per pod.
        ? { k8s: { service: `${a.resolver.k8s.service}.${a.resolver.k8s.namespace}`, ports: [PORTS.otlpGrpc] } }
        : { static: { hostnames: [...a.resolver.static.hostnames] } };
    return {
        extensions: { health_check: { endpoint: `${a.listenHost}:${ports.health}` } },
        receivers: {
            otlp: {
                protocols: {
                    grpc: { endpoint: `${a.listenHost}:${ports.otlpGrpc}` },
                    http: { endpoint: `${a.listenHost}:${ports.otlpHttp}` },
                },
            },
            zipkin: { endpoint: `${a.listenHost}:${ports.zipkin}` },
        },
        processors: {
            // Refuse (receivers answer "retry later") before the container limit, as in Jaeger's pipeline.
            memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
            // The processor's default size (8,192, no maximum) is about 5 MiB of Eco² spans: over the 4 MiB a Jaeger
            // receiver takes, so the whole export is dropped (bench/tier.ts measured it). 2,048 spans stay far below.
            batch: { send_batch_size: 1024, send_batch_max_size: 2048 },
        },
        exporters: {
            [ROUTER_EXPORTER]: {
                routing_key: a.routingKey ?? "traceID",
                // Inside the mesh's trust boundary like the sidecars' Zipkin hop (plaintext, NetworkPolicy-fenced).
                // snappy keeps the second hop compressed for less CPU than the default gzip (bench/tier.ts: 1–21 % less
                // per span over three runs; uncompressed 7–28 % less, at more bytes on the wire).
                protocol: { otlp: { tls: { insecure: true }, timeout: "5s", compression: "snappy" } },
                resolver,
            },
        },
        service: {
            extensions: ["health_check"],
            pipelines: { traces: { receivers: ["otlp", "zipkin"], processors: ["memory_limiter", "batch"], exporters: [ROUTER_EXPORTER] } },
            // Its default is localhost:8888; on the pod IP Prometheus can scrape it like Jaeger's.
            telemetry: { metrics: { readers: [{ pull: { exporter: { prometheus: { host: a.listenHost, port: ports.metrics } } } }] } },
        },
    };
}
