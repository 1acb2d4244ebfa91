/**
 * The workspace the local CLI runs in: a Pulumi.yaml that points `main` at the project and names the toolchain's
 * language host and provider as its plugins, and copies of the stack files. `stack init` writes its
 * `encryptionsalt` there, never into Pulumi.<stack>.yaml in the clone. The committed file stays the source of truth:
 * on every run its keys replace the copy's and keys it dropped since the last run are dropped, while keys only the
 * copy ever had (a `config set --secret` made locally) and the salt stay.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_DIR, sharedChart } from "../kit/paths";
import { ROUTER_CHART_DEFAULT } from "../../components/config/schema/tail-sampling";
import { stackNames } from "./stack-defaults";
import { normalizeKeys, stackFileKeys } from "../../tools/stack-keys";

const readYaml = (file: string) => (fs.existsSync(file) ? YAML.parse(fs.readFileSync(file, "utf8")) ?? {} : {});

export const workspaceDir = (dir: string, project: string) => path.join(dir, "workspaces", project);

export interface Workspace {
    dir: string;
    project: string;
    /** The merged stack config, as the CLI will hand it to the program. */
    config: Record<string, any>;
}

export function writeWorkspace(dir: string, projectDir: string, stack: string, tools: Record<string, string>): Workspace {
    const project = readYaml(path.join(projectDir, "Pulumi.yaml"));
    const ws = workspaceDir(dir, project.name);
    fs.mkdirSync(ws, { recursive: true });
    project.main = path.relative(ws, path.resolve(projectDir, project.main ?? ".")) || ".";
    const own = project.plugins ?? {};
    project.plugins = {
        ...own,
        languages: [...(own.languages ?? []).filter((p: { name: string }) => p.name !== "nodejs"), { name: "nodejs", path: path.dirname(tools["pulumi-language-nodejs"]) }],
        providers: [...(own.providers ?? []).filter((p: { name: string }) => p.name !== "kubernetes"), { name: "kubernetes", path: path.dirname(tools["pulumi-resource-kubernetes"]) }],
    };
    fs.writeFileSync(path.join(ws, "Pulumi.yaml"), YAML.stringify(project));

    const copy = path.join(ws, `Pulumi.${stack}.yaml`);
    const keysFile = path.join(ws, `.committed-keys.${stack}.json`);
    const source = readYaml(path.join(projectDir, `Pulumi.${stack}.yaml`));
    const local = readYaml(copy);
    const previouslyCommitted: string[] = fs.existsSync(keysFile) ? JSON.parse(fs.readFileSync(keysFile, "utf8")) : [];
    // Full keys everywhere (tools/stack-keys.ts): a user's `jaeger` and the runner's `${project}:jaeger` are one section.
    const committed = stackFileKeys(path.join(projectDir, `Pulumi.${stack}.yaml`), project.name, source);
    const kept = { ...(local.config ?? {}) };
    for (const key of previouslyCommitted) delete kept[key];
    const config: Record<string, any> = { ...normalizeKeys(project.name, kept).config };
    for (const key of previouslyCommitted) delete config[key];
    Object.assign(config, committed);
    if (projectDir === PROJECT_DIR) useSharedChart(project.name, config);
    const salt = local.encryptionsalt ? { encryptionsalt: local.encryptionsalt } : {};
    fs.writeFileSync(copy, YAML.stringify({ ...local, ...source, ...salt, config }));
    fs.writeFileSync(keysFile, JSON.stringify(Object.keys(committed).sort()));
    return { dir: ws, project: project.name, config };
}

/**
 * No chart repository is reachable here; the real archive beside the clone is (the README says so). `config` has full
 * keys; the path goes under the user's section, and a chart path the user set is kept.
 */
export function useSharedChart(project: string, config: Record<string, any>): void {
    const key = `${project}:jaeger`;
    const chart = stackNames(project, config).chart;
    const file = chart && !chart.path ? sharedChart(chart.name, chart.version) : undefined;
    if (file) config[key] = { ...(config[key] ?? {}), chart: { ...(config[key]?.chart ?? {}), path: file } };
    // The router tier's chart likewise (tailSampling.routerChart), when the stack has the tier.
    const tailKey = `${project}:tailSampling`;
    const tail = config[tailKey] && typeof config[tailKey] === "object" ? config[tailKey] : undefined;
    const router = { ...ROUTER_CHART_DEFAULT, ...(tail?.routerChart ?? {}) };
    const routerFile = tail?.routerReplicas !== undefined && !router.path ? sharedChart(router.name, router.version) : undefined;
    if (routerFile) config[tailKey] = { ...tail, routerChart: { ...(tail.routerChart ?? {}), path: routerFile } };
}
