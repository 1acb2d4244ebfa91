/**
 * A Telemetry that names a tracing provider the mesh config does not define makes Istio drop tracing for the
 * workloads it covers, without an error anywhere. Provider names must be the configured extension providers.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { DEFAULT_TRACING_PROVIDERS, read, schema } from "../lib/config";
import { describe } from "../lib/resources";
import { isTelemetry, tracingEntries } from "../lib/telemetry";

interface Config {
    providers: string[];
}

export const telemetryProviderKnown: ResourceValidationPolicy = {
    name: "telemetry-provider-known",
    description: "Every Telemetry tracing provider is one of the mesh's configured extension providers; an unknown name silently disables tracing.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            providers: schema.strings("Tracing extension provider names defined in the mesh config.", DEFAULT_TRACING_PROVIDERS, undefined, 1),
        },
    },
    validateResource: (args, reportViolation) => {
        if (!isTelemetry(args.type)) args.notApplicable("only applies to telemetry.istio.io Telemetry");
        const { providers } = read<Config>(args.getConfig(), { providers: [...DEFAULT_TRACING_PROVIDERS] });
        for (const entry of tracingEntries(args.props.spec)) {
            for (const name of entry.providers) {
                if (providers.includes(name)) continue;
                reportViolation(
                    `${describe(args)}: tracing[${entry.index}] names provider "${name}", which is not a configured mesh extension provider ` +
                        `(known: ${providers.join(", ")}); Istio would silently stop tracing the workloads this Telemetry covers.`,
                );
            }
        }
    },
};
