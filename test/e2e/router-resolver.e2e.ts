/**
 * The router's k8s resolver against a real API server (the embedded cluster): otelcol runs the generated config's
 * k8s resolver (KUBECONFIG instead of the pod's service account: controller-runtime's GetConfig reads either) over
 * a Service's EndpointSlices, and its backend count (otelcol_loadbalancer_num_backends) follows them. kwok runs no
 * pods, so the slices are written here the way the EndpointSlice controller writes them for a scaled Deployment
 * (one endpoint per Ready pod, pod-network addresses nothing listens on: only the routing table is checked); the
 * controller itself is not what is tested.
 */
import * as assert from "assert";
import { cluster, kubectl } from "./harness";
import { RunningRouter, startRouter } from "./router-process";

const NS = "router-resolver-e2e";
const SERVICE = "jaeger-router-backends";

const slice = (addresses: string[]) => JSON.stringify({
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
        name: `${SERVICE}-e2e`, namespace: NS,
        labels: { "kubernetes.io/service-name": SERVICE, "endpointslice.kubernetes.io/managed-by": "eco2-e2e" },
    },
    addressType: "IPv4",
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
    ports: [{ name: "grpc-otlp", port: 4317, protocol: "TCP" }],
});

async function backends(router: RunningRouter): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${router.ports.metrics}/metrics`)).text();
    const m = /^otelcol_loadbalancer_num_backends(?:\{[^}]*\})? (\d+)/m.exec(text);
    return m ? Number(m[1]) : -1;
}

async function until(what: string, probe: () => Promise<boolean>, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await probe())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

describe("router k8s resolver on the embedded cluster: backends follow the headless Service's EndpointSlices", () => {
    let router: RunningRouter;

    before(async () => {
        const kubeconfig = await cluster();
        await kubectl(["create", "namespace", NS, "--dry-run=client", "-o", "json"]).then((ns) => kubectl(["apply", "-f", "-"], ns));
        await kubectl(["apply", "-f", "-"], JSON.stringify({
            apiVersion: "v1", kind: "Service", metadata: { name: SERVICE, namespace: NS },
            spec: { clusterIP: "None", ports: [{ name: "grpc-otlp", port: 4317 }] },
        }));
        await kubectl(["apply", "-f", "-"], slice(["10.244.0.2", "10.244.0.3"]));
        router = await startRouter({ k8s: { service: SERVICE, namespace: NS } }, "traceID", [], { KUBECONFIG: kubeconfig });
    });
    after(async () => {
        await router?.stop();
        await kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=false"]);
    });

    it("starts with one backend per endpoint, and scaling up and down changes them", async () => {
        await until("2 backends", async () => (await backends(router)) === 2);
        await kubectl(["apply", "-f", "-"], slice(["10.244.0.2", "10.244.0.3", "10.244.0.4"]));
        const scaledUp = Date.now();
        await until("3 backends", async () => (await backends(router)) === 3);
        process.stderr.write(`      3 endpoints → 3 backends ${Date.now() - scaledUp} ms after the slice changed\n`);
        await kubectl(["apply", "-f", "-"], slice(["10.244.0.3"]));
        await until("1 backend", async () => (await backends(router)) === 1);
        assert.strictEqual(await backends(router), 1);
    });
});
