/**
 * The router tier's chart values rendered by the real `helm template` from the real opentelemetry-collector 0.170.0
 * archive (the chart checks them against its values.schema.json), and the rendered collector config validated by
 * the toolchain's otelcol (`otelcol validate`, with the k8s resolver; nothing is started).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { K8S_VERSION } from "../../toolchain/build/components";
import { sharedChart } from "../../toolchain/kit/paths";
import { toolPath } from "../../toolchain/build/tools";
import { routerPodLabels } from "../../components/collector-tier/collector-tier";
import { one, runStack } from "../helpers";
import { must, parseYaml, tmpDir, toYaml } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("router tier chart: helm template of opentelemetry-collector 0.170.0 with the generated values", () => {
    let rendered: Record<string, any>[];
    let dir: string;
    const kind = (k: string) => rendered.filter((o) => o.kind === k);

    before(async function () {
        const chart = sharedChart("opentelemetry-collector", "0.170.0");
        if (!chart) this.skip();
        const run = await runStack("prod", {
            set: {
                sampling: undefined,
                telemetry: { accessLogging: true },
                tailSampling: { enabled: true, probabilisticPercent: 5, routerReplicas: 2 },
                jaeger: {
                    mode: "production", replicas: 3,
                    storage: { type: "elasticsearch", serverUrls: ["https://es:9200"], tlsSystemCAs: true },
                },
            },
        });
        const release = one(run, RELEASE, "collector-tier-release").inputs;
        dir = tmpDir("router-chart");
        const values = path.join(dir, "values.yaml");
        fs.writeFileSync(values, toYaml([release.values]));
        const helm = await toolPath("helm");
        const args = ["template", release.name, chart!, "--namespace", release.namespace, "--kube-version", K8S_VERSION, "-f", values];
        rendered = parseYaml(must(helm, args));
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("a Deployment of 2 pinned routers, the selector the stable Service uses, OTLP and Zipkin ports, no Service or ClusterRole", () => {
        const [deploy] = kind("Deployment");
        assert.strictEqual(kind("Deployment").length, 1);
        assert.strictEqual(deploy.spec.replicas, 2);
        const labels = deploy.spec.template.metadata.labels;
        for (const [k, v] of Object.entries(routerPodLabels("jaeger-router"))) assert.strictEqual(labels[k], v, k);
        const [container] = deploy.spec.template.spec.containers;
        assert.strictEqual(container.image, "otel/opentelemetry-collector-k8s:0.158.0");
        assert.deepStrictEqual(container.ports.map((p: { containerPort: number }) => p.containerPort).sort(), [4317, 4318, 9411]);
        assert.strictEqual(deploy.spec.template.spec.serviceAccountName, "jaeger-router");
        assert.deepStrictEqual(kind("Service"), []);
        assert.deepStrictEqual([...kind("ClusterRole"), ...kind("ClusterRoleBinding")], []);
    });

    it("the rendered config is the generated one, and the real otelcol 0.158.0 validates it (k8s resolver)", async () => {
        const [cm] = kind("ConfigMap");
        const relay = cm.data.relay;
        assert.match(relay, /routing_key: traceID/);
        assert.match(relay, /service: jaeger-router-backends\.istio-system/);
        const file = path.join(dir, "relay.yaml");
        fs.writeFileSync(file, relay);
        const out = must(await toolPath("otelcol"), ["validate", "--config", file], { env: { ...process.env, MY_POD_IP: "127.0.0.1" } });
        assert.doesNotMatch(out, /error/i);
    });
});
