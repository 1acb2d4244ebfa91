/** The Jaeger component through the real program: dev and prod installs, storage, credentials, the Services. */
import * as assert from "assert";
import { JAEGER_VERSION, jaegerPodLabels } from "../../../components/foundation/topology";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { ConfigError, parseConfig } from "../../../components/config";
import { MockRun, RegisteredResource } from "../../../tools/mock-runtime";
import { ofType, one, runStack } from "../../helpers";
import { SECRET, PROD_JAEGER, release, values, userconfigFile, userconfigWith, HARDENED, chartJaeger, assertServices, findNull, podFromValues } from "./jaeger-helpers";

const PDB = "kubernetes:policy/v1:PodDisruptionBudget";

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
                image: { tag: JAEGER_VERSION },
                // 0.8 × 512Mi = 409.6MiB, rounded down to whole MiB.
                extraEnv: [{ name: "GOMEMLIMIT", value: "409MiB" }],
                podLabels: { "sidecar.istio.io/inject": "false" },
                replicas: 1,
                resources: { limits: { memory: "512Mi" }, requests: { cpu: "100m", memory: "256Mi" } },
            });
            assert.strictEqual(ofType(run, SECRET).length, 0);
        });

        it("ClusterIP Services select exactly the chart's pods", () => assertServices(run, "jaeger"));

        it("one replica: no disruption budget (it would block every drain) and no anti-affinity", () => {
            assert.deepStrictEqual(ofType(run, PDB), []);
            assert.strictEqual(chartJaeger(run).affinity, undefined);
        });

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
                image: { tag: JAEGER_VERSION },
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
                affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: {
                    topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: jaegerPodLabels("jaeger") },
                } }] } },
            });
            assert.strictEqual(ofType(run, SECRET).length, 0, "an existing Secret is referenced, not created");
        });

        it("a node drain takes one replica at a time: a PodDisruptionBudget on exactly the chart's pods", () => {
            const pdb = one(run, PDB, "jaeger-disruption-budget");
            assert.deepStrictEqual(pdb.inputs.metadata.name, "jaeger-disruption-budget");
            assert.deepStrictEqual(pdb.inputs.spec, { maxUnavailable: 1, selector: { matchLabels: jaegerPodLabels("jaeger") } });
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

});
