/**
 * The real Pulumi CLI wired to the embedded cluster, with local state only.
 *
 * The CLI runs in a workspace under the cache whose Pulumi.yaml points `main` at this project and names the
 * toolchain's language host and provider as its plugins; its stack files are copies of the committed ones. So
 * `stack init` writes its `encryptionsalt` there, never into Pulumi.<stack>.yaml in the clone. The committed stack
 * file stays the source of truth: on every run its keys replace the copy's, while keys only the copy has (a
 * `config set --secret` made locally) and the salt stay. State is a file backend under the cache (never the Pulumi
 * Cloud) and secrets use a fixed passphrase that protects nothing: these stacks are for this machine only.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { clusterUp } from "./cluster";
import { providePlatform, referencedByStack } from "./local-platform";
import { cacheDir, PROJECT_DIR } from "./paths";
import { toolPaths } from "./tools";

/** Protects nothing; it only lets the CLI encrypt local stacks without asking. */
export const LOCAL_PASSPHRASE = "eco2-local-only";
const PACK_DIR = path.join(PROJECT_DIR, "policy-pack");
/** Commands that take the policy pack (and where the pack is passed unless the caller passes one). */
const PACK_COMMANDS = new Set(["preview", "up", "update"]);

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
}

export interface LocalRun {
    code: number;
    stdout: string;
    stderr: string;
}

const localDir = (opts: LocalOptions) => opts.dir ?? process.env.ECO2_LOCAL_DIR ?? path.join(cacheDir(), "local");

/** The stack a pulumi command line names (-s/--stack); the CLI itself is the judge of everything else. */
export function stackArg(args: readonly string[]): string | undefined {
    for (let i = 0; i < args.length; i++) {
        const m = /^(?:-s|--stack)(?:=(.*))?$/.exec(args[i]);
        if (m) return m[1] ?? args[i + 1];
    }
    return undefined;
}

/** The committed chart archive beside the clone, used when the stack does not name a chart path itself. */
function localChart(): string | undefined {
    const file = path.resolve(PROJECT_DIR, "..", "shared", "charts", "jaeger-4.11.1.tgz");
    return fs.existsSync(file) ? file : undefined;
}

/**
 * Writes the workspace of a project: Pulumi.yaml pointing at it, and the stack file merged as described above (a
 * stack without a committed file keeps the copy it has).
 */
export function writeWorkspace(dir: string, projectDir: string, stack: string, tools: Record<string, string>): string {
    const project = YAML.parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
    const ws = path.join(dir, "workspaces", project.name);
    fs.mkdirSync(ws, { recursive: true });
    project.main = path.relative(ws, projectDir) || ".";
    project.plugins = {
        languages: [{ name: "nodejs", path: path.dirname(tools["pulumi-language-nodejs"]) }],
        providers: [{ name: "kubernetes", path: path.dirname(tools["pulumi-resource-kubernetes"]) }],
    };
    fs.writeFileSync(path.join(ws, "Pulumi.yaml"), YAML.stringify(project));

    const committed = path.join(projectDir, `Pulumi.${stack}.yaml`);
    const copy = path.join(ws, `Pulumi.${stack}.yaml`);
    const source = fs.existsSync(committed) ? YAML.parse(fs.readFileSync(committed, "utf8")) ?? {} : {};
    const local = fs.existsSync(copy) ? YAML.parse(fs.readFileSync(copy, "utf8")) ?? {} : {};
    const config = { ...(local.config ?? {}), ...(source.config ?? {}) };
    const chart = localChart();
    const jaegerKey = `${project.name}:jaeger`;
    if (chart && projectDir === PROJECT_DIR && !config[jaegerKey]?.chart?.path) {
        // No chart repository is reachable here; the real archive is (the README says so).
        config[jaegerKey] = { ...(config[jaegerKey] ?? {}), chart: { ...(config[jaegerKey]?.chart ?? {}), path: chart } };
    }
    const salt = local.encryptionsalt ? { encryptionsalt: local.encryptionsalt } : {};
    fs.writeFileSync(copy, YAML.stringify({ ...local, ...source, ...salt, config }));
    return ws;
}

function ensurePackDependencies(log: (line: string) => void): void {
    if (fs.existsSync(path.join(PACK_DIR, "node_modules", "@pulumi", "policy"))) return;
    log("installing the policy pack's dependencies (npm ci in policy-pack/)");
    const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: PACK_DIR, stdio: "inherit" });
    if (r.status !== 0) throw new Error("npm ci in policy-pack/ failed");
}

/** Runs `pulumi <args>` against the embedded cluster; builds the toolchain and starts the cluster when needed. */
export async function runLocal(args: string[], opts: LocalOptions = {}): Promise<LocalRun> {
    const log = opts.log ?? ((line: string) => process.stderr.write(`[local] ${line}\n`));
    const tools = await toolPaths(["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes", "kubectl"], log);
    const kubeconfig = await clusterUp(log);
    const dir = localDir(opts);
    const stack = stackArg(args);
    const ws = writeWorkspace(dir, opts.projectDir ?? PROJECT_DIR, stack ?? "dev", tools);
    const backend = path.join(dir, "backend");
    fs.mkdirSync(backend, { recursive: true });
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: [...new Set(Object.values(tools).map(path.dirname)), process.env.PATH].join(path.delimiter),
        PULUMI_HOME: path.join(dir, "home"),
        PULUMI_BACKEND_URL: `file://${backend}`,
        PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        KUBECONFIG: kubeconfig,
        ...opts.env,
    };
    const pulumi = (argv: string[], capture = true) => {
        const r = spawnSync(tools.pulumi, argv, { cwd: ws, env, encoding: "utf8", stdio: capture ? "pipe" : "inherit", maxBuffer: 512 * 1024 * 1024 });
        return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: `${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
    };
    if (stack) {
        const exists = pulumi(["stack", "ls", "--json"]);
        if (exists.code === 0 && !JSON.parse(exists.stdout || "[]").some((s: { name: string }) => s.name === stack)) {
            log(`initialising local stack ${stack} from Pulumi.${stack}.yaml`);
            const init = pulumi(["stack", "init", stack]);
            if (init.code !== 0) return init;
        }
    }
    const command = args.find((a) => !a.startsWith("-"));
    const extra: string[] = [];
    if (command && PACK_COMMANDS.has(command) && stack) {
        const project = YAML.parse(fs.readFileSync(path.join(ws, "Pulumi.yaml"), "utf8")).name;
        const config = YAML.parse(fs.readFileSync(path.join(ws, `Pulumi.${stack}.yaml`), "utf8"))?.config ?? {};
        providePlatform(tools.kubectl, kubeconfig, referencedByStack(project, config), log);
    }
    if (command && PACK_COMMANDS.has(command) && !args.some((a) => a.startsWith("--policy-pack"))) {
        ensurePackDependencies(log);
        extra.push("--policy-pack", PACK_DIR);
        const packConfig = path.join(PACK_DIR, "config", `${stack}.json`);
        if (stack && fs.existsSync(packConfig)) extra.push("--policy-pack-config", packConfig);
    }
    return pulumi([...args, ...extra], opts.capture ?? false);
}
