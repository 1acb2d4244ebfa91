/**
 * The real engine behind `npm run synth`: the Pulumi CLI, our language host and the Kubernetes provider from the
 * toolchain, run by toolchain/local/local.ts in a throwaway state directory (a fresh file backend per run, removed after),
 * so a plan never depends on, or changes, any other local stack.
 *
 * The runner takes a stack's config from `<project dir>/Pulumi.<stack>.yaml`; to plan any stack file under the
 * stack's own name (the program and its messages see the real name), synth hands it a project directory of its own
 * in the state directory: this project's Pulumi.yaml with `main` pointing back here, and a copy of the stack file.
 * Two CLI runs:
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
import { runLocal } from "../../toolchain/local/local";
import { useSharedChart } from "../../toolchain/local/workspace";
import { PROJECT_DIR } from "../../toolchain/kit/paths";
import { EngineEvent, readEventLog, renderedObjects } from "./engine-plan";
import type { KubeObject } from "./write-manifests";
import { parseKeepingNumbers, SECRET_PLACEHOLDER } from "../stack-file";
import { stackFileKeys } from "../stack-keys";

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

/**
 * The stack file's config for the plan: numbers JSON cannot hold kept as written (the CLI cannot pass them on, the
 * config module reports them with their range); `secure:` values (encrypted for another stack's secrets provider)
 * left out, to be set again as secrets with a placeholder; the chart archive beside the clone used as the runner
 * uses it for this project, since no chart repository is reachable here. Keys are full (tools/stack-keys.ts).
 */
function planConfig(file: string, project: string): { config: Record<string, any>; secureKeys: string[] } {
    // Full keys (`jaeger` is `${project}:jaeger`), so the chart path goes under the user's own section, never beside it.
    const config: Record<string, any> = stackFileKeys(file, project, parseKeepingNumbers(fs.readFileSync(file, "utf8")) ?? {});
    const secureKeys = Object.keys(config).filter((k) => config[k] && typeof config[k] === "object" && "secure" in config[k]);
    for (const k of secureKeys) delete config[k];
    useSharedChart(project, config);
    return { config, secureKeys };
}

/** State directories of runs not yet finished, for the interrupt handler. */
const running = new Set<string>();
let handling = false;

/**
 * An interrupt (Ctrl-C reaches the whole process group, the CLI too) removes every run's state and exits as
 * interrupted. With a handler, Node waits for the CLI call in progress to return; each step yields afterwards so
 * the handler runs then, not after the remaining steps. Installed once: signal listeners keep nothing alive.
 */
function removeStateOnInterrupt(): void {
    if (handling) return;
    handling = true;
    const interrupted = (signal: NodeJS.Signals) => {
        for (const dir of running) fs.rmSync(dir, { recursive: true, force: true });
        process.exit(128 + os.constants.signals[signal]);
    };
    process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
}

/** Runs both steps; the state directory is removed whatever happens, an interrupt too. */
export async function synthOnEngine(options: EngineSynthOptions): Promise<EngineSynth> {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "eco2-synth-"));
    running.add(state);
    removeStateOnInterrupt();
    try {
        return await steps(state, options);
    } finally {
        fs.rmSync(state, { recursive: true, force: true });
        running.delete(state);
    }
}

async function steps(state: string, o: EngineSynthOptions): Promise<EngineSynth> {
    const projectDir = path.join(state, "project");
    fs.mkdirSync(projectDir);
    const project = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
    fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), YAML.stringify({ ...project, main: PROJECT_DIR }));
    const stackFile = path.join(projectDir, `Pulumi.${o.stack}.yaml`);
    const writeConfig = (config: Record<string, unknown>) => fs.writeFileSync(stackFile, YAML.stringify({ config }));

    const step = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<EngineStep> => {
        const started = Date.now();
        const r = await runLocal(args, { dir: state, projectDir, capture: true, log: o.log, env: { PULUMI_DEBUG_COMMANDS: "true", ...env } });
        // A turn of the event loop: a signal that arrived during the CLI call is handled now.
        await new Promise((resolve) => setImmediate(resolve));
        return { command: `pulumi ${args.join(" ")}`, code: r.code, seconds: (Date.now() - started) / 1000, stdout: r.stdout, output: `${r.stdout}\n${r.stderr}` };
    };

    const { config, secureKeys } = planConfig(o.configFile, o.project);
    writeConfig(config);
    // Secret keys stay secrets, with a placeholder value: the real ones cannot be decrypted here.
    for (const key of secureKeys) {
        const set = await step(["config", "set", "--secret", "-s", o.stack, key, SECRET_PLACEHOLDER]);
        if (set.code !== 0) throw new Error(`${set.command} exited ${set.code}:\n${set.output}`);
    }

    const previewLog = path.join(state, "preview-events.jsonl");
    const pack = ["--policy-pack", o.packDir, ...(o.packConfigFile ? ["--policy-pack-config", o.packConfigFile] : [])];
    const preview = await step(["preview", "-s", o.stack, "--json", "--event-log", previewLog, ...pack]);
    const previewEvents = readEventLog(previewLog);
    const result: EngineSynth = { preview: { ...preview, events: previewEvents } };
    if (preview.code !== 0 && !previewEvents.some((e) => e.policyEvent?.enforcementLevel === "mandatory")) return result;

    const dir = path.join(state, "rendered");
    const kubernetesKey = `${o.project}:kubernetes`;
    writeConfig({ ...config, [kubernetesKey]: { ...(config[kubernetesKey] ?? {}), renderYamlToDirectory: dir } });
    const offConfig = path.join(state, "pack-off.json");
    fs.writeFileSync(offConfig, JSON.stringify({ all: "disabled" }));
    const renderLog = path.join(state, "render-events.jsonl");
    // A rendering provider refuses a kubeconfig, and the CLI hands it the embedded cluster's through KUBECONFIG.
    const render = await step(
        ["up", "-s", o.stack, "--yes", "--skip-preview", "--event-log", renderLog, "--policy-pack", o.packDir, "--policy-pack-config", offConfig],
        { KUBECONFIG: "" },
    );
    return { ...result, render: { ...render, objects: renderedObjects(dir, readEventLog(renderLog)) } };
}
