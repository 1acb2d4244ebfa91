/**
 * npm run synth -- <stack> [--config-file FILE] [--out DIR] [--policy-pack DIR] [--policy-pack-config FILE]
 *
 * The offline plan of a stack: runs the real program under the mock runtime, writes every Kubernetes object it
 * declares (manifests.yaml) and every Helm install (helm-releases.yaml), validates them against upstream schemas,
 * and runs the policy pack over the same resources through the analyzer gRPC protocol, as `pulumi preview
 * --policy-pack` would.
 *
 * Exit codes: 0 clean (advisories allowed); 1 schema failure, mandatory violation or a failure to run (including a
 * policy config the pack's own schemas reject, which only the running pack can tell); 2 invalid stack config,
 * arguments, an unusable --out directory or an unreadable/malformed policy config file (nothing is written, and a
 * previous run's files in the output directory are removed).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { ConfigError } from "../lib/config";
import { ProgramError } from "../lib/mock-runtime";
import { renderHelmReleases, renderManifests, stackObjects } from "../lib/manifests";
import { PolicyConfigError, PolicyPackConfig, readPolicyPackConfig } from "../lib/policy-config";
import { runPolicyPack } from "../lib/policy-gate";
import { validateAll } from "../lib/schema-validation";
import { exitCode, formatSummary } from "../lib/synth-summary";
import { readProject, readStackConfig, runProgramForSynth, StackFileError } from "../lib/synth-run";
import { CommandIO, PROCESS_IO } from "../lib/cli-io";
import { makeDirs, outDirProblem, removeFiles } from "../lib/out-dir";
import { jaegerLabelDisagreements } from "../lib/policy-agreement";

const USAGE = "usage: npm run synth -- <stack> [--config-file FILE] [--out DIR] [--policy-pack DIR] [--policy-pack-config FILE]";
const HELP = `${USAGE}

Runs the program for <stack> under the mock runtime with Pulumi.<stack>.yaml (or --config-file), writes
<out>/manifests.yaml and <out>/helm-releases.yaml (--out, default out/<stack>), validates them against the upstream
schemas and runs the policy pack (config: --policy-pack-config, default policy-pack/config/<stack>.json).
Exit codes: 0 clean; 1 schema failure, mandatory policy violation or a failure to run; 2 invalid config or arguments.`;
/** What a run writes; a failed run removes them, so a previous run's plan is never taken for this one's. */
const OUTPUT_FILES = ["manifests.yaml", "helm-releases.yaml"] as const;

/** The project root: the directory holding Pulumi.yaml above this script (bin/scripts or scripts). */
function projectRoot(): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${__dirname}`);
    }
}

class UsageError extends Error {}

function parse(argv: string[]) {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            options: {
                "config-file": { type: "string" },
                out: { type: "string" },
                "policy-pack": { type: "string" },
                "policy-pack-config": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    if (parsed.values.help) return { help: true as const };
    const [stack, ...extra] = parsed.positionals;
    if (!stack || extra.length) throw new UsageError(stack ? `unexpected arguments: ${extra.join(" ")}` : "missing <stack>");
    // A stack name is also a path component (out/<stack>, Pulumi.<stack>.yaml): "." and ".." would leave out/.
    if (!/^[A-Za-z0-9_.-]+$/.test(stack) || stack === "." || stack === "..") {
        throw new UsageError(`invalid stack name "${stack}"; allowed: letters, digits, '-', '_' and '.', not "." or ".."`);
    }
    return { help: false as const, stack, ...parsed.values };
}

/** Paths as the user would type them: relative below the working directory, absolute elsewhere. */
const rel = (file: string) => {
    const r = path.relative(process.cwd(), file);
    return r === "" ? "." : r.startsWith("..") || path.isAbsolute(r) ? file : r;
};

/** The whole command; resolves to the exit code. */
export async function synth(argv: string[], io: CommandIO = PROCESS_IO): Promise<number> {
    const root = projectRoot();
    let args: Exclude<ReturnType<typeof parse>, { help: true }>;
    let policyConfig: PolicyPackConfig | undefined;
    let policyConfigSource = "pack defaults";
    try {
        const parsed = parse(argv);
        if (parsed.help) {
            io.out(HELP);
            return 0;
        }
        args = parsed;
        const packDir = path.resolve(args["policy-pack"] ?? path.join(root, "policy-pack"));
        const configFile = args["policy-pack-config"] ?? path.join(packDir, "config", `${args.stack}.json`);
        if (args["policy-pack-config"] || fs.existsSync(configFile)) {
            policyConfig = readPolicyPackConfig(configFile);
            policyConfigSource = rel(configFile);
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

    const outDir = path.resolve(args.out ?? path.join(root, "out", args.stack));
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
    const configFile = args["config-file"] ? path.resolve(args["config-file"]) : path.join(root, `Pulumi.${args.stack}.yaml`);
    let run: Awaited<ReturnType<typeof runProgramForSynth>>;
    try {
        const stackConfig = readStackConfig(configFile, project);
        const environment = stackConfig.config[`${project.name}:environment`];
        if (args["config-file"] && environment !== undefined && environment !== args.stack) {
            io.err(`warning: ${rel(configFile)} sets ${project.name}:environment "${environment}" but the stack is "${args.stack}"; the policy config is chosen by stack name (${policyConfigSource}), so pass --policy-pack-config for the "${environment}" rules`);
        }
        run = await runProgramForSynth({ root, stack: args.stack, configFile, stackConfig });
    } catch (e) {
        if (e instanceof StackFileError || (e instanceof ProgramError && e.cause instanceof ConfigError)) {
            return failed(e instanceof ProgramError ? (e.cause as Error).message : e.message, 2);
        }
        if (e instanceof ProgramError) {
            return failed(`the program failed: ${e.cause instanceof Error ? e.cause.stack ?? e.cause.message : String(e.cause)}`, 1);
        }
        throw e;
    }

    const objects = stackObjects(run.resources);
    const schema = await validateAll(objects.objects, objects.releases);

    makeDirs(outDir);
    const [manifestsFile, releasesFile] = OUTPUT_FILES.map((f) => path.join(outDir, f));
    fs.writeFileSync(manifestsFile, renderManifests(objects.objects));
    fs.writeFileSync(releasesFile, renderHelmReleases(objects.releases));
    const written = [
        { file: rel(manifestsFile), what: `${objects.objects.length} objects` },
        { file: rel(releasesFile), what: `${objects.releases.length} release(s)` },
    ];

    const policy = await runPolicyPack({
        packDir: args["policy-pack"]!,
        project: run.project,
        stack: args.stack,
        config: run.config,
        secretKeys: run.secretKeys,
        policyConfig,
        resources: run.resources,
    });

    for (const line of jaegerLabelDisagreements(run.resources, policy.config, policyConfigSource)) io.err(`warning: ${line}`);

    const title = `synth ${run.project.name}/${args.stack} (config: ${rel(configFile)})`;
    io.out(formatSummary({ title, resources: run.resources, stackObjects: objects, schema, policy, policyConfigSource, written }).replace(/\n$/, ""));
    return exitCode({ schema, policy });
}

if (require.main === module) {
    synth(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            process.stderr.write(`synth failed: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exit(1);
        },
    );
}
