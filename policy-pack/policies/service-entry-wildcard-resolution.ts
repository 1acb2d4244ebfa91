/**
 * Istio cannot resolve a wildcard host by DNS: a ServiceEntry with `*.example.com` and resolution DNS has no
 * endpoints, so traffic fails. Wildcard hosts need resolution NONE (the API default when unset).
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, describe, isKind, isRecord } from "../lib/resources";

export const serviceEntryWildcardResolution: ResourceValidationPolicy = {
    name: "service-entry-wildcard-resolution",
    description: "A ServiceEntry with a wildcard host uses resolution NONE.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isKind(args.type, "networking.istio.io", "ServiceEntry")) args.notApplicable("only applies to networking.istio.io ServiceEntry");
        const spec = isRecord(args.props.spec) ? args.props.spec : {};
        const wildcards = asArray(spec.hosts).filter((h): h is string => typeof h === "string" && h.includes("*"));
        if (wildcards.length === 0) return;
        const resolution = spec.resolution ?? "NONE";
        if (resolution !== "NONE") {
            reportViolation(`${describe(args)} has wildcard host(s) ${wildcards.join(", ")} with resolution ${resolution}; wildcard hosts cannot be resolved and need resolution NONE`);
        }
    },
};
