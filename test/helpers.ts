/**
 * Test helpers: run the real program (index.ts, imported after the mocks are set) for a stack file, optionally
 * with top-level config keys replaced, and query what it registered.
 */
import * as fs from "fs";
import * as path from "path";
import { runUnderMocks, MockRun, MockRunOptions, RegisteredResource } from "../tools/mock-runtime";
import { readmePlatform } from "../tools/mock-plan";
import { readStackFile } from "../tools/stack-file";
import * as assert from "assert";
import * as YAML from "yaml";
import type { CommandIO } from "../toolchain/kit/command";
import { PROJECT_DIR } from "../toolchain/kit/paths";
import { ConfigError, parseConfig, PROJECT } from "../components/config";

/** The project root (holds Pulumi.yaml), whether this runs compiled from bin/test or from source. */
export const ROOT = PROJECT_DIR;

export interface RunOptions {
    /** Top-level keys (without the project prefix) to set, replace, or remove (value undefined). */
    set?: Record<string, unknown>;
    secretKeys?: string[];
    /** What the program's reads find; default a platform that did what the README asks (tools/mock-plan.ts). */
    live?: MockRunOptions["live"];
}

export async function runStack(stack: string, options: RunOptions = {}): Promise<MockRun> {
    const { config, secretKeys } = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`), PROJECT);
    for (const [key, value] of Object.entries(options.set ?? {})) {
        const full = `${PROJECT}:${key}`;
        if (value === undefined) delete config[full];
        else config[full] = typeof value === "string" ? value : JSON.stringify(value);
    }
    const program = require("../index") as () => Promise<unknown>;
    return runUnderMocks(program, {
        project: PROJECT,
        stack,
        config,
        secretKeys: [...secretKeys, ...(options.secretKeys ?? []).map((k) => `${PROJECT}:${k}`)],
        live: options.live ?? readmePlatform,
    });
}

export function ofType(run: MockRun, type: string): RegisteredResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function one(run: MockRun, type: string, name: string): RegisteredResource {
    const found = run.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        const names = ofType(run, type).map((r) => r.name).join(", ");
        throw new Error(`expected one ${type} named ${name}, found ${found.length} (have: ${names || "none"})`);
    }
    return found[0];
}

/** The problems a raw config (without the project prefix) is rejected with; [] when it is valid. */
export function configProblems(raw: Record<string, unknown>, stack = "dev", secretKeys?: string[]): string[] {
    try {
        parseConfig(raw, { stack, secretKeys: secretKeys && new Set(secretKeys) });
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.problems;
    }
    return [];
}

/** Asserts that some problem contains every fragment. */
export function expectConfigProblem(raw: Record<string, unknown>, ...fragments: string[]): void {
    const found = configProblems(raw);
    assert.ok(
        found.some((p) => fragments.every((f) => p.includes(f))),
        `expected a problem containing ${JSON.stringify(fragments)}, got:\n${found.join("\n") || "(none)"}`,
    );
}

/** A stack file in `dir`: the committed Pulumi.<stack>.yaml with some top-level keys replaced (undefined removes). */
export function writeStackFile(dir: string, stack: string, name: string, set: Record<string, unknown>): string {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
    for (const [k, v] of Object.entries(set)) {
        if (v === undefined) delete doc.config[`${PROJECT}:${k}`];
        else doc.config[`${PROJECT}:${k}`] = v;
    }
    const file = path.join(dir, name);
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
}

export interface CommandRun {
    code: number;
    stdout: string;
    stderr: string;
}

/**
 * A command's main function in-process, called from the repository root (cwd and INIT_CWD, as `npm run` from
 * there sets them), with its output collected.
 */
export async function runCommand(main: (argv: string[], io: CommandIO) => Promise<number>, args: string[], stdin = ""): Promise<CommandRun> {
    const out: string[] = [];
    const err: string[] = [];
    const cwd = process.cwd();
    const initCwd = process.env.INIT_CWD;
    process.chdir(ROOT);
    process.env.INIT_CWD = ROOT;
    try {
        const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: () => stdin });
        return { code, stdout: out.map((l) => `${l}\n`).join(""), stderr: err.map((l) => `${l}\n`).join("") };
    } finally {
        process.chdir(cwd);
        if (initCwd === undefined) delete process.env.INIT_CWD;
        else process.env.INIT_CWD = initCwd;
    }
}
