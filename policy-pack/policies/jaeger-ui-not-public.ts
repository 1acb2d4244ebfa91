/**
 * The Jaeger query UI/API has no authentication: no Service selecting Jaeger pods may be reachable from outside the
 * cluster (type LoadBalancer or NodePort, or external IPs). Also checks the jaeger chart's own Service type.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { JAEGER_PODS_DEFAULTS, JaegerPodsConfig, jaegerPodsSchema, read } from "../lib/config";
import { describeHelmInstall, isHelmInstall, isJaegerChart, selectsJaeger } from "../lib/jaeger";
import { asArray, describe, isKind, isRecord } from "../lib/resources";

const PUBLIC_TYPES = ["LoadBalancer", "NodePort"];

export const jaegerUiNotPublic: ResourceValidationPolicy = {
    name: "jaeger-ui-not-public",
    description: "No Service selecting Jaeger pods is of type LoadBalancer or NodePort (or has external IPs).",
    enforcementLevel: "mandatory",
    configSchema: jaegerPodsSchema,
    validateResource: (args, reportViolation) => {
        if (isHelmInstall(args.type)) {
            if (!isJaegerChart(args.props)) args.notApplicable("not the jaeger chart");
            const type = args.props.values?.jaeger?.service?.type;
            if (PUBLIC_TYPES.includes(type)) {
                reportViolation(`${describeHelmInstall(args)}: values jaeger.service.type is ${type}; the chart's Service selects the Jaeger pods and would expose the unauthenticated UI outside the cluster`);
            }
            return;
        }
        if (!isKind(args.type, "", "Service")) args.notApplicable("only applies to core/v1 Service and the jaeger Helm chart");
        const { jaegerPodLabels } = read<JaegerPodsConfig>(args.getConfig(), JAEGER_PODS_DEFAULTS);
        const spec = isRecord(args.props.spec) ? args.props.spec : {};
        if (!selectsJaeger(spec, jaegerPodLabels)) return;
        if (PUBLIC_TYPES.includes(spec.type)) {
            reportViolation(`${describe(args)} selects Jaeger pods and is of type ${spec.type}; keep it ClusterIP and reach the UI through the mesh or port-forward`);
        }
        const externalIPs = asArray(spec.externalIPs);
        if (externalIPs.length > 0) {
            reportViolation(`${describe(args)} selects Jaeger pods and has externalIPs ${externalIPs.join(", ")}; remove them`);
        }
    },
};
