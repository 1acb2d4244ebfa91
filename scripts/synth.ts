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
 * arguments or an unreadable/malformed policy config file (nothing is written).
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
import { runProgramForSynth, StackFileError } from "../lib/synth-run";

const USAGE = "usage: npm run synth -- <stack> [--config-file FILE] [--out DIR] [--policy-pack DIR] [--policy-pack-config FILE]";

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
            },
        });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    const [stack, ...extra] = parsed.positionals;
    if (!stack || extra.length) throw new UsageError(stack ? `unexpected arguments: ${extra.join(" ")}` : "missing <stack>");
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`invalid stack name "${stack}"`);
    return { stack, ...parsed.values };
}

/** Paths as the user would type them: relative below the working directory, absolute elsewhere. */
const rel = (file: string) => {
    const r = path.relative(process.cwd(), file);
    return r === "" ? "." : r.startsWith("..") || path.isAbsolute(r) ? file : r;
};

async function main(argv: string[]): Promise<number> {
    const root = projectRoot();
    let args: ReturnType<typeof parse>;
    let policyConfig: PolicyPackConfig | undefined;
    let policyConfigSource = "pack defaults";
    try {
        args = parse(argv);
        const packDir = path.resolve(args["policy-pack"] ?? path.join(root, "policy-pack"));
        const configFile = args["policy-pack-config"] ?? path.join(packDir, "config", `${args.stack}.json`);
        if (args["policy-pack-config"] || fs.existsSync(configFile)) {
            policyConfig = readPolicyPackConfig(configFile);
            policyConfigSource = rel(configFile);
        }
        args = { ...args, "policy-pack": packDir };
    } catch (e) {
        if (e instanceof UsageError) {
            process.stderr.write(`${e.message}\n${USAGE}\n`);
            return 2;
        }
        if (e instanceof PolicyConfigError || (e as NodeJS.ErrnoException).code === "ENOENT") {
            process.stderr.write(`${(e as Error).message}\n`);
            return 2;
        }
        throw e;
    }

    const configFile = args["config-file"] ? path.resolve(args["config-file"]) : undefined;
    let run: Awaited<ReturnType<typeof runProgramForSynth>>;
    try {
        run = await runProgramForSynth({ root, stack: args.stack, configFile });
    } catch (e) {
        if (e instanceof StackFileError || (e instanceof ProgramError && e.cause instanceof ConfigError)) {
            process.stderr.write(`${e instanceof ProgramError ? (e.cause as Error).message : e.message}\nnothing written.\n`);
            return 2;
        }
        if (e instanceof ProgramError) {
            process.stderr.write(`the program failed: ${e.cause instanceof Error ? e.cause.stack ?? e.cause.message : String(e.cause)}\n`);
            return 1;
        }
        throw e;
    }

    const objects = stackObjects(run.resources);
    const schema = await validateAll(objects.objects, objects.releases);

    const outDir = path.resolve(args.out ?? path.join(root, "out", args.stack));
    fs.mkdirSync(outDir, { recursive: true });
    const manifestsFile = path.join(outDir, "manifests.yaml");
    const releasesFile = path.join(outDir, "helm-releases.yaml");
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

    const title = `synth ${run.project.name}/${args.stack} (config: ${rel(configFile ?? path.join(root, `Pulumi.${args.stack}.yaml`))})`;
    process.stdout.write(formatSummary({ title, resources: run.resources, stackObjects: objects, schema, policy, policyConfigSource, written }));
    return exitCode({ schema, policy });
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
        process.stderr.write(`synth failed: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
    },
);
