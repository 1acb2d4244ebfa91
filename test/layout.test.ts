/**
 * The layout the README describes, checked over the sources: what `pulumi up` loads (index.ts and program/) reaches
 * nothing offline (tools/, toolchain/, test/, bench/), nothing in program/ is unreachable from the program or the
 * face app teams import, no module imports itself in a cycle, no source file outgrows ~300 lines, and the README's
 * layout and component table name the folders and files that exist.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./helpers";

const SOURCE_DIRS = ["components", "tools", "toolchain", "test", "bench", "policy-pack"];
const SKIP = new Set(["node_modules", "bin", "go", "fixtures"]);

function sources(dir: string): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.posix.join(dir, e.name);
        if (e.isDirectory()) return SKIP.has(e.name) ? [] : sources(rel);
        return e.name.endsWith(".ts") ? [rel] : [];
    });
}

const FILES = ["index.ts", ...SOURCE_DIRS.flatMap(sources)];
const KNOWN = new Set(FILES);

/** Relative imports (static, dynamic and require) of a source file, as project-relative .ts paths. */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const out: string[] = [];
    for (const m of text.matchAll(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*["'](\.{1,2}(?:\/[^"']*)?)["']/g)) {
        const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]));
        const target = [`${base}.ts`, `${base}/index.ts`].find((c) => KNOWN.has(c));
        if (target) out.push(target);
    }
    return out;
}

const GRAPH = new Map(FILES.map((f) => [f, importsOf(f)]));

function reachable(from: string): Set<string> {
    const seen = new Set<string>();
    const visit = (f: string) => {
        if (seen.has(f)) return;
        seen.add(f);
        for (const g of GRAPH.get(f) ?? []) visit(g);
    };
    visit(from);
    return seen;
}

describe("repository layout", () => {
    it("what `pulumi up` loads (index.ts) stays in program/: nothing under tools/, toolchain/, test/ or bench/", () => {
        const loaded = [...reachable("index.ts")];
        assert.deepStrictEqual(loaded.filter((f) => f !== "index.ts" && !f.startsWith("components/")), []);
    });

    it("every file in program/ is loaded by the program or by the face app teams import (no tooling there)", () => {
        const used = new Set([...reachable("index.ts"), ...reachable("components/app-namespace/index.ts")]);
        assert.deepStrictEqual(FILES.filter((f) => f.startsWith("components/") && !used.has(f)), []);
    });

    it("no import cycle", () => {
        const state = new Map<string, "open" | "done">();
        const cycles: string[] = [];
        const visit = (f: string, stack: string[]) => {
            if (state.get(f) === "done") return;
            if (state.get(f) === "open") {
                cycles.push([...stack.slice(stack.indexOf(f)), f].join(" → "));
                return;
            }
            state.set(f, "open");
            for (const g of GRAPH.get(f) ?? []) visit(g, [...stack, f]);
            state.set(f, "done");
        };
        for (const f of FILES) visit(f, []);
        assert.deepStrictEqual(cycles, []);
    });

    it("no source file over 300 lines", () => {
        const long = FILES.map((f) => [f, fs.readFileSync(path.join(ROOT, f), "utf8").split("\n").length - 1] as const).filter(([, n]) => n > 300);
        assert.deepStrictEqual(long, []);
    });

    it("the README's layout and component table name what exists, and every program/ and tools/ folder", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const named = [...readme.matchAll(/`((?:components|tools|toolchain|test)\/[\w./-]*)`/g)].map((m) => m[1]);
        assert.deepStrictEqual(named.filter((p) => !fs.existsSync(path.join(ROOT, p))), []);
        const layout = readme.slice(readme.indexOf("## Repository layout"));
        const folders = ["components", "tools"].flatMap((top) =>
            fs.readdirSync(path.join(ROOT, top), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${e.name}/`));
        assert.deepStrictEqual(folders.filter((d) => !layout.includes(d)), []);
    });
});
