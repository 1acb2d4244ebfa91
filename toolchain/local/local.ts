/**
 * The real Pulumi CLI wired to the embedded cluster, with local state only: a file backend under the cache (never
 * the Pulumi Cloud) and a fixed passphrase that protects nothing, since these stacks are for this machine only. The
 * CLI runs in a workspace under the cache (workspace.ts), so the committed stack files are never written.
 */
import * as fs from "fs";
import * as path from "path";
import { clusterId, clusterUp } from "../cluster/cluster";
import { run } from "../kit/exec";
import { providePlatform, referencedByStack } from "./platform";
import { writeWorkspace } from "./workspace";
import { cacheDir, PROJECT_DIR } from "../kit/paths";
import { stackNames } from "./stack-defaults";
import { toolPaths } from "../build/tools";
import { ToolchainError } from "../kit/command";
import { shortStackName } from "../kit/stack-name";
import { checkStackConfig, readProject, readStackConfig } from "../../tools/stack-file";
import { PROJECT } from "../../components/config";

/** Protects nothing; it only lets the CLI encrypt local stacks without asking. */
const LOCAL_PASSPHRASE = "eco2-local-only";
const PACK_DIR = path.join(PROJECT_DIR, "policy-pack");
/** Commands that take the policy pack (unless the caller passes one) and need the platform's objects. */
const PACK_COMMANDS = new Set(["preview", "up", "update"]);
/** Pulumi flags that take a value, so the value is not mistaken for the command. */
const VALUE_FLAGS = new Set(["-s", "--stack", "-C", "--cwd", "-c", "--config", "-m", "--message", "-p", "--parallel", "-t", "--target"]);

export interface LocalOptions {
    /** Where state and the workspaces live; default `<cache>/local` (ECO2_LOCAL_DIR). */
    dir?: string;
    /** The project to run; default this one (tests run an app team's project with this pack). */
    projectDir?: string;
    /** Extra environment, e.g. for tests. */
    env?: NodeJS.ProcessEnv;
    log?: (line: string) => void;
    /** Capture output instead of inheriting the terminal. */
    capture?: boolean;
    /** Default true: stand in for the platform (platform.ts) first; false for a test that sets the cluster up itself. */
    platform?: boolean;
}

export interface LocalRun {
    code: number;
    stdout: string;
    stderr: string;
}

const localDir = (opts: LocalOptions) => path.resolve(opts.dir ?? process.env.ECO2_LOCAL_DIR ?? path.join(cacheDir(), "local"));

/** The stack and the command a pulumi command line names; the CLI itself is the judge of everything else. */
export function parsePulumiArgs(args: readonly string[]): { stack?: string; command?: string } {
    let stack: string | undefined;
    let command: string | undefined;
    for (let i = 0; i < args.length; i++) {
        const [flag, value] = args[i].split(/=(.*)/s);
        if (flag === "-s" || flag === "--stack") stack = value ?? args[i + 1];
        if (VALUE_FLAGS.has(flag) && value === undefined) i++;
        else if (!args[i].startsWith("-")) command ??= args[i];
    }
    return { stack, command };
}

function ensurePackDependencies(log: (line: string) => void): void {
    // npm's own record of what it installed; a lockfile changed since then installs again.
    const installed = path.join(PACK_DIR, "node_modules", ".package-lock.json");
    const lock = path.join(PACK_DIR, "package-lock.json");
    if (fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs) return;
    log("installing the policy pack's dependencies (npm ci in policy-pack/)");
    if (run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: PACK_DIR, inherit: true }).code !== 0) {
        throw new ToolchainError("npm ci in policy-pack/ failed");
    }
}

/** Local stacks describe one cluster: when it was created anew, their state is reset rather than trusted. */
async function resetStateOnNewCluster(dir: string, log: (line: string) => void): Promise<void> {
    const id = await clusterId();
    const file = path.join(dir, "cluster-id");
    const known = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    if (known !== undefined && known !== id && fs.existsSync(path.join(dir, "backend"))) {
        log("the embedded cluster was created anew since the last run: resetting the local stacks' state");
        fs.rmSync(path.join(dir, "backend"), { recursive: true, force: true });
    }
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, id);
}

