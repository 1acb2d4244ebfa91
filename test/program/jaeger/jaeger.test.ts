import * as assert from "assert";
import * as YAML from "yaml";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { ConfigError, parseConfig } from "../../../program/config";
import { MockRun, RegisteredResource } from "../../../tools/mock-runtime";
import { CONFIG_HASH_LABEL, goMemLimit, mergeByName } from "../../../program/jaeger/values";
import { parseQuantity, deepMerge } from "../../../program/k8s";
import { ofType, one, runStack } from "../../helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SERVICE = "kubernetes:core/v1:Service";
const SECRET = "kubernetes:core/v1:Secret";

/**
 * The labels chart 4.11.1 puts on its pods, written out from its templates (_helpers.tpl `jaeger.selectorLabels`
 * plus `app.kubernetes.io/component: all-in-one` in jaeger-deploy.yaml; the same Deployment in every mode), kept
 * independent of program/jaeger/topology.ts so a drift there fails here.
 */
const chartPodLabels = (release: string) => ({
    "app.kubernetes.io/component": "all-in-one",
    "app.kubernetes.io/instance": release,
    "app.kubernetes.io/name": "jaeger",
});

const PROD_JAEGER = {
    mode: "production",
    replicas: 2,
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
    storage: { type: "elasticsearch", serverUrls: ["https://elasticsearch-master.logging.svc.cluster.local:9200"], username: "jaeger", indexPrefix: "eco2-jaeger", tlsSystemCAs: true },
};

const release = (run: MockRun) => one(run, RELEASE, "jaeger-release");
const values = (run: MockRun) => release(run).inputs.values;
/** What the chart does with `userconfig` (toYaml into the ConfigMap), and what Jaeger reads back. */
const userconfigFile = (run: MockRun) => YAML.parse(YAML.stringify(values(run).userconfig));

const HEALTH = { use_v2: true, http: { endpoint: "0.0.0.0:13133", status: { enabled: true, path: "/status" } } };
const RECEIVERS = {
    otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } } },
    zipkin: { endpoint: "0.0.0.0:9411" },
};
const SERVICE_SECTION = {
    extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
    pipelines: { traces: { exporters: ["jaeger_storage_exporter"], processors: ["attributes/scrub", "batch"], receivers: ["otlp", "zipkin"] } },
    telemetry: {
        logs: { level: "info" },
        metrics: { level: "detailed", readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: 8888 } } } }] },
        resource: { "service.name": "jaeger" },
    },
};
const userconfigWith = (backend: unknown) => ({
    exporters: { jaeger_storage_exporter: { trace_storage: "primary_store" } },
    extensions: {
        healthcheckv2: HEALTH,
        jaeger_query: { grpc: { endpoint: "0.0.0.0:16685" }, http: { endpoint: "0.0.0.0:16686" }, storage: { traces: "primary_store" } },
        jaeger_storage: { backends: { primary_store: backend } },
    },
    // The default scrubbing (config scrubAttributes), in head mode too.
    processors: {
        "attributes/scrub": { actions: [{ action: "delete", key: "http.request.header.authorization" }, { action: "hash", key: "db.statement" }] },
        batch: {},
    },
    receivers: RECEIVERS,
    service: SERVICE_SECTION,
});

const HARDENED = {
    extraVolumeMounts: [{ mountPath: "/tmp", name: "tmp" }],
    extraVolumes: [{ emptyDir: { sizeLimit: "64Mi" }, name: "tmp" }],
    podSecurityContext: { fsGroup: 10001, runAsGroup: 10001, runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true },
    service: { type: "ClusterIP" },
    serviceAccount: { automountServiceAccountToken: false },
};

/** `values.jaeger` without the config-hash label, which is checked on its own. */
function chartJaeger(run: MockRun) {
    const { podLabels, ...rest } = values(run).jaeger;
    assert.match(podLabels[CONFIG_HASH_LABEL], /^[0-9a-f]{16}$/);
    const { [CONFIG_HASH_LABEL]: _hash, ...labels } = podLabels;
    return { ...rest, podLabels: labels };
}

