/**
 * OpenSearch, the toolchain's one Java component: the jars of the pinned pom (toolchain/maven/opensearch/pom.xml)
 * resolved by Maven from Maven Central into the cache, our Launcher.java compiled against them, and an `opensearch`
 * script that starts one node on loopback: `opensearch <home> <data> <http-port>` (no security plugin: it is not
 * served, so plain HTTP without authentication). Keyed by the pom, the launcher and the Java version.
 */
import { spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ToolchainError } from "../kit/command";
import { run as runSync } from "../kit/exec";
import { cacheDir, TOOLCHAIN_DIR } from "../kit/paths";

export const OPENSEARCH_VERSION = "2.19.6";
const MODULE_DIR = path.join(TOOLCHAIN_DIR, "maven", "opensearch");
const MODULE_FILES = ["pom.xml", "Launcher.java"];
/** The node's heap unless OPENSEARCH_JAVA_OPTS says otherwise: enough for the suites' few thousand spans. */
const DEFAULT_JAVA_OPTS = "-Xms512m -Xmx512m";

function javaVersion(): string {
    const r = runSync("java", ["-version"]);
    if (r.code !== 0) throw new ToolchainError(`opensearch: a Java 17 runtime is needed (java -version: ${r.stderr.trim()})`);
    return r.stderr.trim().split("\n")[0];
}

/** The cache key: the pom, the launcher and the Java that compiles and runs it. */
export function openSearchKey(java: string): string {
    const h = createHash("sha256").update(java).update(OPENSEARCH_VERSION);
    for (const f of MODULE_FILES) h.update(f).update(fs.readFileSync(path.join(MODULE_DIR, f)));
    return h.digest("hex").slice(0, 16);
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (out += d));
        const missing = (e: Error) => new ToolchainError(`opensearch: ${cmd} is needed (${e.message}); on Debian: apt-get install maven`);
        child.on("error", (e) => reject(missing(e)));
        child.on("close", (code) => resolve({ code: code ?? 1, out }));
    });
}

async function build(dest: string, log: (line: string) => void): Promise<void> {
    const tmp = `${dest}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    const started = Date.now();
    log(`opensearch: resolving org.opensearch:opensearch ${OPENSEARCH_VERSION} and its modules from Maven Central`);
    try {
        const cpFile = path.join(tmp, "classpath.txt");
        const repo = path.join(cacheDir(), "maven", "repo");
        const goal = ["dependency:build-classpath", `-Dmdep.outputFile=${cpFile}`];
        const mvn = await run("mvn", ["-B", "-q", `-Dmaven.repo.local=${repo}`, ...goal], MODULE_DIR);
        const tail = mvn.out.trim().split("\n").slice(-20).join("\n");
        if (mvn.code !== 0) throw new ToolchainError(`opensearch: mvn dependency:build-classpath failed:\n${tail}`);
        const classpath = fs.readFileSync(cpFile, "utf8").trim();
        const classes = path.join(dest, "classes");
        const javac = await run("javac", ["-d", path.join(tmp, "classes"), "-cp", classpath, "Launcher.java"], MODULE_DIR);
        if (javac.code !== 0) throw new ToolchainError(`opensearch: javac Launcher.java failed:\n${javac.out.trim()}`);
        const script = [
            "#!/bin/sh",
            `# OpenSearch ${OPENSEARCH_VERSION} (toolchain/maven/opensearch): opensearch <home> <data> <http-port>`,
            `exec java \${OPENSEARCH_JAVA_OPTS:-${DEFAULT_JAVA_OPTS}} -cp '${classes}:${classpath}' Launcher "$@"`,
            "",
        ].join("\n");
        fs.writeFileSync(path.join(tmp, "opensearch"), script, { mode: 0o755 });
    } catch (e) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw e;
    }
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
    log(`opensearch: ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

let building: Promise<void> | undefined;

/** The `opensearch` launcher from the cache, resolved and compiled first if missing. */
export async function ensureOpenSearch(log: (line: string) => void): Promise<{ version: string; path: string; cached: boolean }> {
    const dest = path.join(cacheDir(), "maven", `opensearch-${openSearchKey(javaVersion())}`);
    const file = path.join(dest, "opensearch");
    const cached = fs.existsSync(file);
    if (!cached) {
        building ??= build(dest, log).finally(() => (building = undefined));
        await building;
    }
    return { version: OPENSEARCH_VERSION, path: file, cached };
}
