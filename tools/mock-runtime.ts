/**
 * Runs a Pulumi program under the SDK's mock runtime and records every resource it registers, exactly as the
 * engine would receive them. For the unit tests, and for the mock plan (mock-plan.ts) the e2e suites and the bench
 * use; `npm run synth` itself runs on the real engine.
 *
 * The resource records by stage: RegisteredResource (here: what the program registered), MockPlanResource
 * (mock-plan.ts: the same with its URNs), EnginePlanResource (synth/engine-plan.ts: what the real engine
 * planned), KubeObject (synth/write-manifests.ts: a Kubernetes object rendered from a plan), AnalyzedResource
 * (policy-check/analyzer.ts: what a policy is given; ManifestResource when read from YAML).
 */
import * as pulumi from "@pulumi/pulumi";
// waitForRPCs is internal to the SDK (not in its typings); the package has no exports map, so the path resolves.
import * as settings from "@pulumi/pulumi/runtime/settings";

const { waitForRPCs } = settings as unknown as { waitForRPCs(): Promise<void> };

export interface RegisteredResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    custom: boolean;
    provider?: string;
}

export interface MockRunOptions {
    project: string;
    stack: string;
    /** Full keys (`project:key`) to raw string values, as the engine passes config. */
    config: Record<string, string>;
    secretKeys?: string[];
    preview?: boolean;
    /**
     * The live cluster a read (`Resource.get`) sees: the object's state for a type and id, undefined when it does
     * not exist (the read then fails as the provider's does). Default: nothing exists.
     */
    live?: (type: string, id: string) => Record<string, any> | undefined;
}

/** A `Resource.get` the program made: read from the cluster, never created. */
export interface ReadResource {
    type: string;
    name: string;
    id: string;
}

export interface MockRun {
    /** What the program registered to create or update; reads are apart, in `reads`. */
    resources: RegisteredResource[];
    reads: ReadResource[];
    outputs: Record<string, any> | undefined;
}

/** Thrown when the program fails; carries what had been registered by then. */
export class ProgramError extends Error {
    constructor(readonly cause: unknown, readonly resources: RegisteredResource[]) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = "ProgramError";
    }
}

/** `program` is the program's default export (a function, possibly async) or a thunk that imports it. */
export async function runUnderMocks(program: () => unknown, options: MockRunOptions): Promise<MockRun> {
    const resources: RegisteredResource[] = [];
    const reads: ReadResource[] = [];
    // The engine ends the run when a read fails; the mock monitor only rejects that resource's outputs.
    let readFailed: (e: Error) => void = () => undefined;
    const readFailure = new Promise<never>((_, reject) => (readFailed = reject));
    pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                // The mock monitor passes an id only for reads (this program imports nothing).
                if (args.id) {
                    const state = options.live?.(args.type, args.id);
                    if (!state) {
                        const e = new Error(`resource '${args.id}' does not exist`);
                        readFailed(e);
                        throw e;
                    }
                    reads.push({ type: args.type, name: args.name, id: args.id });
                    return { id: args.id, state };
                }
                resources.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? true, provider: args.provider });
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args) => args.inputs,
        },
        options.project,
        options.stack,
        options.preview ?? true,
    );
    pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);
    let raw: unknown;
    try {
        raw = await Promise.race([pulumi.runtime.runInPulumiStack(async () => await program()), readFailure]);
    } catch (e) {
        await waitForRPCs();
        throw new ProgramError(e, resources);
    } finally {
        // Registrations are RPCs to the mock monitor; let them all land before reading the list.
        await waitForRPCs();
    }
    const outputs = raw === undefined ? undefined : await unwrap(raw);
    return { resources, reads, outputs };
}

async function unwrap(value: unknown): Promise<any> {
    if (pulumi.Output.isInstance(value)) return unwrap(await (value as any).promise());
    if (value instanceof Promise) return unwrap(await value);
    if (Array.isArray(value)) return Promise.all(value.map(unwrap));
    if (value && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = await unwrap(v);
        return out;
    }
    return value;
}
