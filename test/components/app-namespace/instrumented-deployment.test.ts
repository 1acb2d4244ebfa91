import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { assertValidK8s } from "../../k8s-schema";
// The face app teams import.
import { instrumentedDeployment, InstrumentedDeploymentArgs, OTEL_ENV_CHECKSUM_ANNOTATION } from "../../../components/app-namespace";
import { MockRun, runUnderMocks } from "../../../tools/mock-runtime";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

async function render(args: InstrumentedDeploymentArgs): Promise<MockRun> {
    return runUnderMocks(() => {
        instrumentedDeployment("api", args);
    }, { project: "app", stack: "dev", config: {} });
}

function deployment(run: MockRun) {
    const found = run.resources.filter((r) => r.type === DEPLOYMENT);
    assert.strictEqual(found.length, 1);
    return found[0];
}

describe("instrumentedDeployment (kubernetesx)", () => {
    it("loads the OTEL ConfigMap, sets OTEL_SERVICE_NAME first, carries app/version labels, names the container", async () => {
        const run = await render({
            namespace: "auth",
            serviceName: "auth-api",
            version: "v2",
            container: {
                image: "ghcr.io/eco2/auth:1.4.0",
                env: { LOG_LEVEL: "info", DB_PASSWORD: { secretKeyRef: { name: "db", key: "password" } }, REGION: pulumi.output("ap-northeast-2") },
                envFrom: [{ secretRef: { name: "auth-extra" } }],
                ports: { http: 8000 },
            },
            replicas: 2,
        });
        const d = deployment(run);
        assert.strictEqual(d.name, "api");
        assert.deepStrictEqual(d.inputs.metadata, { name: "auth-api", namespace: "auth", labels: { app: "auth-api", version: "v2" } });
        assert.strictEqual(d.inputs.spec.replicas, 2);
        assert.deepStrictEqual(d.inputs.spec.selector, { matchLabels: { app: "auth-api" } });
        assert.deepStrictEqual(d.inputs.spec.template.metadata.labels, { app: "auth-api", version: "v2" });
        // The OTLP exports bypass the sidecar, so Envoy does not turn each export into a trace of its own.
        assert.deepStrictEqual(d.inputs.spec.template.metadata.annotations, { "traffic.sidecar.istio.io/excludeOutboundPorts": "4317,4318" });
        const containers = d.inputs.spec.template.spec.containers;
        assert.strictEqual(containers.length, 1);
        const c = containers[0];
        // kx would name it "auth" after the image; the helper names it after the service.
        assert.strictEqual(c.name, "auth-api");
        assert.deepStrictEqual(c.envFrom, [{ configMapRef: { name: "otel-tracing-env" } }, { secretRef: { name: "auth-extra" } }]);
        assert.deepStrictEqual(c.env, [
            { name: "OTEL_SERVICE_NAME", value: "auth-api" },
            { name: "LOG_LEVEL", value: "info" },
            { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
            { name: "REGION", value: "ap-northeast-2" },
        ]);
        assert.deepStrictEqual(c.ports, [{ name: "http", containerPort: 8000 }]);
        await assertValidK8s(d);
    });

    it("keeps an explicit container name, list-form env, a custom ConfigMap and extra pod labels (app/version win)", async () => {
        const run = await render({
            namespace: "chat",
            serviceName: "chat",
            version: "2024.06.1",
            container: { name: "server", image: "chat:1", env: [{ name: "A", value: pulumi.output("1") }, { name: "B", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }] },
            otelConfigMapName: "otel-custom",
            podLabels: { team: "chat", app: "spoofed", version: "spoofed" },
        });
        const d = deployment(run);
        const c = d.inputs.spec.template.spec.containers[0];
        assert.strictEqual(c.name, "server");
        assert.deepStrictEqual(c.env, [{ name: "OTEL_SERVICE_NAME", value: "chat" }, { name: "A", value: "1" }, { name: "B", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }]);
        assert.deepStrictEqual(c.envFrom, [{ configMapRef: { name: "otel-custom" } }]);
        assert.deepStrictEqual(d.inputs.spec.template.metadata.labels, { app: "chat", team: "chat", version: "2024.06.1" });
        assert.strictEqual(d.inputs.spec.replicas, 1);
        await assertValidK8s(d);
    });

    it("keeps the app's own pod annotations and excluded ports next to the collector's OTLP ports", async () => {
        const run = await render({
            namespace: "scan",
            serviceName: "scan-api",
            version: "v1",
            container: { image: "scan:1" },
            podAnnotations: { "traffic.sidecar.istio.io/excludeOutboundPorts": "5432, 4317", "prometheus.io/scrape": "true" },
        });
        assert.deepStrictEqual(deployment(run).inputs.spec.template.metadata.annotations, {
            "prometheus.io/scrape": "true",
            "traffic.sidecar.istio.io/excludeOutboundPorts": "4317,4318,5432",
        });
    });

    it("with the namespace's environment checksum, a pod annotation: a sampler change rolls the pods; without, none", async () => {
        const args = { namespace: "scan", serviceName: "scan-api", version: "v1", container: { image: "scan:1" } };
        const withSum = await render({ ...args, otelEnvChecksum: pulumi.output("abc123") });
        assert.strictEqual(deployment(withSum).inputs.spec.template.metadata.annotations[OTEL_ENV_CHECKSUM_ANNOTATION], "abc123");
        const without = await render(args);
        assert.ok(!(OTEL_ENV_CHECKSUM_ANNOTATION in deployment(without).inputs.spec.template.metadata.annotations));
    });

    it("refuses an OTEL_SERVICE_NAME set by the container, before registering anything (the service name has one source)", () => {
        for (const env of [{ OTEL_SERVICE_NAME: "other" }, [{ name: "OTEL_SERVICE_NAME", value: "other" }]]) {
            assert.throws(() => instrumentedDeployment("api", { namespace: "a", serviceName: "svc", version: "v1", container: { image: "x:1", env } }), /sets OTEL_SERVICE_NAME; it comes from serviceName "svc"/);
        }
    });

    it("rejects names Kubernetes would reject, before registering anything", () => {
        const base = { namespace: "a", version: "v1", container: { image: "x:1" } };
        assert.throws(() => instrumentedDeployment("x", { ...base, serviceName: "Auth_API" }), /serviceName "Auth_API" is invalid; allowed: a DNS-1123 label/);
        assert.throws(() => instrumentedDeployment("x", { ...base, serviceName: "ok", version: "v1 beta" }), /version "v1 beta" is invalid/);
    });

    it("renders identically twice", async () => {
        const args: InstrumentedDeploymentArgs = { namespace: "a", serviceName: "svc", version: "v1", container: { image: "x:1", env: { B: "2", A: "1" } } };
        assert.deepStrictEqual(deployment(await render(args)).inputs, deployment(await render(args)).inputs);
    });

    it("a Python app: its opentelemetry-instrument command is kept, and no language-specific variable is added", async () => {
        const run = await render({
            namespace: "auth", serviceName: "auth-api", version: "v1",
            container: { image: "ghcr.io/eco2/auth-api:1.4.0", command: ["opentelemetry-instrument"], args: ["uvicorn", "app:app"] },
        });
        const c = deployment(run).inputs.spec.template.spec.containers[0];
        assert.deepStrictEqual([c.command, c.args], [["opentelemetry-instrument"], ["uvicorn", "app:app"]]);
        // Everything else (propagators, exporter, OTEL_PYTHON_EXCLUDED_URLS) comes from the ConfigMap.
        assert.deepStrictEqual(c.env, [{ name: "OTEL_SERVICE_NAME", value: "auth-api" }]);
        assert.deepStrictEqual(c.envFrom, [{ configMapRef: { name: "otel-tracing-env" } }]);
    });
});
