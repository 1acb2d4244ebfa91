/**
 * What the real-component suites share: the toolchain's binaries, the embedded cluster, commands that must succeed,
 * and the program's plan for a stack (objects and Helm values, as the program generates them).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { HelmRelease, KubeObject, stackObjects } from "../../tools/synth/write-manifests";
import { mockPlan } from "../../tools/mock-plan";
import { clusterUp } from "../../toolchain/cluster/cluster";
import { run, RunOptions } from "../../toolchain/kit/exec";
import { ToolName, TOOL_NAMES } from "../../toolchain/build/components";
import { toolPaths } from "../../toolchain/build/tools";
import { sharedChart } from "../../toolchain/kit/paths";
import { ROOT } from "../helpers";

let tools: Promise<Record<ToolName, string>> | undefined;
/** Every tool, built on first use (a cold build prints its progress). */
export const allTools = () => (tools ??= toolPaths([...TOOL_NAMES], (line) => process.stderr.write(`      [toolchain] ${line}\n`)));

let kubeconfig: Promise<string> | undefined;
export const cluster = () => (kubeconfig ??= clusterUp((line) => process.stderr.write(`      [cluster] ${line}\n`)));

export { run };

/** Runs a command that must succeed; the error carries its output. */
export function must(cmd: string, args: string[], opts: RunOptions = {}): string {
    const r = run(cmd, args, opts);
    if (r.code !== 0) throw new Error(`${path.basename(cmd)} ${args.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`.slice(-8000));
    return r.stdout;
}

export async function kubectl(args: string[], input?: string): Promise<string> {
    const [{ kubectl }, config] = await Promise.all([allTools(), cluster()]);
    return must(kubectl, ["--kubeconfig", config, ...args], { input });
}

export const tmpDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `eco2-${prefix}-`));

/**
 * The chart as a file: the real archive beside the clone (CI has it), or else pulled from the chart repository.
 * Says which it used.
 */
export async function chartFile(release: HelmRelease, dir: string): Promise<string> {
    const local = sharedChart(release.chart!, release.version!);
    if (local) {
        process.stderr.write(`      chart: ${path.relative(ROOT, local)}\n`);
        return local;
    }
    process.stderr.write(`      chart: ${release.repo} ${release.chart} ${release.version}\n`);
    must((await allTools()).helm, ["pull", release.chart!, "--repo", release.repo!, "--version", release.version!, "-d", dir]);
    return path.join(dir, `${release.chart}-${release.version}.tgz`);
}

export interface Plan {
    objects: KubeObject[];
    releases: HelmRelease[];
}

/** The program's objects and releases for a stack, with secrets in clear (they go to the local cluster only). */
export async function plan(stack: string, configFile?: string): Promise<Plan> {
    const run = await mockPlan({ root: ROOT, stack, configFile });
    const { objects, releases } = stackObjects(run.resources);
    return { objects, releases };
}

export const toYaml = (docs: readonly unknown[]) => docs.map((d) => YAML.stringify(d, { sortMapEntries: true })).join("---\n");
export const parseYaml = (text: string) => YAML.parseAllDocuments(text).map((d) => d.toJS()).filter((d) => d && typeof d === "object") as Record<string, any>[];
