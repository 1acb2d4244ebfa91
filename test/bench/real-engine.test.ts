/**
 * The real-engine bench's pure parts (npm run bench -- --real-engine itself is not a test): the /proc parsing and
 * tree sum behind its peak memory, on a fake /proc snapshot; the median, the results entry's shape and ratios; the
 * CLI summary parser; the per-namespace growth; the plain baseline plan's chart as a local path; the case selection.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { median } from "../../bench/measure";
import { parseStat, parseStatusRssKiB, readProcSnapshot, treeRssKiB } from "../../bench/proc-tree";
import { plainProjectPlan, growth, growthTable, realEngineTable, resourceSummary, RunFigures, selectCases, summarize, withoutCheckpoints } from "../../bench/real-engine-report";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "real-engine-test-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A fake /proc: pid → [comm, ppid, VmRSS kB or undefined]. */
function fakeProc(procs: Record<number, [string, number, number | undefined]>): string {
    const root = fs.mkdtempSync(path.join(tmp, "proc-"));
    for (const [pid, [comm, ppid, rss]] of Object.entries(procs)) {
        fs.mkdirSync(path.join(root, pid));
        fs.writeFileSync(path.join(root, pid, "stat"), `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0\n`);
        fs.writeFileSync(path.join(root, pid, "status"), `Name:\t${comm}\nState:\tS ` +
            `(sleeping)\nPPid:\t${ppid}\n${rss === undefined ? "" : `VmRSS:\t  ${rss} kB\n`}Threads:\t4\n`);
    }
    fs.mkdirSync(path.join(root, "self"));
    fs.writeFileSync(path.join(root, "meminfo"), "MemTotal: 1 kB\n");
    return root;
}

const t = (seconds: number, peakMiB: number) => ({ seconds, peakMiB, resources: "" });
function figures(k: number): RunFigures {
    return {
        preview: t(3 * k, 500 * k),
        previewWithPack: t(3.6 * k, 650),
        up: t(16 * k, 540),
        upNoChange: t(4 * k, 520),
        plainPreview: t(2 * k, 480),
        plainUp: t(13 * k, 500 * k),
        plainUpNoChange: t(3 * k, 490),
    };
}

