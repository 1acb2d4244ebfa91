/**
 * npm run mesh -- <stack> [--config-file FILE] [--mesh-config FILE] [--json]
 *
 * What will every Envoy be told? The stack's objects (its plan, as the program generates them) go into the embedded
 * cluster; the toolchain's istiod (pilot-discovery) starts on them with the mesh config a platform would run (Istio's
 * defaults plus the stack's `meshConfig` fragment merged as the README says, a managed istiod's values, or
 * --mesh-config: a mesh config or istiod Helm values with `meshConfig:`); the xds-probe asks for each probe proxy's
 * clusters and listeners as its Envoy would. Everything the check created is removed afterwards.
 *
 * Exit codes: 0 every proxy traces to the collector at the rate the stack intends; 1 any does not (each problem names
 * the proxy and why) or the check could not run; 2 bad arguments or stack config.
 */
import * as fs from "fs";
import * as YAML from "yaml";
import { mockPlan } from "../mock-plan";
import { ProgramError } from "../mock-runtime";
import { readProject, StackFileError } from "../stack-file";
import { stackObjects } from "../synth/write-manifests";
import { intentOf, meshConfigFor, PlanInputs } from "./expectations";
import { ClusterObjects, meshObjects, probeDocs, probesFor } from "./cluster-objects";
import { formatTable, Probed, verdict } from "./report";
import { callerPath, CommandIO, failingWith, PROCESS_IO, runWhenMain } from "../../toolchain/kit/command";
import { PROJECT_DIR } from "../../toolchain/kit/paths";
import { parseStackCommand, UsageError } from "../../toolchain/kit/stack-name";
import { toolPaths } from "../../toolchain/build/tools";
import { clusterUp } from "../../toolchain/cluster/cluster";
import { startIstiod } from "../../toolchain/istiod/istiod";
import { probeProxy } from "../../toolchain/istiod/probe";

const USAGE = "usage: npm run mesh -- <stack> [--config-file FILE] [--mesh-config FILE] [--json]";

function parse(argv: string[]) {
    const options = { "config-file": { type: "string" }, "mesh-config": { type: "string" }, json: { type: "boolean" } } as const;
    const parsed = parseStackCommand(argv, options, readProject(PROJECT_DIR).name);
    if (parsed.help) return parsed;
    const v = parsed.values;
    const text = (x: unknown) => (typeof x === "string" ? x : undefined);
    const json = !!v.json;
    return { help: false as const, stack: parsed.stack, configFile: text(v["config-file"]), meshConfigFile: text(v["mesh-config"]), json };
}

/** The plan's parts the check needs; a config the program refuses is the user's error (exit 2). */
export async function planInputs(stack: string, configFile?: string): Promise<PlanInputs> {
    const plan = await mockPlan({ root: PROJECT_DIR, stack, configFile: configFile && callerPath(configFile) });
    const { objects, releases } = stackObjects(plan.resources, PROJECT_DIR);
    const istio = JSON.parse(plan.config[`${plan.project.name}:istio`] ?? "{}");
    return {
        objects,
        releases,
        fragment: plan.outputs!.meshConfig,
        appNamespaces: Object.keys(plan.outputs!.otelConfigMaps ?? {}),
        gatewayNamespaces: Array.isArray(istio.gatewayNamespaces) ? istio.gatewayNamespaces : [],
    };
}

function readMeshFile(file: string): unknown {
    try {
        return YAML.parse(fs.readFileSync(callerPath(file), "utf8"));
    } catch (e) {
        throw new UsageError(`--mesh-config ${file}: ${(e as Error).message}`);
    }
}

export async function main(argv: string[], io: CommandIO = PROCESS_IO): Promise<number> {
    let args: ReturnType<typeof parse>;
    let inputs: PlanInputs;
    const planStarted = Date.now();
    let userMesh: unknown;
    try {
        args = parse(argv);
        if (args.help) {
            io.out(USAGE);
            return 0;
        }
        userMesh = args.meshConfigFile ? readMeshFile(args.meshConfigFile) : undefined;
        inputs = await planInputs(args.stack, args.configFile);
    } catch (e) {
        if (e instanceof UsageError) io.err(`${e.message}\n${USAGE}`);
        else if (e instanceof StackFileError || e instanceof ProgramError) io.err(`mesh: ${e.message}`);
        else throw e;
        return 2;
    }
    const log = (line: string) => io.err(`[mesh] ${line}`);
    log(`the stack's plan (program under mocks): ${((Date.now() - planStarted) / 1000).toFixed(1)} s`);
    return failingWith("mesh", io, async () => {
        const started = Date.now();
        const intent = intentOf(inputs);
        let meshConfig: Record<string, unknown>;
        try {
            meshConfig = meshConfigFor(inputs, intent.rootNamespace, userMesh);
        } catch (e) {
            io.err(`mesh: --mesh-config ${args.meshConfigFile}: ${(e as Error).message}`);
            return 2;
        }
        const tools = await toolPaths(["pilot-discovery", "xds-probe", "kubectl"], log);
        const kubeconfig = await clusterUp(log);
        const cluster = new ClusterObjects(tools.kubectl, kubeconfig, log);
        const probes = probesFor(intent);
        let probed: Probed[];
        let mark = Date.now();
        const lap = () => `${((-mark + (mark = Date.now())) / 1000).toFixed(1)} s`;
        try {
            cluster.create([...meshObjects(inputs.objects), ...probeDocs(probes)]);
            const ips = await cluster.podIps(probes);
            log(`the stack's objects and ${probes.length} probe pods in the cluster: ${lap()}`);
            const pilotDiscovery = tools["pilot-discovery"];
            const istiod = await startIstiod({ pilotDiscovery, kubeconfig, meshConfig, namespace: intent.rootNamespace });
            log(`istiod ready in ${(istiod.startMs / 1000).toFixed(1)} s`);
            try {
                probed = probes.map((p) => {
                    const spec = { ...p, ip: ips.get(`${p.pod}.${p.namespace}`)!, istioVersion: intent.istioVersion };
                    return { spec, snapshot: probeProxy(tools["xds-probe"], istiod.grpcAddr, spec) };
                });
            } finally {
                await istiod.stop();
            }
            log(`istiod started, ${probes.length} proxies probed, istiod stopped: ${lap()}`);
        } finally {
            cluster.removeCreated();
            log(`what the check created removed: ${lap()}`);
        }
        const v = verdict(args.stack, intent, meshConfig, probed);
        if (args.json) io.out(JSON.stringify(v.report, null, 2));
        else for (const line of formatTable(v)) io.out(line);
        for (const p of v.problems) io.err(`mesh: ${p}`);
        log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return v.problems.length ? 1 : 0;
    });
}

runWhenMain(module, "mesh", main);
