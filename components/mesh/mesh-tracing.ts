/**
 * Istio tracing: the Zipkin extension provider Envoy reports to (exported as a meshConfig fragment, and merged into
 * istiod's mesh config when this stack manages istiod) and the telemetry.istio.io/v1 Telemetry resources that select
 * it at the stack's sampling rate. A Telemetry naming an unknown provider silently disables tracing, so both come
 * from the same `istio.tracingProvider`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmInstall } from "../helm/helm-install";
import type { IstioArgs, TelemetryArgs } from "./args";
import { istiodValues, meshConfigFragment, MeshConfigFragment, telemetryObjects } from "./mesh-config";
import { Models, schemaError } from "./models";

export interface MeshTracingArgs {
    istio: IstioArgs;
    telemetry: TelemetryArgs;
    /** Mesh-wide sampling percentage. */
    samplingPercent: number;
    /** Collector Service host and Zipkin port Envoy reports to. */
    collectorHost: string;
    zipkinPort: number;
    models: Models;
    /** The provider renders YAML (GitOps): a managed istiod is installed with helm.v4.Chart. */
    renderYaml: boolean;
}

/** The istiod chart's conventional release name (`helm install istiod istio/istiod`), so an existing install is upgraded. */
const ISTIOD_RELEASE = "istiod";

export class MeshTracing extends pulumi.ComponentResource {
    /** extensionProviders + defaultProviders.tracing (+ enableTracing) for platforms that own their Istio install. */
    readonly meshConfigFragment: MeshConfigFragment;
    readonly telemetries: k8s.apiextensions.CustomResource[];
    /** Present when `istio.istiod` is configured. */
    readonly istiod?: pulumi.Resource;

    constructor(name: string, args: MeshTracingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eco2:tracing:MeshTracing", name, {}, opts);
        const { istio } = args;
        this.meshConfigFragment = meshConfigFragment(istio, { host: args.collectorHost, zipkinPort: args.zipkinPort });

        if (istio.istiod) {
            // A Release is atomic: a failed control-plane upgrade rolls back instead of leaving istiod half-updated.
            this.istiod = helmInstall(`${name}-istiod`, {
                releaseName: ISTIOD_RELEASE,
                chart: "istiod",
                version: istio.istiod.version,
                repo: istio.istiod.repo,
                namespace: istio.rootNamespace,
                values: istiodValues(istio.istiod, istio.rootNamespace, this.meshConfigFragment),
                renderYaml: args.renderYaml,
                // This stack upgrades istiod; removing the stack must not take the mesh's control plane with it.
                outlivesStack: true,
            }, { parent: this });
        }

        // Validate every object before creating any, so a bad spec registers nothing.
        const objects = telemetryObjects(args).map((t) => {
            const model = new args.models.Telemetry({ metadata: { name: t.name, namespace: t.namespace }, spec: t.spec });
            const error = schemaError(model);
            if (error) throw new pulumi.ResourceError(error, this, true);
            return t;
        });
        this.telemetries = objects.map((t) => new k8s.apiextensions.CustomResource(`${name}-${t.namespace}/${t.name}`, {
            apiVersion: "telemetry.istio.io/v1",
            kind: "Telemetry",
            metadata: { name: t.name, namespace: t.namespace },
            spec: t.spec,
        }, { parent: this, dependsOn: this.istiod ? [this.istiod] : [] }));

        this.registerOutputs({ meshConfigFragment: this.meshConfigFragment });
    }
}
