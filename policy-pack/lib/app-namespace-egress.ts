/**
 * The shared body of `app-namespace-zipkin-egress` and `app-namespace-otlp-egress`: every app namespace must let its
 * pods reach the Jaeger collector on one TCP port, under NetworkPolicy semantics (see egress.ts).
 */
import { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { appNamespaces, collectorNamespaceLabels, indexStack } from "./app-namespaces";
import { COLLECTOR_DEFAULTS, CollectorConfig, collectorSchema, read } from "./config";
import { Destination, explainBlocking, namespaceEgress } from "./egress";
import { stackJaeger } from "./jaeger";
import { describeLabels } from "./selectors";

export interface EgressPolicyOptions {
    name: string;
    port: number;
    /** What the port carries, for messages: "Zipkin spans from Envoy sidecars". */
    purpose: string;
    enforcementLevel: EnforcementLevel;
}

export function appNamespaceEgressPolicy(options: EgressPolicyOptions): StackValidationPolicy {
    const { port, purpose } = options;
    return {
        name: options.name,
        description: `Every app namespace allows egress to the Jaeger collector on TCP ${port} (${purpose}).`,
        enforcementLevel: options.enforcementLevel,
        configSchema: collectorSchema,
        validateStack: (args, reportViolation) => {
            const configured = read<CollectorConfig>(args.getConfig(), COLLECTOR_DEFAULTS);
            // A stack that installs Jaeger itself says where the collector is (e.g. jaeger.namespace: tracing); the
            // config describes the collector of stacks that only point at it (app teams').
            const own = stackJaeger(args.resources);
            const config = own ? { ...configured, collectorNamespace: own.namespace, collectorPodLabels: own.podLabels } : configured;
            const index = indexStack(args.resources);
            const namespaces = appNamespaces(index, config);
            if (namespaces.size === 0) args.notApplicable("no app namespaces: none labelled for sidecar injection, configured, or running workloads");
            const dest: Destination = {
                namespace: config.collectorNamespace,
                namespaceLabels: collectorNamespaceLabels(index, config),
                podLabels: config.collectorPodLabels,
                port,
                protocol: "TCP",
            };
            for (const [namespace, reason] of namespaces) {
                const verdict = namespaceEgress(index.policiesByNamespace.get(namespace) ?? [], dest);
                if (verdict.allowed) continue;
                const urn = index.namespaces.get(namespace)?.urn ?? verdict.blocking[0]?.ref;
                reportViolation(
                    `namespace "${namespace}" (${reason}) does not allow egress to the Jaeger collector on TCP ${port} (${purpose}): ` +
                        `${explainBlocking(verdict)}, and no NetworkPolicy selecting those pods has an egress rule whose ports cover TCP ${port} ` +
                        `and whose "to" admits pods ${describeLabels(dest.podLabels)} in namespace "${dest.namespace}". ` +
                        `Add an egress rule with ports [TCP ${port}] to namespaceSelector kubernetes.io/metadata.name=${dest.namespace} and podSelector ${describeLabels(dest.podLabels)}.`,
                    urn,
                );
            }
        },
    };
}
