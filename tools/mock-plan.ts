/**
 * The mock plan: runs the real program for one stack the way `pulumi preview` would feed it, with the mock runtime in
 * place of the engine (project from Pulumi.yaml, config from `Pulumi.<stack>.yaml` or another file). Each registered
 * resource comes back with the URN the engine would give it (parent type chain included), its parent and its
 * provider. The e2e suites (test/e2e/harness.ts `plan`) and the bench use it to know the program's objects without
 * the engine; `npm run synth` runs on the real one. A MockPlanResource is a RegisteredResource (tools/mock-runtime.ts,
 * which lists every stage's record) placed in the tree; the real engine's counterpart is EnginePlanResource.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { MockRunOptions, runUnderMocks, ProgramError, RegisteredResource } from "./mock-runtime";
import { ProjectFile, readProject, readStackConfig, StackFileConfig } from "./stack-file";
import { loadStackConfig } from "../components/config";
import { zipkinCollector } from "../components/foundation/topology";
import { meshConfigFragment } from "../components/mesh/mesh-config";
import { platformMeshConfigData } from "../components/mesh/live-mesh-config";

export interface MockPlanResource extends RegisteredResource {
    urn: string;
    parentUrn?: string;
    providerUrn?: string;
}

export interface MockPlan {
    project: ProjectFile;
    stack: string;
    /** Full keys to raw values, as the engine hands config to programs and policy packs. */
    config: Record<string, string>;
    secretKeys: string[];
    resources: MockPlanResource[];
    /** The program's stack outputs, resolved. */
    outputs: Record<string, any> | undefined;
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface MockPlanOptions {
    root: string;
    stack: string;
    /** Defaults to `<root>/Pulumi.<stack>.yaml`. */
    configFile?: string;
    /** The config file already read (readStackConfig); read from `configFile` otherwise. */
    stackConfig?: StackFileConfig;
    /** The program's default export; defaults to the compiled index.ts next to this module's directory. */
    program?: () => unknown;
    /** What the program's reads find (MockRunOptions.live); default `readmePlatform`. */
    live?: MockRunOptions["live"];
}

/**
 * A cluster whose platform did what the README asks: istiod's mesh ConfigMap holds the stack's tracing provider.
 * Asked during the program's run, after it has read (and accepted) the same config.
 */
export function readmePlatform(type: string, id: string): Record<string, any> | undefined {
    const { istio, jaeger } = loadStackConfig();
    const [namespace, name] = [istio.rootNamespace, istio.meshConfigMap];
    if (type !== "kubernetes:core/v1:ConfigMap" || id !== `${namespace}/${name}`) return undefined;
    const fragment = meshConfigFragment(istio, zipkinCollector(jaeger.namespace));
    const data = platformMeshConfigData(undefined, namespace, fragment);
    return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data };
}

/** Throws ProgramError (with the program's own error as `cause`) or StackFileError. */
export async function mockPlan(options: MockPlanOptions): Promise<MockPlan> {
    const project = readProject(options.root);
    const file = options.configFile ?? path.join(options.root, `Pulumi.${options.stack}.yaml`);
    const stackConfig = options.stackConfig ?? readStackConfig(file, project);
    const program = options.program ?? (require("../index") as () => unknown);

    // A stack transformation sees every resource's type, name and parent as the SDK constructs it; the mock
    // monitor's own URNs keep only the last parent type, the engine keeps the whole chain.
    const lineage = new Map<pulumi.Resource, { type: string; name: string; parent?: pulumi.Resource }>();
    const run = await runUnderMocks(
        () => {
            pulumi.runtime.registerStackTransformation((args) => {
                lineage.set(args.resource, { type: args.type, name: args.name, parent: args.opts.parent });
                return undefined;
            });
            return program();
        },
        { project: project.name, stack: options.stack, config: stackConfig.config, secretKeys: stackConfig.secretKeys,
            live: options.live ?? readmePlatform },
    );

    const urns = new Map<pulumi.Resource, string>();
    const urnOf = (resource: pulumi.Resource | undefined): string | undefined => {
        if (!resource) return undefined;
        const known = urns.get(resource);
        if (known) return known;
        const entry = lineage.get(resource);
        if (!entry) return undefined; // the root stack: created before the transformation was registered
        const parentUrn = urnOf(entry.parent);
        const parentType = parentUrn?.split("::")[2];
        const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${entry.type}` : entry.type;
        const urn = `urn:pulumi:${options.stack}::${project.name}::${qualified}::${entry.name}`;
        urns.set(resource, urn);
        return urn;
    };
    const byKey = new Map<string, { urn: string; parentUrn?: string }[]>();
    for (const [resource, entry] of lineage) {
        const key = `${entry.type}::${entry.name}`;
        byKey.set(key, [...(byKey.get(key) ?? []), { urn: urnOf(resource)!, parentUrn: urnOf(entry.parent) }]);
    }
    const stackUrn = `urn:pulumi:${options.stack}::${project.name}::${ROOT_STACK_TYPE}::${project.name}-${options.stack}`;

    const located = run.resources.map((r) => {
        if (r.type === ROOT_STACK_TYPE) return { ...r, urn: stackUrn };
        const found = byKey.get(`${r.type}::${r.name}`) ?? [];
        if (found.length !== 1) {
            throw new ProgramError(new Error(`cannot place ${r.type} "${r.name}" in the resource tree (${found.length} candidates): ` +
                `names must be unique per type`), run.resources);
        }
        return { ...r, urn: found[0].urn, parentUrn: found[0].parentUrn ?? stackUrn };
    });
    // A provider reference is `<mock urn>::<id>`; the mock URN still ends in `<type>::<name>`.
    const byTypeName = new Map(located.map((r) => [`${r.type}::${r.name}`, r.urn]));
    const resources: MockPlanResource[] = located.map((r) => {
        if (!r.provider) return r;
        const parts = r.provider.split("::");
        const providerType = parts[parts.length - 3]?.split("$").pop();
        const providerUrn = byTypeName.get(`${providerType}::${parts[parts.length - 2]}`);
        return providerUrn ? { ...r, providerUrn } : r;
    });
    return { project, stack: options.stack, config: stackConfig.config, secretKeys: stackConfig.secretKeys,
        resources, outputs: run.outputs };
}