describe("bench --real-engine", () => {
    describe("process-tree memory", () => {
        it("parses pid and ppid from /proc/<pid>/stat, whatever the command name holds", () => {
            assert.deepStrictEqual(parseStat("4242 (pulumi) S 4241 4242 1 0 -1\n"), { pid: 4242, ppid: 4241 });
            assert.deepStrictEqual(parseStat("77 (node (pack) x) R 70 77 1 0\n"), { pid: 77, ppid: 70 });
            assert.strictEqual(parseStat("garbage"), undefined);
        });

        it("reads VmRSS in KiB, 0 when the process has none (zombie, kernel thread)", () => {
            assert.strictEqual(parseStatusRssKiB("Name:\tx\nVmPeak:\t 9 kB\nVmRSS:\t  123456 kB\n"), 123456);
            assert.strictEqual(parseStatusRssKiB("Name:\tx\nState:\tZ (zombie)\n"), 0);
        });

        it("sums the CLI and all its descendants from a fake /proc, and nothing else", () => {
            const root = fakeProc({
                1: ["init", 0, 1000],
                100: ["node", 1, 90_000], // the bench itself: not counted
                200: ["pulumi", 100, 200_000],
                210: ["pulumi-language-nodejs", 200, 30_000],
                211: ["node", 210, 150_000],
                220: ["pulumi-resource-kubernetes", 200, 120_000],
                230: ["pulumi-analyzer-policy (x)", 200, undefined], // a zombie
                300: ["unrelated", 1, 500_000],
            });
            const snapshot = readProcSnapshot(root);
            assert.strictEqual(snapshot.length, 8);
            assert.strictEqual(treeRssKiB(snapshot, 200), 200_000 + 30_000 + 150_000 + 120_000);
            assert.strictEqual(treeRssKiB(snapshot, 211), 150_000);
            assert.strictEqual(treeRssKiB(snapshot, 999), 0);
        });

        it("does not loop on a ppid cycle", () => {
            assert.strictEqual(treeRssKiB([{ pid: 1, ppid: 2, rssKiB: 1 }, { pid: 2, ppid: 1, rssKiB: 2 }], 1), 3);
        });
    });

    it("median: odd and even counts, input left unsorted", () => {
        const v = [5, 1, 3];
        assert.strictEqual(median(v), 3);
        assert.deepStrictEqual(v, [5, 1, 3]);
        assert.strictEqual(median([4, 1, 3, 2]), 2.5);
    });

    it("summarize: the results entry's keys, medians over runs and the ratios", () => {
        const e = summarize({ name: "dev", stack: "dev" }, 27, [figures(1), figures(3), figures(2)]);
        for (const key of ["previewSeconds", "plainPreviewSeconds", "upSeconds", "plainUpSeconds", "previewWithPackSeconds", "peakMiB", "plainPeakMiB"]) {
            assert.strictEqual(typeof (e as any)[key], "number", key);
        }
        assert.strictEqual(e.previewSeconds, 6);
        assert.strictEqual(e.plainPreviewSeconds, 4);
        assert.strictEqual(e.previewWithPackSeconds, 7.2);
        assert.strictEqual(e.upSeconds, 32);
        assert.strictEqual(e.peakMiB, 1000); // the largest per-command median (preview's)
        assert.strictEqual(e.plainPeakMiB, 1000);
        assert.deepStrictEqual(e.ratios, { preview: 1.5, up: 1.23, upNoChange: 1.33, memory: 1, packOverhead: 1.2 });
        assert.strictEqual(e.runs, 3);
        assert.strictEqual(e.samples.length, 3);
        assert.match(realEngineTable([e]), /\| dev \| 27 \| 6 \/ 4 \(1\.5×\) \|/);
    });

    it("growth: ms and KiB per added namespace between generated cases of the same services, program and plain baseline", () => {
        const dev = summarize({ name: "dev", stack: "dev" }, 27, [figures(1)]);
        const at = (n: number, k: number, services = 200) => summarize({ name: `${n} ns`, stack: `bench-${n}`, generated: [n, services] }, n * 7, [figures(k)]);
        // preview 3k s, plain baseline 2k s; up 16k, plain baseline 13k; peak max(500k, 540, 520) MiB, plain baseline 500k (plainUp's).
        const g = growth([at(1000, 10), dev, at(100, 1), at(300, 3, 50)]);
        assert.strictEqual(g.length, 1, "dev has no namespace count, 300 has other services");
        assert.deepStrictEqual(g[0].namespaces, [100, 1000]);
        assert.deepStrictEqual(g[0].perNamespaceMs.preview, { program: 30, plain: 20, ratio: 1.5 });
        assert.deepStrictEqual(g[0].perNamespaceMs.up, { program: 160, plain: 130, ratio: 1.23 });
        assert.deepStrictEqual(g[0].perNamespaceKiB, { program: 5074.5, plain: 5120, ratio: 0.99 }); // program peak 540 → 5000 MiB
        const three = growth([at(100, 1), at(1000, 10), at(300, 3)]);
        assert.deepStrictEqual(three.map((x) => x.namespaces), [[100, 300], [300, 1000]]);
        assert.strictEqual(three[0].perNamespaceMs.preview.program, three[1].perNamespaceMs.preview.program, "linear input, equal slopes");
        assert.match(growthTable(three), /\| 100 → 300 ns \| 30 \/ 20 \(1\.5×\) \|/);
        // Checkpoint modes are not mixed: each has its own pairs.
        const skipped = (n: number, k: number) => summarize(withoutCheckpoints(selectCases([String(n)])[0]), n * 7, [figures(k)]);
        const mixed = growth([at(100, 1), skipped(100, 1), at(1000, 10), skipped(1000, 20)]);
        assert.deepStrictEqual(mixed.map((x) => [x.skipCheckpoints ?? false, x.perNamespaceMs.preview.program]), [[false, 30], [true, 63.3]]);
        assert.match(growthTable(mixed), /1000 ns, checkpoints skipped \|/);
    });

    it("reads the CLI's Resources: summary", () => {
        const out = "Previewing update (dev):\n ...\nResources:\n    + 29 to create\n\nDuration: 3s\n";
        assert.strictEqual(resourceSummary(out), "+ 29 to create");
        assert.strictEqual(resourceSummary("Outputs:\n  x: 1\n\nResources:\n    ~ 2 updated\n    27 unchanged\n"), "~ 2 updated, 27 " +
            "unchanged");
        assert.strictEqual(resourceSummary("error: nothing"), "");
    });

    it("plain baseline plan: a release from a local chart gets the chart as that path, no repository", () => {
        const manifests = '# from kubernetes:core/v1:ConfigMap "cm"\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n';
        const releases = '# from kubernetes:helm.sh/v3:Release "jaeger"\nname: jaeger\nnamespace: istio-system\npath: ' +
            'charts/jaeger-4.11.1.tgz\nchart: jaeger\nversion: 4.11.1\nvalues: {}\n';
        const plan = plainProjectPlan(manifests, releases, "/root/project");
        assert.deepStrictEqual(plan.map((p) => p.name), ["cm", "jaeger"]);
        assert.strictEqual(plan[1].args.chart, "/root/project/charts/jaeger-4.11.1.tgz");
        assert.strictEqual(plan[1].args.repositoryOpts, undefined);
    });

    it("cases: dev, prod, 100 and 1000 by key; an unknown one is refused", () => {
        assert.deepStrictEqual(selectCases(["dev", "100"]).map((c) => c.stack), ["dev", "bench-100"]);
        assert.deepStrictEqual(selectCases(["1000"])[0].generated, [1000, 200]);
        assert.throws(() => selectCases(["huge"]), /unknown case huge/);
    });
});
