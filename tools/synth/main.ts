/**
 * npm run synth -- <stack> [--config-file FILE] [--out DIR] [--policy-pack DIR] [--policy-pack-config FILE]
 *
 * The offline plan of a stack, on the real engine (tools/synth/engine.ts: the toolchain's Pulumi CLI, language host
 * and Kubernetes provider, a throwaway local stack): `pulumi preview` with the policy pack gives the Helm releases
 * and the pack's verdict; an `up` with `renderYamlToDirectory` gives every object the stack applies, the chart's
 * own rendered by the provider. The objects are validated against upstream schemas.
 *
 * Exit codes: 0 clean (advisories allowed); 1 schema failure, mandatory violation or a failure to run; 2 invalid
 * stack config, arguments, an unusable --out directory or a policy config file policy:check refuses (judged before
 * the engine runs; nothing is written, and a previous run's files in the output directory are removed).
 */
import * as fs from "fs";
import * as path from "path";
import { configErrorMessage, engineDiagnostics, plannedReleases, plannedResources, policyVerdict } from "./engine-plan";
import { renderHelmReleases, renderManifests } from "./write-manifests";
import { PolicyConfigError, PolicyPackConfig, readPolicyPackConfig } from "../policy-check/pack-config";
import { reconcileConfig } from "../policy-check/analyzer";
import { checkPolicyPackConfig } from "../policy-check/pack-check";
import { validateAll } from "./schema-validation";
import { exitCode, formatSummary } from "./summary";
import { synthOnEngine } from "./engine";
import { judgeStackConfig, readProject, readStackConfig, StackFileError, StackKeysError } from "../stack-file";
import { ConfigError } from "../../components/config";
import { callerPath, CommandIO, PROCESS_IO, runWhenMain, shownPath as rel, ToolchainError } from "../../toolchain/kit/command";
import { PROJECT_DIR } from "../../toolchain/kit/paths";
import { parseStackCommand, UsageError } from "../../toolchain/kit/stack-name";
import { makeDirs, outDirProblem, removeFiles } from "./out-dir";
import { jaegerLabelDisagreements } from "./policy-agreement";
import { policies } from "../../policy-pack/policies";

const USAGE = "usage: npm run synth -- <stack> [--config-file FILE] [--out DIR] [--policy-pack DIR] [--policy-pack-config FILE]";
const HELP = `${USAGE}

Plans <stack> on the real Pulumi engine (the toolchain's CLI, language host and provider; a throwaway local
stack) with Pulumi.<stack>.yaml (or --config-file): pulumi preview with the policy pack (config:
--policy-pack-config, default policy-pack/config/<stack>.json), then the provider renders every object. Writes
<out>/manifests.yaml and <out>/helm-releases.yaml (--out, default out/<stack>) and validates the objects against
the upstream schemas.
Exit codes: 0 clean; 1 schema failure, mandatory policy violation or a failure to run; 2 invalid config or arguments.`;
/** What a run writes; a failed run removes them, so a previous run's plan is never taken for this one's. */
const OUTPUT_FILES = ["manifests.yaml", "helm-releases.yaml"] as const;

function parse(argv: string[]) {
    const options = { "config-file": { type: "string" }, out: { type: "string" }, "policy-pack": { type: "string" },
        "policy-pack-config": { type: "string" } } as const;
    const parsed = parseStackCommand(argv, options, readProject(PROJECT_DIR).name);
    if (parsed.help) return parsed;
    const v = parsed.values as Record<keyof typeof options, string | undefined>;
    return { help: false as const, stack: parsed.stack, ...v };
}

