/**
 * networking.istio.io/v1 ServiceEntries so external dependencies show as named services in traces and the service
 * graph, not as PassthroughCluster. The rules Istio enforces on them are checked at config time (components/config/external-hosts.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ExternalServiceArgs } from "./args";
import { serviceEntrySpec } from "./mesh-config";
import { Models, schemaError } from "./models";

export interface ExternalServicesArgs {
    /** Where the entries live: the root namespace, exported to all namespaces. */
    namespace: string;
    services: readonly ExternalServiceArgs[];
    models: Models;
}

export class ExternalServices extends pulumi.ComponentResource {
    readonly serviceEntries: k8s.apiextensions.CustomResource[];

    constructor(name: string, args: ExternalServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eco2:tracing:ExternalServices", name, {}, opts);
        // Validate every entry before creating any, so a bad spec registers nothing.
        const entries = args.services.map((svc) => {
            const spec = serviceEntrySpec(svc);
            const error = schemaError(new args.models.ServiceEntry({ metadata: { name: svc.name, namespace: args.namespace }, spec }));
            if (error) throw new pulumi.ResourceError(error, this, true);
            return { name: svc.name, spec };
        });
        this.serviceEntries = entries.map((e) => new k8s.apiextensions.CustomResource(`${name}-${e.name}`, {
            apiVersion: "networking.istio.io/v1",
            kind: "ServiceEntry",
            metadata: { name: e.name, namespace: args.namespace },
            spec: e.spec,
        }, { parent: this }));
        this.registerOutputs({ serviceEntries: entries.map((e) => `${args.namespace}/${e.name}`) });
    }
}
