/**
 * npm run policy:check -- [--config FILE] <file.yaml|directory|-> ...
 *
 * Runs the policy pack over plain Kubernetes YAML, for teams that deploy with Helm (`helm template`) or kustomize
 * (`kustomize build`). Resource policies run once per object, stack policies once over everything, with the same
 * config handling (tools/policy-check/pack-config.ts) and args as `pulumi preview --policy-pack` (see tools/policy-check/analyzer.ts).
 *
 * Prints one line per violation — policy, level, Kind/namespace/name, message — then a summary.
 * Exit codes: 0 no mandatory violation; 1 a mandatory violation; 2 the check could not run (unreadable input or
 * config, with the file and reason).
 */
import * as fs from "fs";
import * as path from "path";
import { policies } from "../../policy-pack/policies";
import { callerPath, CommandIO, PROCESS_IO, runWhenMain } from "../../toolchain/kit/command";
import { ManifestError, ManifestResource, parseManifests } from "./read-manifests";
import { parsePolicyPackConfig, PolicyConfigError, PolicyPackConfig } from "./pack-config";
import { analyze } from "./analyzer";
import { checkPolicyPackConfig } from "./pack-check";

const USAGE = "usage: npm run policy:check -- [--config policy-config.json] <file.yaml|directory|-> ...";

class InputError extends Error {}

interface Args {
    config?: string;
    inputs: string[];
    help?: boolean;
}

function parseArgs(argv: string[]): Args {
    const args: Args = { inputs: [] };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--config") {
            if (i + 1 >= argv.length) throw new InputError("--config needs a file");
            args.config = argv[++i];
        } else if (a.startsWith("--config=")) args.config = a.slice("--config=".length);
        else if (a === "-h" || a === "--help") return { inputs: [], help: true };
        else if (a.startsWith("-") && a !== "-") throw new InputError(`unknown option ${a}\n${USAGE}`);
        else args.inputs.push(a);
    }
    if (args.inputs.length === 0) throw new InputError(`no manifest files given\n${USAGE}`);
    return args;
}

/** A file's text; `-` is stdin when `stdin` is given (manifests), a plain file name otherwise (--config). */
function read(file: string, stdin?: () => string): string {
    const fromStdin = file === "-" && stdin !== undefined;
    try {
        return fromStdin ? stdin() : fs.readFileSync(callerPath(file), "utf8");
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new ManifestError(fromStdin ? "<stdin>" : file, err.code === "ENOENT" ? "no such file" : err.message);
    }
}

/** Files to read (as given: relative to the caller's directory): directories expand to their .yaml/.yml files (recursively, sorted). */
function expand(input: string): string[] {
    if (input === "-") return [input];
    let stat: fs.Stats;
    try {
        stat = fs.statSync(callerPath(input));
    } catch {
        throw new ManifestError(input, "no such file or directory");
    }
    if (!stat.isDirectory()) return [input];
    const found = fs.readdirSync(callerPath(input), { recursive: true, encoding: "utf8" })
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(input, f))
        .sort();
    if (found.length === 0) throw new ManifestError(input, "directory holds no .yaml/.yml files");
    return found;
}

function oneLine(text: string): string {
    return text.replace(/\s*\n\s*/g, " ").trim();
}

/** The same object twice (e.g. in two files) is checked twice; said once, since applying both is a conflict. */
function warnDuplicates(resources: readonly ManifestResource[], io: CommandIO): void {
    const byObject = new Map<string, ManifestResource[]>();
    for (const r of resources) {
        const key = `${r.props.apiVersion} ${r.display}`;
        byObject.set(key, [...(byObject.get(key) ?? []), r]);
    }
    for (const copies of byObject.values()) {
        if (copies.length < 2) continue;
        io.err(`warning: ${copies[0].display} is declared ${copies.length} times ` +
            `(${copies.map((c) => `${c.file} ${c.document}`).join(", ")}); each copy is checked`);
    }
}

/** The whole command; resolves to the exit code. */
export async function main(argv: string[], io: CommandIO = PROCESS_IO): Promise<number> {
    try {
        return await check(argv, io);
    } catch (e) {
        if (e instanceof ManifestError) io.err(`error: unreadable input: ${e.file}: ${e.reason}`);
        else if (e instanceof PolicyConfigError) io.err(`error: ${e.message}`);
        else if (e instanceof InputError) io.err(e.message);
        else io.err(`error: the check could not run: ${e instanceof Error ? e.message : String(e)}`);
        return 2;
    }
}

async function check(argv: string[], io: CommandIO): Promise<number> {
    const args = parseArgs(argv);
    if (args.help) {
        io.out(USAGE);
        return 0;
    }
    let config: PolicyPackConfig = {};
    if (args.config) {
        // Checked before any manifest is read: a bad config fails fast, naming the file.
        config = parsePolicyPackConfig(read(args.config), args.config);
        checkPolicyPackConfig(policies, config, args.config);
    }

    const seen = new Map<string, number>();
    const resources: ManifestResource[] = [];
    const files = args.inputs.flatMap(expand);
    const shown = (file: string) => (file === "-" ? "<stdin>" : file);
    for (const file of files) resources.push(...parseManifests(read(file, io.stdin), shown(file), seen));
    // Nothing to check must not read as "passed": a failed `helm template` often leaves an empty file.
    if (resources.length === 0) throw new InputError(`error: no objects in ${files.map(shown).join(", ")}; allowed: YAML documents that ` +
        `are Kubernetes objects`);
    warnDuplicates(resources, io);

    const { diagnostics } = await analyze(policies, resources, { config, configSource: args.config });
    const byUrn = new Map(resources.map((r) => [r.urn, r.display]));
    for (const d of diagnostics) {
        const where = d.urn ? byUrn.get(d.urn) ?? d.urn : "(all resources)";
        io.out(`${d.policyName} ${d.enforcementLevel} ${where}: ${oneLine(d.detail || d.message)}`);
    }
    const mandatory = diagnostics.filter((d) => d.enforcementLevel === "mandatory").length;
    const advisory = diagnostics.length - mandatory;
    io.out(
        `policy-check: ${resources.length} object(s) from ${files.length} file(s), ${policies.length} policies: ` +
            `${mandatory} mandatory and ${advisory} advisory violation(s) — ${mandatory > 0 ? "FAILED" : "passed"}`,
    );
    return mandatory > 0 ? 1 : 0;
}

runWhenMain(module, "policy-check", main);
