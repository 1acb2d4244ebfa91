/** Where the toolchain lives: its Go modules in the clone, everything built or downloaded outside it. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** toolchain/ in the clone, from both the sources (toolchain/kit/) and their compiled copies (bin/toolchain/kit/). */
export const TOOLCHAIN_DIR = path.resolve(__dirname, __dirname.includes(`${path.sep}bin${path.sep}`) ? "../../../toolchain" : "..");

/** The project: the directory of Pulumi.yaml, one above toolchain/. */
export const PROJECT_DIR = path.dirname(TOOLCHAIN_DIR);

/** The chart archive beside the clone (CI and this project's machines have it; users reach the repository). */
export function sharedChart(name: string, version: string): string | undefined {
    const file = path.resolve(PROJECT_DIR, "..", "shared", "charts", `${name}-${version}.tgz`);
    return fs.existsSync(file) ? file : undefined;
}

/** The cache: binaries, Go caches, cluster state and local Pulumi state; ECO2_CACHE_DIR moves it. */
export function cacheDir(): string {
    return path.resolve(process.env.ECO2_CACHE_DIR ?? path.join(os.homedir(), ".cache", "eco2-tracing"));
}

/** The environment for the go command: caches under the cache dir, the machine's own Go, no VCS stamping. */
export function goEnv(): NodeJS.ProcessEnv {
    return {
        ...process.env,
        GOMODCACHE: path.join(cacheDir(), "go", "mod"),
        GOCACHE: path.join(cacheDir(), "go", "build"),
        GOFLAGS: "-buildvcs=false -mod=readonly",
        GOTOOLCHAIN: "local",
    };
}
