import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { main as localMain } from "../../toolchain/local/main";
import { runCommand } from "../helpers";
import { main } from "../../toolchain/cluster/main";
import { clusterPids, clusterState, NODES } from "../../toolchain/cluster/cluster";
import { cluster, kubectl, run } from "./harness";

const capture = () => {
    let text = "";
    return { stream: (line: string) => void (text += `${line}\n`), text: () => text };
};

describe("embedded cluster (kwokctl binary runtime, loopback only)", () => {
    before(async () => void (await cluster()));

    it("serves Kubernetes v1.36.3 (stamped, not v0.0.0) on 127.0.0.1", async () => {
        const version = JSON.parse(await kubectl(["get", "--raw", "/version"]));
        assert.strictEqual(version.gitVersion, "v1.36.3");
        const server = await kubectl(["config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"]);
        assert.match(server, /^https?:\/\/127\.0\.0\.1:\d+$/);
        // Every listening socket of every cluster process is on loopback.
        const pids = clusterPids();
        assert.strictEqual(pids.length, 5, "etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok");
        const sockets = run("ss", ["-Hltnp"]).stdout.split("\n").filter((l) => pids.some((p) => l.includes(`pid=${p},`)));
        assert.ok(sockets.length >= 5, sockets.join("\n"));
        for (const line of sockets) assert.match(line.split(/\s+/)[3], /^127\.0\.0\.1:\d+$/, line);
    });

    it("has Ready simulated nodes and Istio's Telemetry and ServiceEntry CRDs", async () => {
        const nodes = JSON.parse(await kubectl(["get", "nodes", "-o", "json"])).items;
        assert.deepStrictEqual(nodes.map((n: any) => n.metadata.name).sort(), [...NODES].sort());
        assert.ok(nodes.every((n: any) => n.status.conditions.some((c: any) => c.type === "Ready" && c.status === "True")));
        const crds = await kubectl(["get", "crd", "-o", "name"]);
        for (const crd of ["telemetries.telemetry.istio.io", "serviceentries.networking.istio.io"]) assert.ok(crds.includes(crd), crd);
    });

    it("`up` on a running cluster is a no-op; `status` says running; `kubeconfig` prints the path", async () => {
        const out = capture();
        const err = capture();
        const started = Date.now();
        assert.strictEqual(await main(["up"], { out: out.stream, err: err.stream, stdin: () => "" }), 0);
        assert.ok(Date.now() - started < 5000, "a running cluster is not started again");
        assert.strictEqual(err.text(), "", "nothing was started");
        assert.strictEqual(await clusterState(), "running");
        const path = capture();
        assert.strictEqual(await main(["kubeconfig"], { out: path.stream, err: err.stream, stdin: () => "" }), 0);
        assert.strictEqual(path.text().trim(), await cluster());
    });

    it("rejects an unknown verb with usage (exit 2) and prints usage for --help (exit 0)", async () => {
        const out = capture();
        const err = capture();
        assert.strictEqual(await main(["start"], { out: out.stream, err: err.stream, stdin: () => "" }), 2);
        assert.match(err.text(), /^unknown verb "start"; allowed: up, down, status, kubeconfig\n/);
        assert.match(err.text(), /usage: npm run cluster -- up \| down \| status \| kubeconfig/);
        assert.strictEqual(await main(["--help"], { out: out.stream, err: err.stream, stdin: () => "" }), 0);
    });

    it("an API server that died: `status` says unhealthy and why within seconds; `local` fails at once with the cause", async () => {
        const apiserver = Number(fs.readFileSync(path.join(path.dirname(await cluster()), "pids", "kube-apiserver.pid"), "utf8"));
        process.kill(apiserver, "SIGKILL");
        for (let i = 0; i < 50 && clusterPids().includes(apiserver); i++) await new Promise((r) => setTimeout(r, 100));
        let started = Date.now();
        const out = capture();
        const err = capture();
        assert.strictEqual(await main(["status"], { out: out.stream, err: err.stream, stdin: () => "" }), 0);
        assert.strictEqual(out.text(), "unhealthy\n");
        const why = `kube-apiserver \\(pid ${apiserver}\\) no longer running; \`npm run cluster -- down\` removes`;
        assert.match(err.text(), new RegExp(why));
        assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
        started = Date.now();
        const local = await runCommand(localMain, ["preview", "-s", "dev"]);
        assert.strictEqual(local.code, 1, local.stderr);
        assert.match(local.stderr, /local: cluster eco2 is unhealthy: kube-apiserver \(pid \d+\) no longer running/);
        assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
    });

    it("a stale cluster (its processes gone, as after a reboot) is removed and started again", async () => {
        for (const pid of clusterPids()) process.kill(pid, "SIGKILL");
        for (let i = 0; i < 50 && clusterPids().length; i++) await new Promise((r) => setTimeout(r, 100));
        assert.strictEqual(await clusterState(), "stale");
        const err = capture();
        assert.strictEqual(await main(["up"], { out: capture().stream, err: err.stream, stdin: () => "" }), 0);
        assert.match(err.text(), /stale \(its processes are gone\); removing it/);
        assert.strictEqual(await clusterState(), "running");
        assert.ok((await kubectl(["get", "crd", "-o", "name"])).includes("telemetries.telemetry.istio.io"));
    });
});
