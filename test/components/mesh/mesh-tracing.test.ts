import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { configProblems, expectConfigProblem, ofType, one, runStack } from "../../helpers";
import { parseConfig } from "../../../components/config";
import { loadModels, schemaError } from "../../../components/mesh/models";
import { MESH_TELEMETRY_NAME, mergeMeshConfig, meshConfigFragment } from "../../../components/mesh/mesh-config";
import { MockRun, ProgramError, RegisteredResource, runUnderMocks } from "../../../tools/mock-runtime";
import { MeshTracing } from "../../../components/mesh/mesh-tracing";

const TELEMETRY = "kubernetes:telemetry.istio.io/v1:Telemetry";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const COLLECTOR = "jaeger-collector-clusterip.istio-system.svc.cluster.local";

const telemetries = (run: MockRun) => ofType(run, TELEMETRY);
const meshWide = (run: MockRun, root = "istio-system") => telemetries(run).filter((t) => t.inputs.metadata.namespace === root && !t.inputs.spec.selector);
const tracing = (t: RegisteredResource) => {
    assert.strictEqual(t.inputs.spec.tracing.length, 1, "one tracing block (Istio supports only one)");
    return t.inputs.spec.tracing[0];
};


describe("MeshTracing", () => {
    describe("Telemetry (telemetry.istio.io/v1)", () => {
        it("dev: exactly one mesh-wide Telemetry, 100 % sampling, environment tag, Envoy access logs", async () => {
            const run = await runStack("dev");
            assert.deepStrictEqual(telemetries(run).map((t) => t.name), [`mesh-tracing-istio-system/${MESH_TELEMETRY_NAME}`]);
            const t = one(run, TELEMETRY, `mesh-tracing-istio-system/${MESH_TELEMETRY_NAME}`);
            assert.deepStrictEqual(t.inputs.metadata, { name: "mesh-default", namespace: "istio-system" });
            assert.strictEqual(t.inputs.apiVersion, "telemetry.istio.io/v1");
            assert.deepStrictEqual(t.inputs.spec, {
                accessLogging: [{ providers: [{ name: "envoy" }] }],
                tracing: [{ providers: [{ name: "jaeger" }], randomSamplingPercentage: 100, customTags: { "deployment.environment.name": { literal: { value: "dev" } } } }],
            });
        });

        it("prod: mesh-wide 5 %, and the payment override at 100 % carrying the mesh-wide tags", async () => {
            const run = await runStack("prod");
            assert.strictEqual(meshWide(run).length, 1, "one selector-less Telemetry in the root namespace (IST0160)");
            const mesh = tracing(meshWide(run)[0]);
            assert.strictEqual(mesh.randomSamplingPercentage, 5);
            const payment = one(run, TELEMETRY, "mesh-tracing-my/payment");
            assert.deepStrictEqual(payment.inputs.metadata, { name: "payment", namespace: "my" });
            assert.deepStrictEqual(payment.inputs.spec.selector, { matchLabels: { app: "payment" } });
            assert.strictEqual(tracing(payment).randomSamplingPercentage, 100);
            assert.deepStrictEqual(tracing(payment).customTags, mesh.customTags);
            assert.deepStrictEqual(tracing(payment).customTags, { "deployment.environment.name": { literal: { value: "prod" } } });
            assert.strictEqual(payment.inputs.spec.accessLogging, undefined, "access logging is inherited from the mesh-wide Telemetry");
        });

        it("custom tags (literal, environment, header) reach the mesh-wide Telemetry and every override, keys sorted", async () => {
            const customTags = {
                tenant: { header: { name: "x-tenant", defaultValue: "none" } },
                cluster: { environment: { name: "CLUSTER_NAME" } },
                team: { literal: { value: "eco2" } },
            };
            const workloadOverrides = [
                { name: "payment", namespace: "my", matchLabels: { app: "payment" }, sampling: 100 },
                { name: "chat-api", namespace: "chat", matchLabels: { "app.kubernetes.io/name": "chat-api" }, sampling: 50 },
            ];
            const run = await runStack("prod", { set: { telemetry: { customTags, workloadOverrides } } });
            const expected = {
                cluster: { environment: { name: "CLUSTER_NAME" } },
                "deployment.environment.name": { literal: { value: "prod" } },
                team: { literal: { value: "eco2" } },
                tenant: { header: { name: "x-tenant", defaultValue: "none" } },
            };
            assert.strictEqual(telemetries(run).length, 3);
            for (const t of telemetries(run)) {
                assert.deepStrictEqual(tracing(t).customTags, expected, t.name);
                assert.deepStrictEqual(Object.keys(tracing(t).customTags), Object.keys(expected), `${t.name}: sorted keys`);
            }
            assert.strictEqual(tracing(one(run, TELEMETRY, "mesh-tracing-chat/chat-api")).randomSamplingPercentage, 50);
            assert.strictEqual(meshWide(run).length, 1);
        });

        it("access logging off leaves it out (no disabled flag overriding the platform's own)", async () => {
            const run = await runStack("dev", { set: { telemetry: { accessLogging: false } } });
            assert.strictEqual(meshWide(run)[0].inputs.spec.accessLogging, undefined);
        });

        it("never disables SERVER span reporting (that would silence workloads; probes bypass Envoy)", async () => {
            for (const stack of ["dev", "prod"]) {
                const run = await runStack(stack);
                for (const t of telemetries(run)) assert.ok(!JSON.stringify(t.inputs.spec).includes("disableSpanReporting"), t.name);
            }
        });

        it("every emitted Telemetry validates against the telemetry.istio.io/v1 model", async () => {
            const models = await loadModels();
            const run = await runStack("prod");
            for (const t of telemetries(run)) assert.strictEqual(schemaError(new models.Telemetry(t.inputs as never)), undefined, t.name);
        });

        it("a spec the schema rejects fails the program with the resource and JSON path, registering no Telemetry", async () => {
            const models = await loadModels();
            // Config validation would stop 150 first; the component must still refuse what the CRD schema rejects.
            const program = () => {
                new MeshTracing("mesh-tracing", {
                    istio: parseConfig({ environment: "dev" }, { stack: "t" }).istio,
                    telemetry: { accessLogging: true, customTags: {}, workloadOverrides: [] },
                    samplingPercent: 150,
                    renderYaml: false,
                    collectorHost: COLLECTOR,
                    zipkinPort: 9411,
                    models,
                }, { provider: new k8s.Provider("k8s", {}) });
            };
            let failure: ProgramError | undefined;
            await runUnderMocks(program, { project: "eco2-tracing", stack: "t", config: {} }).catch((e) => (failure = e));
            assert.ok(failure instanceof ProgramError, "the program must fail");
            assert.match(failure.message, /Telemetry istio-system\/mesh-default does not match the telemetry\.istio\.io\/v1 schema/);
            assert.match(failure.message, /spec\.tracing\[0\]\.randomSamplingPercentage: must be <= 100/);
            assert.deepStrictEqual(failure.resources.filter((r) => r.type === TELEMETRY), []);
        });

        it("schemaError names each bad field by its path", async () => {
            const { Telemetry } = await loadModels();
            const bad = new Telemetry({
                metadata: { name: "x", namespace: "ns" },
                spec: { tracing: [{ customTags: { "app.version": { literal: { value: "" } } }, match: { mode: "BOTH" as never } }] },
            });
            const message = schemaError(bad) ?? "";
            assert.match(message, /^Telemetry ns\/x does not match/);
            assert.match(message, /spec\.tracing\[0\]\.customTags\["app\.version"\]\.literal\.value: must NOT be shorter than 1 character/);
            assert.match(message, /spec\.tracing\[0\]\.match\.mode: must be equal to one of the allowed values \(CLIENT_AND_SERVER, CLIENT, SERVER\)/);
        });
    });

    describe("mesh provider", () => {
        it("exports the exact meshConfig fragment the Telemetry providers refer to", async () => {
            const run = await runStack("dev");
            assert.deepStrictEqual(run.outputs?.meshConfig, {
                enableTracing: true,
                defaultProviders: { tracing: ["jaeger"] },
                extensionProviders: [{ name: "jaeger", zipkin: { service: COLLECTOR, port: 9411, maxTagLength: 256 } }],
            });
            const providerNames = run.outputs?.meshConfig.extensionProviders.map((p: { name: string }) => p.name);
            for (const t of telemetries(run)) for (const p of tracing(t).providers) assert.ok(providerNames.includes(p.name), `${t.name} names unknown provider ${p.name}`);
        });

        it("a renamed provider, W3C propagation and path tag length flow into both the fragment and the Telemetry", async () => {
            const run = await runStack("prod", { set: { istio: { tracingProvider: "eco2-zipkin", w3cPropagation: true, maxPathTagLength: 512 } } });
            assert.deepStrictEqual(run.outputs?.meshConfig.extensionProviders, [
                { name: "eco2-zipkin", zipkin: { service: COLLECTOR, port: 9411, maxTagLength: 512, traceContextOption: "USE_B3_WITH_W3C_PROPAGATION" } },
            ]);
            assert.deepStrictEqual(run.outputs?.meshConfig.defaultProviders, { tracing: ["eco2-zipkin"] });
            for (const t of telemetries(run)) assert.deepStrictEqual(tracing(t).providers, [{ name: "eco2-zipkin" }], t.name);
        });

        it("does not touch istiod unless istio.istiod is configured", async () => {
            const run = await runStack("prod");
            assert.deepStrictEqual(ofType(run, RELEASE).filter((r) => r.inputs.chart === "istiod"), []);
        });

        it("managed istiod: merges the provider into the configured mesh config and keeps every other setting", async () => {
            const otelAls = { name: "otel-als", envoyOtelAls: { service: "otel.observability.svc.cluster.local", port: 4317 } };
            const meshConfig = {
                accessLogFile: "/dev/stdout",
                outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
                defaultConfig: { holdApplicationUntilProxyStarts: true },
                defaultProviders: { metrics: ["prometheus"], tracing: ["old-zipkin"] },
                extensionProviders: [otelAls, { name: "jaeger", zipkin: { service: "zipkin.old.svc.cluster.local", port: 9411 } }],
            };
            const values = { pilot: { autoscaleMin: 2 }, global: { proxy: { resources: { requests: { cpu: "50m" } } } } };
            const run = await runStack("prod", { set: { istio: { w3cPropagation: true, istiod: { version: "1.28.1", meshConfig, values } } } });
            const release = one(run, RELEASE, "mesh-tracing-istiod");
            assert.strictEqual(release.inputs.name, "istiod");
            assert.strictEqual(release.inputs.chart, "istiod");
            assert.strictEqual(release.inputs.version, "1.28.1");
            assert.strictEqual(release.inputs.namespace, "istio-system");
            assert.deepStrictEqual(release.inputs.repositoryOpts, { repo: "https://istio-release.storage.googleapis.com/charts" });
            assert.deepStrictEqual(release.inputs.values.pilot, values.pilot);
            assert.deepStrictEqual(release.inputs.values.global, values.global);
            assert.deepStrictEqual(release.inputs.values.meshConfig, {
                accessLogFile: "/dev/stdout",
                defaultConfig: { holdApplicationUntilProxyStarts: true },
                defaultProviders: { metrics: ["prometheus"], tracing: ["jaeger"] },
                enableTracing: true,
                extensionProviders: [
                    otelAls,
                    { name: "jaeger", zipkin: { maxTagLength: 256, port: 9411, service: COLLECTOR, traceContextOption: "USE_B3_WITH_W3C_PROPAGATION" } },
                ],
                outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
                rootNamespace: "istio-system",
            });
            assert.strictEqual(meshWide(run).length, 1);
        });

        it("mergeMeshConfig appends a new provider, keeps the others in order, and leaves its (frozen) inputs alone", () => {
            const base = Object.freeze({ extensionProviders: Object.freeze([Object.freeze({ name: "a", zipkin: { service: "a", port: 1 } })]), trustDomain: "cluster.local" });
            const fragment = meshConfigFragment({ tracingProvider: "jaeger", maxPathTagLength: 256, w3cPropagation: false }, { host: COLLECTOR, zipkinPort: 9411 });
            const merged = mergeMeshConfig(base as never, fragment);
            assert.deepStrictEqual((merged.extensionProviders as { name: string }[]).map((p) => p.name), ["a", "jaeger"]);
            assert.strictEqual(merged.trustDomain, "cluster.local");
            assert.deepStrictEqual(mergeMeshConfig(base as never, fragment), merged, "deterministic");
            assert.deepStrictEqual(Object.keys(base), ["extensionProviders", "trustDomain"]);
        });
    });

    describe("config rejected before any resource", () => {
        it("W3C propagation with a managed istiod older than 1.28", () =>
            expectConfigProblem({ environment: "dev",  istio: { w3cPropagation: true, istiod: { version: "1.27.3" } } }, "eco2-tracing:istio.w3cPropagation", "1.28"));
        it("meshConfig inside istiod.values (it would bypass the merge)", () =>
            expectConfigProblem({ environment: "dev",  istio: { istiod: { version: "1.28.1", values: { meshConfig: { enableTracing: false } } } } }, "istio.istiod.values.meshConfig", "istio.istiod.meshConfig"));
        it("a mesh root namespace other than istio.rootNamespace", () =>
            expectConfigProblem({ environment: "dev",  istio: { istiod: { version: "1.28.1", meshConfig: { rootNamespace: "istio-config" } } } }, "istio.istiod.meshConfig.rootNamespace", '"istio-config"', "istio-system"));
        it("an override named like the mesh-wide Telemetry", () =>
            expectConfigProblem({ environment: "dev",  telemetry: { workloadOverrides: [{ name: MESH_TELEMETRY_NAME, namespace: "istio-system", matchLabels: { app: "x" }, sampling: 1 }] } }, "workloadOverrides[0].name", "mesh-default"));
        it("override selectors with wildcards or no labels, and sampling outside 0–100", () => {
            const override = (extra: Record<string, unknown>) => ({ environment: "dev", telemetry: { workloadOverrides: [{ name: "p", namespace: "my", matchLabels: { app: "p" }, sampling: 100, ...extra }] } });
            expectConfigProblem(override({ matchLabels: { app: "pay*" } }), "workloadOverrides[0].matchLabels.app", "label value");
            expectConfigProblem(override({ matchLabels: { "*": "x" } }), "workloadOverrides[0].matchLabels", "label key");
            expectConfigProblem(override({ matchLabels: {} }), "workloadOverrides[0].matchLabels", "at least one label");
            expectConfigProblem(override({ sampling: 101 }), "workloadOverrides[0].sampling", "0 to 100");
            assert.deepStrictEqual(configProblems(override({ matchLabels: { "app.kubernetes.io/name": "payment-api" } })), []);
        });
        it("custom tags: an empty literal, or more than one kind in a tag", () => {
            expectConfigProblem({ environment: "dev",  telemetry: { customTags: { team: { literal: { value: "" } } } } }, "telemetry.customTags.team.literal.value", "empty");
            expectConfigProblem({ environment: "dev",  telemetry: { customTags: { team: { literal: { value: "a" }, header: { name: "x" } } } } }, "telemetry.customTags.team", "exactly one");
        });
        it("the program registers nothing for such a config", async () => {
            let failure: ProgramError | undefined;
            await runStack("dev", { set: { istio: { w3cPropagation: true, istiod: { version: "1.26.0" } } } }).catch((e) => (failure = e));
            assert.ok(failure instanceof ProgramError);
            assert.deepStrictEqual(failure.resources.map((r) => r.type), ["pulumi:pulumi:Stack"]);
        });
    });
});