/** The CLI's environment: the toolchain first on PATH, a file backend and home under `dir`, the embedded cluster. */
/** The pack and, when the pack has one for this stack, its per-stack config. */
export function packArgs(stack: string): string[] {
    const packConfig = path.join(PACK_DIR, "config", `${stack}.json`);
    return ["--policy-pack", PACK_DIR, ...(fs.existsSync(packConfig) ? ["--policy-pack-config", packConfig] : [])];
}

export function localEnv(tools: Record<string, string>, kubeconfig: string, dir: string): NodeJS.ProcessEnv {
    const backend = path.join(dir, "backend");
    fs.mkdirSync(backend, { recursive: true });
    return {
        ...process.env,
        PATH: [...new Set(Object.values(tools).map(path.dirname)), process.env.PATH].join(path.delimiter),
        PULUMI_HOME: path.join(dir, "home"),
        PULUMI_BACKEND_URL: `file://${backend}`,
        PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        KUBECONFIG: kubeconfig,
    };
}

/**
 * What the command (main.ts) judges before runLocal builds, starts or creates anything: the stack's name (its short
 * form replaces a qualified `org/project/stack`), its stack file, and for a plan or deploy of this project its
 * config, so a bad one creates nothing (no cluster, no platform namespaces, no local stack). Throws StackNameError,
 * StackFileError, StackKeysError or ConfigError.
 */
export function judgeStack(args: string[], stack: string, projectDir: string, command: string | undefined): string[] {
    const project = readProject(projectDir);
    const short = shortStackName(stack, project.name);
    const file = path.join(projectDir, `Pulumi.${short}.yaml`);
    if (command && PACK_COMMANDS.has(command) && project.name === PROJECT) checkStackConfig(file, project, short);
    else readStackConfig(file, project);
    return args.map((a, i) => {
        if (a === `--stack=${stack}` || a === `-s=${stack}`) return `${a.split("=")[0]}=${short}`;
        return a === stack && (args[i - 1] === "-s" || args[i - 1] === "--stack") ? short : a;
    });
}

/** Runs `pulumi <args>` against the embedded cluster; builds the toolchain and starts the cluster when needed. */
export async function runLocal(args: string[], opts: LocalOptions = {}): Promise<LocalRun> {
    const log = opts.log ?? ((line: string) => process.stderr.write(`[local] ${line}\n`));
    if (args.some((a) => a.split("=")[0] === "--config-file")) {
        // The CLI would write an encryptionsalt into that file, which may be a committed one.
        throw new ToolchainError("--config-file is not supported here: the stack file is the workspace copy of Pulumi.<stack>.yaml");
    }
    const { stack, command } = parsePulumiArgs(args);
    const tools = await toolPaths(["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes", "kubectl"], log);
    const kubeconfig = await clusterUp(log);
    const dir = localDir(opts);
    await resetStateOnNewCluster(dir, log);
    const ws = writeWorkspace(dir, opts.projectDir ?? PROJECT_DIR, stack ?? "dev", tools);
    const env = { ...localEnv(tools, kubeconfig, dir), ...opts.env };
    const pulumi = (argv: string[], inherit = false) => run(tools.pulumi, argv, { cwd: ws.dir, env, inherit });
    const known = () => {
        const stacks = pulumi(["stack", "ls", "--json"]);
        return stacks.code === 0 && JSON.parse(stacks.stdout || "[]").some((s: { name: string }) => s.name === stack);
    };
    if (stack && !known()) {
        log(`initialising local stack ${stack} from Pulumi.${stack}.yaml`);
        const init = pulumi(["stack", "init", stack]);
        // Another command initialised it meanwhile: go on, and the CLI's own stack lock says who holds it.
        if (init.code !== 0 && !known()) {
            log(`pulumi stack init ${stack} failed (exit ${init.code}):\n${init.stderr.trim() || init.stdout.trim()}`);
            return init;
        }
    }
    const extra: string[] = [];
    if (command && PACK_COMMANDS.has(command) && stack) {
        if (opts.platform ?? true) providePlatform(tools.kubectl, kubeconfig, referencedByStack(stackNames(ws.project, ws.config)), log);
        if (!args.some((a) => a.startsWith("--policy-pack"))) {
            ensurePackDependencies(log);
            extra.push(...packArgs(stack));
        }
    }
    return pulumi([...args, ...extra], !(opts.capture ?? false));
}
