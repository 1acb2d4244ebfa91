/**
 * The layout the README describes, checked over the sources. What `pulumi up` loads (index.ts and components/)
 * reaches nothing offline, and everything in components/ is loaded. components/foundation/ is the plane's shared
 * vocabulary: it imports no other folder and no Pulumi, and config/ imports only it; a component owns its args and
 * reaches another only through that folder's index.ts (index.ts maps config to args). No import cycle between
 * modules or between folders. A command starts from its folder's main.ts. Files stay under ~300 lines and lines
 * under ~140 characters (test/long-lines.json counts the long lines left in files other branches were editing this
 * round, so they could merge; a count may only go down), and the README's layout and component table name what exists.
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
const text = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

const IMPORT = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*["']([^"']+)["']/g;

/** Relative imports (static, dynamic and require) of a source file, as project-relative .ts paths. */
function importsOf(file: string): string[] {
    const out: string[] = [];
    for (const m of text(file).matchAll(IMPORT)) {
        if (!m[1].startsWith(".")) continue;
        const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]));
        const target = [`${base}.ts`, `${base}/index.ts`].find((c) => KNOWN.has(c));
        if (target) out.push(target);
    }
    return out;
}

/** Package imports of a source file (`@pulumi/pulumi`, `zod`, `fs`, ...). */
const packagesOf = (file: string) => [...text(file).matchAll(IMPORT)].map((m) => m[1]).filter((s) => !s.startsWith("."));

const GRAPH = new Map(FILES.map((f) => [f, importsOf(f)]));

/**
 * The folder a file belongs to for the folder-level rules: a concern under a top-level home (`components/config`,
 * `tools/synth`, `toolchain/kit`, `test/components`; subfolders such as `components/config/schema/` count as their
 * concern), or the home itself for its top-level files (`tools/mock-plan.ts` is in `tools`).
 */
function folderOf(file: string): string {
    const parts = file.split("/");
    return parts.length > 2 ? parts.slice(0, 2).join("/") : parts.length === 2 ? parts[0] : ".";
}

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

function cycles(graph: Map<string, readonly string[]>): string[] {
    const state = new Map<string, "open" | "done">();
    const found: string[] = [];
    const visit = (n: string, stack: string[]) => {
        if (state.get(n) === "done") return;
        if (state.get(n) === "open") {
            found.push([...stack.slice(stack.indexOf(n)), n].join(" → "));
            return;
        }
        state.set(n, "open");
        for (const m of graph.get(n) ?? []) visit(m, [...stack, n]);
        state.set(n, "done");
    };
    for (const n of [...graph.keys()].sort()) visit(n, []);
    return found;
}

/** Folder → the other folders its files import, each edge with one file import that makes it. */
function folderEdges(): Map<string, Map<string, string>> {
    const edges = new Map<string, Map<string, string>>();
    for (const [file, targets] of GRAPH) {
        for (const target of targets) {
            const [from, to] = [folderOf(file), folderOf(target)];
            if (from === to) continue;
            if (!edges.has(from)) edges.set(from, new Map());
            if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, `${file} → ${target}`);
        }
    }
    return edges;
}

/** The imports of `folder`'s files that leave it for another folder under components/, as "file → target". */
function componentImports(folder: string): string[] {
    return FILES.filter((f) => folderOf(f) === folder).flatMap((f) =>
        (GRAPH.get(f) ?? []).filter((t) => t.startsWith("components/") && folderOf(t) !== folder).map((t) => `${f} → ${t}`));
}

