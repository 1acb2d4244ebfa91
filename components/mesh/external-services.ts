/**
 * networking.istio.io/v1 ServiceEntries so external dependencies show as named destinations (outbound|443||<host>
 * clusters) in Kiali's graph and Istio's metrics, not as PassthroughCluster. What they do not give: HTTP spans for
 * TLS. An HTTPS/TLS port is SNI-matched and goes through tcp_proxy (real istiod, `npm run mesh`'s e2e), so Envoy sees
 * no request and makes no span; only a plain-HTTP port gets an HTTP connection manager and a sidecar span. The rules
 * Istio enforces on them are checked at config time (components/config/external-hosts.ts).
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
