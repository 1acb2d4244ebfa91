/**
 * The program's guard for a mesh this stack does not manage: before anything is registered, read istiod's mesh
 * ConfigMap and stop the run when the provider the Telemetry will name is missing there or points elsewhere
 * (live-mesh-config.ts judges it). Only a read: the ConfigMap is the platform's, never changed by this stack.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IstioArgs } from "./args";
import { Collector, meshConfigFragment } from "./mesh-config";
import { judgeLiveMeshConfig } from "./live-mesh-config";

export interface MeshConfigGuardArgs {
    istio: Pick<IstioArgs, "rootNamespace" | "tracingProvider" | "maxPathTagLength" | "w3cPropagation">;
    /** istiod's mesh ConfigMap in the root namespace. */
    configMapName: string;
    collector: Collector;
}

/** Thrown by the guard: the CLI prints it without a stack trace. */
export class MeshConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`the live mesh config does not have this stack's tracing provider (istio.verifyMeshConfig false skips this check):\n` +
            problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "MeshConfigError";
    }
}

/** Resolves once the live mesh config has the stack's provider (logging what differs harmlessly); throws MeshConfigError otherwise. */
export async function verifyLiveMeshConfig(name: string, args: MeshConfigGuardArgs, opts: pulumi.CustomResourceOptions): Promise<void> {
    const where = `ConfigMap ${args.istio.rootNamespace}/${args.configMapName}`;
    const [wanted] = meshConfigFragment(args.istio, args.collector).extensionProviders;
    pulumi.log.info(`checking the live mesh config (${where}) for tracing provider "${wanted.name}"`);
    const live = k8s.core.v1.ConfigMap.get(name, `${args.istio.rootNamespace}/${args.configMapName}`, opts);
    // The engine reads during preview too, so the data is known before any resource of this stack is registered.
    const data = await new Promise<Record<string, string> | undefined>((resolve) => live.data.apply((d) => resolve(d)));
    const verdict = judgeLiveMeshConfig(data, wanted, where);
    for (const warning of verdict.warnings) pulumi.log.warn(warning);
    if (verdict.problems.length) throw new MeshConfigError(verdict.problems);
}