function assertServices(run: MockRun, releaseName: string) {
    const collector = one(run, SERVICE, "jaeger-collector-clusterip").inputs;
    const query = one(run, SERVICE, "jaeger-query-clusterip").inputs;
    assert.strictEqual(collector.metadata.name, "jaeger-collector-clusterip");
    assert.strictEqual(query.metadata.name, "jaeger-query-clusterip");
    for (const svc of [collector, query]) {
        assert.strictEqual(svc.metadata.namespace, "istio-system");
        assert.strictEqual(svc.spec.type, "ClusterIP");
        assert.strictEqual(svc.spec.clusterIP, undefined, "never headless");
        assert.deepStrictEqual(svc.spec.selector, chartPodLabels(releaseName));
    }
    assert.deepStrictEqual(collector.spec.ports, [
        { appProtocol: "http", name: "http-zipkin", port: 9411, protocol: "TCP", targetPort: 9411 },
        { appProtocol: "grpc", name: "grpc-otlp", port: 4317, protocol: "TCP", targetPort: 4317 },
        { appProtocol: "http", name: "http-otlp", port: 4318, protocol: "TCP", targetPort: 4318 },
    ]);
    assert.deepStrictEqual(query.spec.ports, [
        { appProtocol: "http", name: "http-query", port: 16686, protocol: "TCP", targetPort: 16686 },
        { appProtocol: "grpc", name: "grpc-query", port: 16685, protocol: "TCP", targetPort: 16685 },
    ]);
}

function findNull(value: unknown, path = "values"): string | undefined {
    if (value === null) return path;
    if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            const found = findNull(v, `${path}.${k}`);
            if (found) return found;
        }
    }
    return undefined;
}

/** The Deployment's pod as chart 4.11.1 builds it from these values (jaeger-deploy.yaml), for schema validation. */
function podFromValues(v: any) {
    return {
        apiVersion: "v1" as const,
        kind: "Pod" as const,
        metadata: { name: "jaeger", labels: { ...v.jaeger.podLabels, ...chartPodLabels("jaeger") } },
        spec: {
            securityContext: v.jaeger.podSecurityContext,
            automountServiceAccountToken: v.jaeger.serviceAccount.automountServiceAccountToken,
            containers: [{
                name: "jaeger",
                image: "jaegertracing/jaeger:2.19.0",
                env: v.jaeger.extraEnv,
                securityContext: v.jaeger.securityContext,
                resources: v.jaeger.resources,
                volumeMounts: [{ name: "user-config", mountPath: "/etc/jaeger/user-config.yaml", subPath: "user-config.yaml" }, ...v.jaeger.extraVolumeMounts],
            }],
            volumes: [{ name: "user-config", configMap: { name: "user-config" } }, ...v.jaeger.extraVolumes],
        },
    };
}