describe("repository layout", () => {
    it("what `pulumi up` loads (index.ts) stays in components/: nothing under tools/, toolchain/, test/ or bench/", () => {
        const loaded = [...reachable("index.ts")];
        assert.deepStrictEqual(loaded.filter((f) => f !== "index.ts" && !f.startsWith("components/")), []);
    });

    it("every file in components/ is loaded by the program or by the face app teams import (no tooling there)", () => {
        const used = new Set([...reachable("index.ts"), ...reachable("components/app-namespace/index.ts")]);
        assert.deepStrictEqual(FILES.filter((f) => f.startsWith("components/") && !used.has(f)), []);
    });

    it("the foundation imports no other folder and no Pulumi: it is the vocabulary everything else shares", () => {
        const foundation = FILES.filter((f) => f.startsWith("components/foundation/"));
        assert.ok(foundation.length > 0);
        const out = foundation.flatMap((f) =>
            (GRAPH.get(f) ?? []).filter((t) => folderOf(t) !== "components/foundation").map((t) => `${f} → ${t}`));
        assert.deepStrictEqual(out, []);
        const pulumi = foundation.flatMap((f) => packagesOf(f).filter((p) => p.startsWith("@pulumi/")).map((p) => `${f} → ${p}`));
        assert.deepStrictEqual(pulumi, []);
    });

    it("config imports only the foundation: no component's internals", () => {
        assert.deepStrictEqual(componentImports("components/config").filter((i) => !i.includes("→ components/foundation/")), []);
    });

    it("a component reaches another only through its index.ts (or the shared Helm install), never config's types", () => {
        const concerns = [...new Set(FILES.filter((f) => f.startsWith("components/")).map(folderOf))];
        const shared = ["components/foundation/", "components/helm/"];
        const allowed = (i: string) =>
            shared.some((s) => i.includes(`→ ${s}`)) || (!i.includes("→ components/config/") && i.endsWith("/index.ts"));
        const bad = concerns.filter((c) => c !== "components/config" && c !== "components/foundation").flatMap((c) =>
            componentImports(c).filter((i) => !allowed(i)));
        assert.deepStrictEqual(bad, []);
    });

    it("no import cycle between modules", () => {
        assert.deepStrictEqual(cycles(GRAPH), []);
    });

    it("no import cycle between folders (components/<concern>, tools/<command>, toolchain/<area>, ...)", () => {
        const edges = folderEdges();
        const found = cycles(new Map([...edges].map(([from, to]) => [from, [...to.keys()]])));
        // Name a file import per edge of each loop, so the message says what to move.
        const explained = found.map((loop) => {
            const hops = loop.split(" → ");
            return hops.slice(1).map((to, i) => edges.get(hops[i])!.get(to)).join("; ");
        });
        assert.deepStrictEqual(explained, []);
    });

    it("a command starts from its folder's main.ts, and every npm script runs one that exists", () => {
        const starters = FILES.filter((f) => /\brunWhenMain\(module\b/.test(text(f)));
        assert.deepStrictEqual(starters.filter((f) => path.posix.basename(f) !== "main.ts"), []);
        const pkg = JSON.parse(text("package.json"));
        const run = Object.values<string>(pkg.scripts).flatMap((s) => [...s.matchAll(/\bnode (bin\/\S+\.js)/g)].map((m) => m[1]));
        assert.ok(run.length >= 8);
        const source = (js: string) => js.replace(/^bin\//, "").replace(/\.js$/, ".ts");
        assert.deepStrictEqual(run.filter((js) => !starters.includes(source(js))), []);
    });

    it("no source file over 300 lines", () => {
        const long = FILES.map((f) => [f, text(f).split("\n").length - 1] as const).filter(([, n]) => n > 300);
        assert.deepStrictEqual(long, []);
    });

    it("no line over 140 characters, except the ones test/long-lines.json still counts (per file, only ever fewer)", () => {
        const left: Record<string, number> = JSON.parse(text("test/long-lines.json"));
        const long = FILES.map((f) => [f, text(f).split("\n").filter((l) => l.length > 140).length] as const);
        assert.deepStrictEqual(long.filter(([f, n]) => n > (left[f] ?? 0)).map(([f, n]) => `${f}: ${n} (allowed ${left[f] ?? 0})`), []);
    });

    it("the README's layout and component table name what exists, and every components/, tools/ and toolchain/ folder", () => {
        const readme = text("README.md");
        const named = [...readme.matchAll(/`((?:components|tools|toolchain|test|bench|policy-pack)\/[\w./-]*)`/g)].map((m) => m[1]);
        assert.deepStrictEqual(named.filter((p) => !fs.existsSync(path.join(ROOT, p))), []);
        const layout = readme.slice(readme.indexOf("## Repository layout"));
        const folders = ["components", "tools", "toolchain"].flatMap((top) =>
            fs.readdirSync(path.join(ROOT, top), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${e.name}/`));
        assert.deepStrictEqual(folders.filter((d) => !layout.includes(d)), []);
    });
});
