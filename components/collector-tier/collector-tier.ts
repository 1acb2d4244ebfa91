/**
 * The router tier of tail sampling: OpenTelemetry Collectors (the official opentelemetry-collector chart) that take
 * every span on the stable collector ports and send all spans of a trace to one Jaeger replica (load_balancing by
 * trace ID), so several Jaeger replicas can tail-sample. The Jaeger replicas are found through a headless Service
 * of their pods, whose EndpointSlices the k8s resolver watches with a Role limited to reading them in that namespace.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PART_OF, Values } from "../foundation/k8s";
import { PORTS } from "../foundation/topology";
import { chartSource, helmInstall } from "../helm/helm-install";
import { routerChartValues } from "./values";

export interface CollectorTierArgs {
    /** The Jaeger namespace: the routers run beside the replicas they route to. */
    readonly namespace: string;
    readonly releaseName: string;
    readonly replicas: number;
    readonly chart: { readonly name: string; readonly version: string; readonly repo?: string; readonly path?: string };
    /** The Jaeger pods' labels: the headless Service selects them. */
    readonly jaegerPodLabels: Record<string, string>;
    readonly resources: { readonly requests: Values; readonly limits: Values };
    readonly renderYaml: boolean;
}

/** The chart's selector labels (its _helpers.tpl selectorLabels; this program sets no nameOverride). */
export function routerPodLabels(releaseName: string): Record<string, string> {
    return { "app.kubernetes.io/instance": releaseName, "app.kubernetes.io/name": "opentelemetry-collector" };
}

export const backendServiceName = (releaseName: string) => `${releaseName}-backends`;

export class CollectorTier extends pulumi.ComponentResource {
    readonly podLabels: Record<string, string>;
    readonly backendService: k8s.core.v1.Service;
    readonly release: k8s.helm.v3.Release | k8s.helm.v4.Chart;

    constructor(name: string, args: CollectorTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eco2:tracing:CollectorTier", name, {}, opts);
        this.podLabels = routerPodLabels(args.releaseName);
        const labels = { "app.kubernetes.io/component": "router", "app.kubernetes.io/managed-by": "pulumi", ...PART_OF };
        const metadata = (n: string) => ({ name: n, namespace: args.namespace, labels });
        const serviceName = backendServiceName(args.releaseName);

        // Headless: the resolver needs one endpoint per Jaeger pod, not a virtual IP that spreads a trace's spans.
        // The component label is what the policy pack's jaeger-collector-not-headless admits a headless Service by.
        this.backendService = new k8s.core.v1.Service(`${name}-backends`, {
            metadata: { ...metadata(serviceName), labels: { ...labels, "app.kubernetes.io/component": "router-backends" } },
            spec: {
                clusterIP: "None",
                selector: args.jaegerPodLabels,
                ports: [{ name: "grpc-otlp", port: PORTS.otlpGrpc, targetPort: PORTS.otlpGrpc, protocol: "TCP", appProtocol: "grpc" }],
                // A replica leaving (rollout, scale-down) drops out of the ring only once it is gone, not while it
                // drains its decision wait; the resolver sees Ready pods only otherwise.
                publishNotReadyAddresses: false,
            },
        }, { parent: this });

        const serviceAccountName = args.releaseName;
        const role = new k8s.rbac.v1.Role(`${name}-resolver`, {
            metadata: metadata(`${args.releaseName}-resolver`),
            rules: [{ apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] }],
        }, { parent: this });
        const binding = new k8s.rbac.v1.RoleBinding(`${name}-resolver`, {
            metadata: metadata(`${args.releaseName}-resolver`),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: serviceAccountName, namespace: args.namespace }],
        }, { parent: this });

        this.release = helmInstall(`${name}-release`, {
            releaseName: args.releaseName,
            ...chartSource(args.chart),
            namespace: args.namespace,
            values: routerChartValues({
                replicas: args.replicas,
                backendService: serviceName,
                namespace: args.namespace,
                serviceAccountName,
                resources: args.resources,
            }),
            renderYaml: args.renderYaml,
        }, { parent: this, dependsOn: [binding, this.backendService] });

        this.registerOutputs({ podLabels: this.podLabels });
    }
}