describe("jaeger", () => {
    describe("dev (allInOne)", () => {
        let run: MockRun;
        before(async () => (run = await runStack("dev")));

        it("installs the pinned official chart as release 'jaeger' in istio-system", () => {
            const inputs = release(run).inputs;
            assert.deepStrictEqual(
                { name: inputs.name, chart: inputs.chart, version: inputs.version, repositoryOpts: inputs.repositoryOpts, namespace: inputs.namespace, atomic: inputs.atomic },
                { name: "jaeger", chart: "jaeger", version: "4.11.1", repositoryOpts: { repo: "https://jaegertracing.github.io/helm-charts" }, namespace: "istio-system", atomic: true },
            );
            assert.deepStrictEqual(Object.keys(values(run)).sort(), ["jaeger", "userconfig"]);
        });

        it("userconfig: bounded memory store, OTLP + Zipkin in, query on 16686 (HTTP) and 16685 (gRPC), the health check the probes hit", () => {
            assert.strictEqual(typeof values(run).userconfig, "object", "a string would be rendered as a YAML block scalar");
            assert.deepStrictEqual(userconfigFile(run), userconfigWith({ memory: { max_traces: 20000 } }));
        });

        it("one replica, resources from config, hardened pod without a sidecar, GOMEMLIMIT at 80 % of the limit, no password env", () => {
            assert.deepStrictEqual(chartJaeger(run), {
                ...HARDENED,
                // 0.8 × 512Mi = 409.6MiB, rounded down to whole MiB.
                extraEnv: [{ name: "GOMEMLIMIT", value: "409MiB" }],
                podLabels: { "sidecar.istio.io/inject": "false" },
                replicas: 1,
                resources: { limits: { memory: "512Mi" }, requests: { cpu: "100m", memory: "256Mi" } },
            });
            assert.strictEqual(ofType(run, SECRET).length, 0);
        });

        it("ClusterIP Services select exactly the chart's pods", () => assertServices(run, "jaeger"));

        it("exports the in-cluster endpoints", () => {
            assert.deepStrictEqual(run.outputs?.endpoints, {
                zipkin: "http://jaeger-collector-clusterip.istio-system.svc.cluster.local:9411/api/v2/spans",
                otlpGrpc: "http://jaeger-collector-clusterip.istio-system.svc.cluster.local:4317",
                otlpHttp: "http://jaeger-collector-clusterip.istio-system.svc.cluster.local:4318",
                query: "http://jaeger-query-clusterip.istio-system.svc.cluster.local:16686",
                queryGrpc: "http://jaeger-query-clusterip.istio-system.svc.cluster.local:16685",
                collectorHost: "jaeger-collector-clusterip.istio-system.svc.cluster.local",
                queryHost: "jaeger-query-clusterip.istio-system.svc.cluster.local",
            });
        });

        it("values carry no null (Helm would delete those keys)", () => assert.strictEqual(findNull(values(run)), undefined));
    });

    describe("prod (production, Elasticsearch)", () => {
        let run: MockRun;
        before(async () => (run = await runStack("prod")));

        it("installs the same chart, same release name", () => {
            const inputs = release(run).inputs;
            assert.deepStrictEqual([inputs.name, inputs.chart, inputs.version, inputs.repositoryOpts.repo, inputs.namespace], ["jaeger", "jaeger", "4.11.1", "https://jaegertracing.github.io/helm-charts", "istio-system"]);
        });

        it("userconfig: Elasticsearch at the configured URL, index prefix, password only as an env reference, Zipkin kept", () => {
            assert.deepStrictEqual(userconfigFile(run), userconfigWith({
                elasticsearch: {
                    auth: { basic: { password: "${env:STORAGE_PASSWORD}", username: "jaeger" } },
                    indices: { index_prefix: "eco2-jaeger" },
                    server_urls: ["https://elasticsearch-master.logging.svc.cluster.local:9200"],
                    // The stack file's caSecretRef: the Elastic chart's self-signed certificate is verified with its CA.
                    tls: { ca_file: "/etc/jaeger/storage-ca/ca.crt" },
                },
            }));
        });

        it("replicas, resources, rolling updates, and the password from the existing Secret", () => {
            assert.deepStrictEqual(chartJaeger(run), {
                ...HARDENED,
                extraVolumeMounts: [...HARDENED.extraVolumeMounts, { mountPath: "/etc/jaeger/storage-ca", name: "storage-ca", readOnly: true }],
                extraVolumes: [...HARDENED.extraVolumes, { name: "storage-ca", secret: { items: [{ key: "ca.crt", path: "ca.crt" }], secretName: "jaeger-es-ca" } }],
                // 0.8 × 1Gi = 819.2MiB.
                extraEnv: [
                    { name: "GOMEMLIMIT", value: "819MiB" },
                    { name: "STORAGE_PASSWORD", valueFrom: { secretKeyRef: { key: "password", name: "jaeger-es-credentials" } } },
                ],
                podLabels: { "sidecar.istio.io/inject": "false" },
                replicas: 2,
                resources: { limits: { memory: "1Gi" }, requests: { cpu: "250m", memory: "512Mi" } },
                strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }, type: "RollingUpdate" },
            });
            assert.strictEqual(ofType(run, SECRET).length, 0, "an existing Secret is referenced, not created");
        });

        it("ClusterIP Services select exactly the chart's pods", () => assertServices(run, "jaeger"));

        it("exports the same endpoints", () =>
            assert.strictEqual(run.outputs?.endpoints.otlpHttp, "http://jaeger-collector-clusterip.istio-system.svc.cluster.local:4318"));
    });

    describe("storage password from the Pulumi secret", () => {
        const password = "s3cr3t-Pa55w0rd-do-not-leak";
        let run: MockRun;
        before(async () => (run = await runStack("prod", { set: { jaegerStoragePassword: password, jaeger: PROD_JAEGER }, secretKeys: ["jaegerStoragePassword"] })));

        it("goes into a Secret the chart values only name", () => {
            const secret = one(run, SECRET, "jaeger-storage-credentials").inputs;
            assert.deepStrictEqual(secret.metadata.name, "jaeger-storage-credentials");
            assert.deepStrictEqual(secret.metadata.namespace, "istio-system");
            // Recorded as a secret: the engine encrypts it in state.
            assert.deepStrictEqual(secret.stringData, { [specialSigKey]: specialSecretSig, value: { password } });
            assert.deepStrictEqual(values(run).jaeger.extraEnv.find((e: { name: string }) => e.name === "STORAGE_PASSWORD"), { name: "STORAGE_PASSWORD", valueFrom: { secretKeyRef: { key: "password", name: "jaeger-storage-credentials" } } });
            assert.strictEqual(userconfigFile(run).extensions.jaeger_storage.backends.primary_store.elasticsearch.auth.basic.password, "${env:STORAGE_PASSWORD}");
        });

        it("never appears in plain text anywhere else", () => {
            const others: RegisteredResource[] = run.resources.filter((r) => !(r.type === SECRET && r.name === "jaeger-storage-credentials"));
            for (const r of others) assert.ok(!JSON.stringify(r.inputs).includes(password), `${r.type} ${r.name} carries the password`);
            assert.ok(!JSON.stringify(values(run)).includes(password));
            assert.ok(!JSON.stringify(run.outputs).includes(password));
        });
    });

    describe("local chart (jaeger.chart.path)", () => {
        it("installs the chart file as written, with the pinned version and no repository", async () => {
            const run = await runStack("dev", { set: { jaeger: { chart: { path: "../shared/charts/jaeger-4.11.1.tgz" } } } });
            const inputs = release(run).inputs;
            assert.deepStrictEqual(
                { chart: inputs.chart, version: inputs.version, repositoryOpts: inputs.repositoryOpts },
                { chart: "../shared/charts/jaeger-4.11.1.tgz", version: "4.11.1", repositoryOpts: undefined },
            );
        });
    });

    describe("OpenSearch, anonymous, TLS verification off", () => {
        it("uses the opensearch backend without an auth block", async () => {
            const jaeger = { ...PROD_JAEGER, storage: { type: "opensearch", serverUrls: ["https://os-0:9200", "https://os-1:9200"], tlsInsecureSkipVerify: true, tlsInsecureSkipVerifyAcknowledged: true } };
            const run = await runStack("prod", { set: { jaeger } });
            assert.deepStrictEqual(userconfigFile(run).extensions.jaeger_storage.backends, {
                primary_store: { opensearch: { indices: { index_prefix: "jaeger" }, server_urls: ["https://os-0:9200", "https://os-1:9200"], tls: { insecure_skip_verify: true } } },
            });
            assert.deepStrictEqual(values(run).jaeger.extraEnv, [{ name: "GOMEMLIMIT", value: "819MiB" }], "no password env without a password");
        });
    });

    describe("privately signed backend (storage.caSecretRef)", () => {
        const caSecretRef = { name: "es-ca", key: "tls.ca" };

        it("mounts the CA read-only and points the backend's tls.ca_file at it; user volumes keep it", async () => {
            const helmValues = { jaeger: { extraVolumes: [{ name: "extra", emptyDir: {} }], extraVolumeMounts: [{ name: "extra", mountPath: "/extra" }] } };
            const run = await runStack("prod", { set: { jaeger: { ...PROD_JAEGER, storage: { ...PROD_JAEGER.storage, passwordSecretRef: { name: "es", key: "pw" }, tlsSystemCAs: false, caSecretRef }, helmValues } } });
            const v = values(run);
            assert.deepStrictEqual(userconfigFile(run).extensions.jaeger_storage.backends.primary_store.elasticsearch.tls, { ca_file: "/etc/jaeger/storage-ca/ca.crt" });
            assert.deepStrictEqual(v.jaeger.extraVolumes, [
                { emptyDir: { sizeLimit: "64Mi" }, name: "tmp" },
                { name: "storage-ca", secret: { items: [{ key: "tls.ca", path: "ca.crt" }], secretName: "es-ca" } },
                { emptyDir: {}, name: "extra" },
            ]);
            assert.deepStrictEqual(v.jaeger.extraVolumeMounts, [
                { mountPath: "/tmp", name: "tmp" },
                { mountPath: "/etc/jaeger/storage-ca", name: "storage-ca", readOnly: true },
                { mountPath: "/extra", name: "extra" },
            ]);
            const { Pod } = await import("kubernetes-models/v1/Pod");
            new Pod(podFromValues(v)).validate();
        });

        it("with tlsSystemCAs nothing is mounted and the system CAs verify the backend", async () => {
            const run = await runStack("prod", { set: { jaeger: { ...PROD_JAEGER, storage: { ...PROD_JAEGER.storage, passwordSecretRef: { name: "es", key: "pw" } } } } });
            assert.strictEqual(userconfigFile(run).extensions.jaeger_storage.backends.primary_store.elasticsearch.tls, undefined);
            assert.deepStrictEqual(values(run).jaeger.extraVolumes.map((x: { name: string }) => x.name), ["tmp"]);
        });

        it("config rejects a CA together with tlsInsecureSkipVerify", () => {
            assert.throws(
                () => parseConfig({ environment: "prod", sampling: 5, jaeger: { ...PROD_JAEGER, storage: { ...PROD_JAEGER.storage, username: undefined, tlsSystemCAs: false, caSecretRef, tlsInsecureSkipVerify: true } } }, { stack: "prod" }),
                (e: unknown) => e instanceof ConfigError && /eco2-tracing:jaeger\.storage\.caSecretRef.*tlsInsecureSkipVerify/.test(e.problems.join("\n")),
            );
        });
    });

    describe("release name and selectors", () => {
        it("a custom release name is used verbatim and the selectors follow it", async () => {
            const run = await runStack("dev", { set: { jaeger: { releaseName: "tracing", memory: { maxTraces: 20000 } } } });
            assert.strictEqual(release(run).inputs.name, "tracing");
            assertServices(run, "tracing");
            // The chart appends podLabels after its selector labels: they must not redefine them.
            for (const key of Object.keys(chartPodLabels("tracing"))) assert.ok(!(key in values(run).jaeger.podLabels), key);
            assert.strictEqual(values(run).nameOverride, undefined);
        });

        it("emitted Services and the pod built from the values pass the Kubernetes schemas", async () => {
            const [{ Service }, { Pod }] = await Promise.all([import("kubernetes-models/v1/Service"), import("kubernetes-models/v1/Pod")]);
            for (const stack of ["dev", "prod"]) {
                const run = await runStack(stack);
                for (const svc of ofType(run, SERVICE)) new Service(svc.inputs as any).validate();
                new Pod(podFromValues(values(run))).validate();
            }
            assert.throws(() => new Service({ spec: { ports: [{ port: "x" as any }] } }).validate());
        });

        it("nothing is exposed through LoadBalancer or NodePort", async () => {
            for (const stack of ["dev", "prod"]) {
                const run = await runStack(stack);
                for (const svc of ofType(run, SERVICE)) assert.strictEqual(svc.inputs.spec.type, "ClusterIP", svc.name);
                assert.strictEqual(values(run).jaeger.service.type, "ClusterIP");
            }
        });
    });

    describe("helmValues and config changes", () => {
        it("helmValues are deep-merged: maps merge, other lists replace, null removes", async () => {
            const helmValues = {
                jaeger: { nodeSelector: { pool: "observability" }, serviceAccount: null },
                userconfig: { service: { telemetry: { logs: { level: "debug" } }, pipelines: { traces: { receivers: ["otlp"] } } } },
            };
            const run = await runStack("dev", { set: { jaeger: { helmValues } } });
            const v = values(run);
            assert.deepStrictEqual(v.jaeger.nodeSelector, { pool: "observability" });
            assert.strictEqual(v.jaeger.serviceAccount, undefined);
            assert.strictEqual(v.userconfig.service.telemetry.logs.level, "debug");
            assert.deepStrictEqual(v.userconfig.service.pipelines.traces.receivers, ["otlp"]);
            assert.deepStrictEqual(v.userconfig.service.telemetry.metrics.readers[0].pull.exporter.prometheus, { host: "0.0.0.0", port: 8888 });
            assert.deepStrictEqual(v.jaeger.securityContext.capabilities, { drop: ["ALL"] });
        });

        it("prod: a user's extraEnv merges by name, so the password env userconfig references is kept", async () => {
            const extraEnv = [{ name: "GOMEMLIMIT", value: "700MiB" }, { name: "HTTPS_PROXY", value: "http://proxy:3128" }];
            const run = await runStack("prod", { set: { jaeger: { ...PROD_JAEGER, storage: { ...PROD_JAEGER.storage, passwordSecretRef: { name: "es", key: "pw" } }, helmValues: { jaeger: { extraEnv } } } } });
            assert.deepStrictEqual(values(run).jaeger.extraEnv, [
                { name: "GOMEMLIMIT", value: "700MiB" },
                { name: "STORAGE_PASSWORD", valueFrom: { secretKeyRef: { key: "pw", name: "es" } } },
                { name: "HTTPS_PROXY", value: "http://proxy:3128" },
            ]);
            assert.strictEqual(userconfigFile(run).extensions.jaeger_storage.backends.primary_store.elasticsearch.auth.basic.password, "${env:STORAGE_PASSWORD}");
        });

        it("dev: a user's extra volumes merge by name, so the tmp volume behind the /tmp mount is kept", async () => {
            const helmValues = {
                jaeger: {
                    extraVolumes: [{ name: "ui-config", configMap: { name: "jaeger-ui" } }],
                    extraVolumeMounts: [{ name: "ui-config", mountPath: "/etc/jaeger-ui", readOnly: true }],
                },
            };
            const run = await runStack("dev", { set: { jaeger: { helmValues } } });
            const v = values(run);
            assert.deepStrictEqual(v.jaeger.extraVolumes, [{ emptyDir: { sizeLimit: "64Mi" }, name: "tmp" }, { configMap: { name: "jaeger-ui" }, name: "ui-config" }]);
            assert.deepStrictEqual(v.jaeger.extraVolumeMounts, [{ mountPath: "/tmp", name: "tmp" }, { mountPath: "/etc/jaeger-ui", name: "ui-config", readOnly: true }]);
            const { Pod } = await import("kubernetes-models/v1/Pod");
            new Pod(podFromValues(v)).validate();
            // Same name: the user's entry takes the generated one's place.
            const bigger = await runStack("dev", { set: { jaeger: { helmValues: { jaeger: { extraVolumes: [{ name: "tmp", emptyDir: { sizeLimit: "1Gi" } }] } } } } });
            assert.deepStrictEqual(values(bigger).jaeger.extraVolumes, [{ emptyDir: { sizeLimit: "1Gi" }, name: "tmp" }]);
        });

        it("mergeByName keeps generated entries in order, replaces by name, appends the rest", () => {
            assert.deepStrictEqual(mergeByName([{ name: "a", v: 1 }, { name: "b", v: 1 }], [{ name: "c" }, { name: "a", v: 2 }, { x: 1 }]), [{ name: "a", v: 2 }, { name: "b", v: 1 }, { name: "c" }, { x: 1 }]);
        });

        it("deepMerge does not mutate its inputs", () => {
            const base = Object.freeze({ a: Object.freeze({ b: 1, c: [1, 2] }) });
            assert.deepStrictEqual(deepMerge(base, { a: { c: [3] }, d: 4 }), { a: { b: 1, c: [3] }, d: 4 });
            assert.deepStrictEqual(base, { a: { b: 1, c: [1, 2] } });
        });

        it("two runs give identical values; a userconfig change changes the pod's config-hash label", async () => {
            const [a, b] = [await runStack("dev"), await runStack("dev")];
            assert.strictEqual(JSON.stringify(values(a)), JSON.stringify(values(b)));
            const bigger = await runStack("dev", { set: { jaeger: { memory: { maxTraces: 21000 } } } });
            assert.strictEqual(userconfigFile(bigger).extensions.jaeger_storage.backends.primary_store.memory.max_traces, 21000);
            assert.notStrictEqual(values(bigger).jaeger.podLabels[CONFIG_HASH_LABEL], values(a).jaeger.podLabels[CONFIG_HASH_LABEL]);
        });

        it("config rejects helmValues that break the selectors or expose Jaeger", () => {
            const problems = (helmValues: unknown) => {
                try {
                    parseConfig({ environment: "dev", jaeger: { helmValues } }, { stack: "dev" });
                } catch (e) {
                    assert.ok(e instanceof ConfigError);
                    return e.problems.join("\n");
                }
                return "";
            };
            assert.match(problems({ nameOverride: "tracing" }), /stack "dev": eco2-tracing:jaeger\.helmValues\.nameOverride = "tracing": .*allowed: unset/);
            for (const type of ["LoadBalancer", "NodePort"]) {
                assert.match(problems({ jaeger: { service: { type } } }), new RegExp(`eco2-tracing:jaeger\\.helmValues\\.jaeger\\.service\\.type = "${type}": .*allowed: ClusterIP`));
            }
            assert.strictEqual(problems({ jaeger: { service: { type: "ClusterIP" }, nodeSelector: { a: "b" } } }), "");
        });
    });
});

describe("GOMEMLIMIT", () => {
    it("parses Kubernetes quantities", () => {
        assert.deepStrictEqual(
            ["512Mi", "1Gi", "1.5Gi", "64Ki", "1k", "1M", "1G", "2048", "500m"].map(parseQuantity),
            [512 * 2 ** 20, 2 ** 30, 1.5 * 2 ** 30, 64 * 1024, 1000, 1e6, 1e9, 2048, 0.5],
        );
        assert.throws(() => parseQuantity("1GB"), /not a Kubernetes quantity/);
    });

    it("is 80 % of the memory limit in whole MiB (Go's own unit syntax), absent without a limit", async () => {
        assert.deepStrictEqual(["512Mi", "1Gi", "2G", "1000M", "1024"].map(goMemLimit), ["409MiB", "819MiB", "1525MiB", "762MiB", "819"]);
        assert.strictEqual(goMemLimit(undefined), undefined);
        const run = await runStack("dev", { set: { jaeger: { resources: { limits: { cpu: "1" } } } } });
        assert.deepStrictEqual(values(run).jaeger.extraEnv, []);
    });
});