/** The whole command; resolves to the exit code. */
export async function main(argv: string[], io: CommandIO = PROCESS_IO): Promise<number> {
    const root = PROJECT_DIR;
    let args: Exclude<ReturnType<typeof parse>, { help: true }>;
    let policyConfig: PolicyPackConfig | undefined;
    let policyConfigSource = "pack defaults";
    let policyConfigFile: string | undefined;
    let reconciled = reconcileConfig(policies).config;
    try {
        const parsed = parse(argv);
        if (parsed.help) {
            io.out(HELP);
            return 0;
        }
        args = parsed;
        const packDir = args["policy-pack"] ? callerPath(args["policy-pack"]) : path.join(root, "policy-pack");
        const configFile = args["policy-pack-config"] ? callerPath(args["policy-pack-config"]) : path.join(packDir, "config", `${args.stack}.json`);
        if (args["policy-pack-config"] || fs.existsSync(configFile)) {
            policyConfig = readPolicyPackConfig(configFile, rel(configFile));
            // Judged as policy:check judges it, before the engine: the CLI would accept a misspelt policy name.
            reconciled = checkPolicyPackConfig(policies, policyConfig, rel(configFile));
            policyConfigSource = rel(configFile);
            policyConfigFile = configFile;
        }
        args = { ...args, "policy-pack": packDir };
    } catch (e) {
        if (e instanceof UsageError) {
            io.err(`${e.message}\n${USAGE}`);
            return 2;
        }
        if (e instanceof PolicyConfigError || (e as NodeJS.ErrnoException).code === "ENOENT") {
            io.err((e as Error).message);
            return 2;
        }
        throw e;
    }

    const outDir = args.out ? callerPath(args.out) : path.join(root, "out", args.stack);
    const outProblem = outDirProblem(outDir);
    if (outProblem) {
        io.err(`--out ${rel(outDir)}: ${outProblem}\nnothing written.`);
        return 2;
    }
    /** After a failed run: the previous run's files go, so nothing looks like this config's plan. */
    const failed = (message: string, code: number) => {
        const removed = removeFiles(outDir, OUTPUT_FILES);
        io.err(`${message}\nnothing written${removed.length ? `; removed the previous run's ${removed.map(rel).join(", ")}` : ""}.`);
        return code;
    };

    const project = readProject(root);
    const configFile = args["config-file"] ? callerPath(args["config-file"]) : path.join(root, `Pulumi.${args.stack}.yaml`);
    try {
        const stackConfig = readStackConfig(configFile, project);
        const environment = stackConfig.config[`${project.name}:environment`];
        if (args["config-file"] && environment !== undefined && environment !== args.stack) {
            io.err(`warning: ${rel(configFile)} sets ${project.name}:environment "${environment}" but the stack is "${args.stack}"; the policy config is chosen by stack name (${policyConfigSource}), so pass --policy-pack-config for the "${environment}" rules`);
        }
        // Judged before the engine runs: a bad config creates nothing in the embedded cluster.
        judgeStackConfig(stackConfig, project, args.stack);
    } catch (e) {
        if (e instanceof StackFileError || e instanceof StackKeysError || e instanceof ConfigError) return failed(e.message, 2);
        throw e;
    }

    let engine: Awaited<ReturnType<typeof synthOnEngine>>;
    try {
        engine = await synthOnEngine({
            project: project.name,
            stack: args.stack,
            configFile,
            packDir: args["policy-pack"]!,
            packConfigFile: policyConfig ? policyConfigFile : undefined,
            log: (line) => io.err(`[local] ${line}`),
        });
    } catch (e) {
        if (e instanceof ToolchainError) return failed(`the toolchain is not available: ${e.message}`, 1);
        throw e;
    }
    const { preview, render } = engine;
    for (const warning of engineDiagnostics(preview.events, "warning")) io.err(`warning: ${warning}`);
    const configError = configErrorMessage(preview.events);
    if (configError) return failed(configError, 2);
    if (!render) return failed(`${preview.command} failed (exit ${preview.code}):\n${engineDiagnostics(preview.events, "error").join("\n") || preview.output.slice(-4000)}`, 1);
    if (render.code !== 0) return failed(`${render.command} failed (exit ${render.code}):\n${render.output.slice(-4000)}`, 1);

    const resources = plannedResources(preview.stdout);
    const objects = { objects: render.objects, releases: plannedReleases(resources, root), unrendered: [] };
    const schema = await validateAll(objects.objects, objects.releases);

    makeDirs(outDir);
    const [manifestsFile, releasesFile] = OUTPUT_FILES.map((f) => path.join(outDir, f));
    fs.writeFileSync(manifestsFile, renderManifests(objects.objects));
    fs.writeFileSync(releasesFile, renderHelmReleases(objects.releases));
    const written = [
        { file: rel(manifestsFile), what: `${objects.objects.length} objects` },
        { file: rel(releasesFile), what: `${objects.releases.length} release(s)` },
    ];

    const policy = policyVerdict(preview.events);
    for (const line of jaegerLabelDisagreements(resources, reconciled, policyConfigSource)) io.err(`warning: ${line}`);

    const title = `synth ${project.name}/${args.stack} (config: ${rel(configFile)}; engine: preview ${preview.seconds.toFixed(1)} s, render ${render.seconds.toFixed(1)} s)`;
    io.out(formatSummary({ title, registered: resources.length, stackObjects: objects, schema, policy, policyConfigSource, written }).replace(/\n$/, ""));
    return exitCode({ schema, policy });
}

runWhenMain(module, "synth", main);
