import * as assert from "assert";
import { main } from "../../toolchain/cluster-cli";
import { clusterState } from "../../toolchain/cluster";
import { cluster, kubectl } from "./harness";

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
    });

    it("has Ready simulated nodes and Istio's Telemetry and ServiceEntry CRDs", async () => {
        const nodes = JSON.parse(await kubectl(["get", "nodes", "-o", "json"])).items;
        assert.ok(nodes.length >= 1 && nodes.every((n: any) => n.status.conditions.some((c: any) => c.type === "Ready" && c.status === "True")));
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
        assert.match(err.text(), /usage: npm run cluster -- up \| down \| status \| kubeconfig/);
        assert.strictEqual(await main(["--help"], { out: out.stream, err: err.stream, stdin: () => "" }), 0);
    });
});
