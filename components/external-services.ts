/**
 * networking.istio.io/v1 ServiceEntries so external dependencies show as named services, not PassthroughCluster.
 * (skeleton: being implemented)
 */
import * as pulumi from "@pulumi/pulumi";
import { ExternalService } from "../lib/config";
import { Models } from "../lib/models";

export interface ExternalServicesArgs {
    namespace: string;
    services: readonly ExternalService[];
    models: Models;
}

export class ExternalServices extends pulumi.ComponentResource {
    constructor(name: string, args: ExternalServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eco2:tracing:ExternalServices", name, {}, opts);
        void args;
        this.registerOutputs({});
    }
}
