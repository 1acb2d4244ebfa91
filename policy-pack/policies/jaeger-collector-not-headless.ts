/**
 * A headless Service (clusterIP: None) resolves to pod IPs: Envoy's Zipkin tracer and OTLP clients then pin one pod
 * and lose spans when it restarts (the 3.x chart's headless collector Service did exactly that). Services in front
 * of the collector and query ports must have a cluster IP. One exception: the router tier's backend Service
 * (label app.kubernetes.io/component: router-backends, OTLP gRPC 4317 only) is headless on purpose: the routers'
 * load_balancing exporter reads its EndpointSlices to reach each Jaeger pod by trace ID, and nothing else sends to it.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { JAEGER_PODS_DEFAULTS, JaegerPodsConfig, jaegerPodsSchema, read } from "../lib/config";
import { selectsJaeger } from "../lib/jaeger";
import { JAEGER_PORTS } from "../lib/ports";
import { asArray, describe, isKind, isRecord } from "../lib/resources";

/** Collector receivers (Zipkin, OTLP gRPC/HTTP) and the query UI/HTTP and gRPC (Kiali) ports. */
const PORTS: readonly number[] = Object.values(JAEGER_PORTS);
/** The component label of the router tier's headless backend Service (components/collector-tier). */
const ROUTER_BACKENDS = "router-backends";

export const jaegerCollectorNotHeadless: ResourceValidationPolicy = {
    name: "jaeger-collector-not-headless",
    description: `A Service that selects Jaeger pods and exposes ${PORTS.slice(0, -1).join(", ")} or ${PORTS.at(-1)} has a cluster IP (not clusterIP: None).`,
    enforcementLevel: "mandatory",
    configSchema: jaegerPodsSchema,
    validateResource: (args, reportViolation) => {
        if (!isKind(args.type, "", "Service")) args.notApplicable("only applies to core/v1 Service");
        const { jaegerPodLabels } = read<JaegerPodsConfig>(args.getConfig(), JAEGER_PODS_DEFAULTS);
        const spec = isRecord(args.props.spec) ? args.props.spec : {};
        if (!selectsJaeger(spec, jaegerPodLabels)) return;
        const exposed = asArray(spec.ports)
            .filter(isRecord)
            .flatMap((p) => [p.port, p.targetPort])
            .filter((n): n is number => typeof n === "number" && PORTS.includes(n));
        if (exposed.length === 0) return;
        const headless = spec.clusterIP === "None" || asArray(spec.clusterIPs).includes("None");
        const labels = isRecord(args.props.metadata) && isRecord(args.props.metadata.labels) ? args.props.metadata.labels : {};
        const routerBackends = labels["app.kubernetes.io/component"] === ROUTER_BACKENDS
            && exposed.every((p) => p === JAEGER_PORTS.otlpGrpc);
        if (headless && !routerBackends) {
            reportViolation(
                `${describe(args)} selects Jaeger pods and exposes port ${[...new Set(exposed)].sort((a, b) => a - b).join(", ")} but is headless (clusterIP: None); ` +
                    "span senders would pin individual pod IPs — remove clusterIP: None so the Service gets a cluster IP",
            );
        }
    },
};
