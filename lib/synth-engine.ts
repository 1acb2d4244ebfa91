/**
 * The real engine behind `npm run synth`: the Pulumi CLI, our language host and the Kubernetes provider from the
 * toolchain, run by toolchain/local.ts in a throwaway state directory (a fresh file backend per run, removed after),
 * so a plan never depends on, or changes, any other local stack.
 *
 * Two runs of the stack's own name (so the program and its messages see the real stack name), each with
 * `--config-file` pointing at a copy of the given stack file:
 * 1. `pulumi preview --json --event-log` with the policy pack and its config: the plan as the engine sees it (the
 *    Helm releases' inputs), the pack's verdict, or the program's error.
 * 2. `pulumi up` of the same config with `kubernetes.renderYamlToDirectory` set: the provider writes every object,
 *    the chart's own rendered by the provider from the same chart (helm.v4.Chart), and touches no cluster. The pack
 *    runs here with every policy disabled: its verdict is the preview's, on the stack that is really deployed.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { runLocal } from "../toolchain/local";
import { EngineEvent, readEventLog, renderedObjects } from "./engine-plan";
import type { KubeObject } from "./manifests";
import { SECRET_PLACEHOLDER } from "./stack-file";

export interface EngineSynthOptions {
    project: string;
    stack: string;
    /** The stack file to plan (Pulumi.<stack>.yaml or --config-file). */
    configFile: string;
    packDir: string;
    packConfigFile?: string;
    log: (line: string) => void;
}

export interface EngineStep {
    command: string;
    code: number;
    seconds: number;
    stdout: string;
    /** stdout and stderr, for messages. */
    output: string;
}

export interface EngineSynth {
    preview: EngineStep & { events: EngineEvent[] };
    /** Absent when the preview failed for another reason than the pack's verdict. */
    render?: EngineStep & { objects: KubeObject[] };
}

/** The YAML of a stack file, its `secure:` values (encrypted for another stack's secrets provider) made plain keys. */
function planConfig(file: string): { doc: Record<string, any>; secureKeys: string[] } {
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    const config: Record<string, unknown> = { ...(doc.config ?? {}) };
    const secureKeys = Object.keys(config).filter((k) => config[k] && typeof config[k] === "object" && "secure" in (config[k] as object));
    for (const k of secureKeys) delete config[k];
    return { doc: { config }, secureKeys };
}

/** Runs both steps; the state directory is removed whatever happens. */
export async function synthOnEngine(options: EngineSynthOptions): Promise<EngineSynth> {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "eco2-synth-"));
    try {
        return await steps(state, options);
    } finally {
        fs.rmSync(state, { recursive: true, force: true });
    }
}

async function steps(state: string, o: EngineSynthOptions): Promise<EngineSynth> {
    const local = (args: string[], env: NodeJS.ProcessEnv = {}) => runLocal(args, { dir: state, capture: true, log: o.log, env: { PULUMI_DEBUG_COMMANDS: "true", ...env } });
    const step = async (args: string[], env?: NodeJS.ProcessEnv): Promise<EngineStep> => {
        const started = Date.now();
        const r = await local(args, env);
        return { command: `pulumi ${args.join(" ")}`, code: r.code, seconds: (Date.now() - started) / 1000, stdout: r.stdout, output: `${r.stdout}\n${r.stderr}` };
    };

    // Creates the stack and its workspace copy: the passphrase salt and the local chart path come from there.
    const init = await step(["stack", "select", "--create", "-s", o.stack]);
    if (init.code !== 0) throw new Error(`${init.command} exited ${init.code}:\n${init.output}`);
    const workspaceCopy = YAML.parse(fs.readFileSync(path.join(state, "workspaces", o.project, `Pulumi.${o.stack}.yaml`), "utf8")) ?? {};
    const { doc, secureKeys } = planConfig(o.configFile);
    const jaegerKey = `${o.project}:jaeger`;
    const localChart = workspaceCopy.config?.[jaegerKey]?.chart?.path;
    const jaeger = doc.config[jaegerKey];
    if (localChart && (jaeger === undefined || (jaeger && typeof jaeger === "object" && !Array.isArray(jaeger))) && !jaeger?.chart?.path) {
        doc.config[jaegerKey] = { ...(jaeger ?? {}), chart: { ...(jaeger?.chart ?? {}), path: localChart } };
    }
    const planFile = path.join(state, "plan.yaml");
    fs.writeFileSync(planFile, YAML.stringify({ encryptionsalt: workspaceCopy.encryptionsalt, ...doc }));
    // Secret keys stay secrets, with a placeholder value: the real ones cannot be decrypted here.
    for (const key of secureKeys) {
        const set = await step(["config", "set", "--secret", "--config-file", planFile, "-s", o.stack, key, SECRET_PLACEHOLDER]);
        if (set.code !== 0) throw new Error(`${set.command} exited ${set.code}:\n${set.output}`);
    }

    const pack = ["--policy-pack", o.packDir, ...(o.packConfigFile ? ["--policy-pack-config", o.packConfigFile] : [])];
    const previewLog = path.join(state, "preview-events.jsonl");
    const preview = await step(["preview", "-s", o.stack, "--json", "--config-file", planFile, "--event-log", previewLog, ...pack]);
    const previewEvents = readEventLog(previewLog);
    const result: EngineSynth = { preview: { ...preview, events: previewEvents } };
    if (preview.code !== 0 && !previewEvents.some((e) => e.policyEvent?.enforcementLevel === "mandatory")) return result;

    const dir = path.join(state, "rendered");
    const renderDoc = YAML.parse(fs.readFileSync(planFile, "utf8"));
    const kubernetesKey = `${o.project}:kubernetes`;
    renderDoc.config[kubernetesKey] = { ...(renderDoc.config[kubernetesKey] ?? {}), renderYamlToDirectory: dir };
    const renderFile = path.join(state, "render.yaml");
    fs.writeFileSync(renderFile, YAML.stringify(renderDoc));
    const offConfig = path.join(state, "pack-off.json");
    fs.writeFileSync(offConfig, JSON.stringify({ all: "disabled" }));
    const renderLog = path.join(state, "render-events.jsonl");
    // A rendering provider refuses a kubeconfig, and the CLI hands it the embedded cluster's through KUBECONFIG.
    const render = await step(
        ["up", "-s", o.stack, "--yes", "--skip-preview", "--config-file", renderFile, "--event-log", renderLog, "--policy-pack", o.packDir, "--policy-pack-config", offConfig],
        { KUBECONFIG: "" },
    );
    return { ...result, render: { ...render, objects: renderedObjects(dir, readEventLog(renderLog)) } };
}
