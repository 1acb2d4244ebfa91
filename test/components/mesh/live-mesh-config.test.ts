import * as assert from "assert";
import * as YAML from "yaml";
import { judgeLiveMeshConfig, MESH_CONFIG_KEY, platformMeshConfigData } from "../../../components/mesh/live-mesh-config";
import { meshConfigFragment, ZipkinProvider } from "../../../components/mesh/mesh-config";
import { MeshConfigError } from "../../../components/mesh/mesh-config-guard";
import { ofType, runStack } from "../../helpers";
import { ProgramError } from "../../../tools/mock-runtime";
import { readmePlatform } from "../../../tools/mock-plan";

const COLLECTOR = "jaeger-collector-clusterip.istio-system.svc.cluster.local";
const WHERE = "ConfigMap istio-system/istio";
const istio = { tracingProvider: "jaeger", maxPathTagLength: 256, w3cPropagation: false };
const fragment = meshConfigFragment(istio, { host: COLLECTOR, zipkinPort: 9411 });
const wanted: ZipkinProvider = fragment.extensionProviders[0];
const meshData = (mesh: unknown) => ({ [MESH_CONFIG_KEY]: YAML.stringify(mesh) });
const withProvider = (zipkin: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    meshData({ ...extra, extensionProviders: [{ name: "otel", opentelemetry: { service: "x", port: 4317 } }, { name: "jaeger", zipkin }] });
const judge = (data: Record<string, string> | undefined, want = wanted) => judgeLiveMeshConfig(data, want, WHERE);

describe("the live mesh config guard", () => {
    describe("judgeLiveMeshConfig", () => {
        it("accepts the README's merge of the fragment into a default mesh config, with nothing to warn about", () => {
            assert.deepStrictEqual(judge(platformMeshConfigData(undefined, "istio-system", fragment)), { problems: [], warnings: [] });
        });

        it("accepts the service as Istio's `<namespace>/<hostname>` form", () => {
            assert.deepStrictEqual(judge(withProvider({ service: `istio-system/${COLLECTOR}`, port: 9411 })).problems, []);
        });

        it("a mesh config without the provider: the problem names it, the providers there and the fix", () => {
            const [p] = judge(meshData({ extensionProviders: [{ name: "zipkin", zipkin: { service: COLLECTOR, port: 9411 } }] })).problems;
            assert.match(p, /^ConfigMap istio-system\/istio: provider "jaeger" is not in the mesh config/);
            assert.match(p, /\(its extensionProviders: zipkin\)/);
            assert.match(p, /switch tracing off; merge the stack's `meshConfig` output/);
            assert.match(judge(meshData({ defaultConfig: {} })).problems[0], /extensionProviders: none/);
        });

        it("a provider of another kind, or pointing at another service or port, is a problem", () => {
            assert.match(judge(meshData({ extensionProviders: [{ name: "jaeger", opentelemetry: { service: COLLECTOR } }] })).problems[0],
                /provider "jaeger" is not a zipkin provider \(it has opentelemetry\)/);
            assert.match(judge(withProvider({ service: "zipkin.observability.svc.cluster.local", port: 9411 })).problems[0],
                /sends spans to zipkin\.observability\.svc\.cluster\.local:9411, not to this stack's collector jaeger-collector-clusterip/);
            assert.match(judge(withProvider({ service: COLLECTOR, port: 4317 })).problems[0], /:4317, not to .*:9411/);
        });

        it("W3C on in the stack but not in the mesh is a problem; on in the mesh only, a warning", () => {
            const w3c = meshConfigFragment({ ...istio, w3cPropagation: true }, { host: COLLECTOR, zipkinPort: 9411 }).extensionProviders[0];
            const plain = withProvider({ service: COLLECTOR, port: 9411 });
            assert.match(judge(plain, w3c).problems[0], /lacks traceContextOption USE_B3_WITH_W3C_PROPAGATION/);
            const v = judge(withProvider({ service: COLLECTOR, port: 9411, traceContextOption: "USE_B3_WITH_W3C_PROPAGATION" }));
            assert.deepStrictEqual(v.problems, []);
            assert.match(v.warnings[0], /istio\.w3cPropagation is false/);
        });

        it("a different maxTagLength and a leftover defaultConfig.tracing are warnings", () => {
            const legacy = { defaultConfig: { tracing: { sampling: 100 } } };
            const v = judge(withProvider({ service: COLLECTOR, port: 9411, maxTagLength: 99 }, legacy));
            assert.deepStrictEqual(v.problems, []);
            assert.strictEqual(v.warnings.length, 2);
            assert.match(v.warnings.join("\n"), /maxTagLength 99, istio\.maxPathTagLength is 256[\s\S]*istio\/istio#35750/);
        });

        it("no `mesh` key, or one that is not YAML, is a problem", () => {
            assert.match(judge(undefined).problems[0], /has no key "mesh"/);
            assert.match(judge({ meshNetworks: "{}" }).problems[0], /has no key "mesh"/);
            assert.match(judge({ mesh: "a: [" }).problems[0], /key "mesh" is not YAML/);
        });

        it("the platform merge keeps the rest of an existing mesh config", () => {
            const otel = { name: "otel", opentelemetry: { port: 4317 } };
            const existing = YAML.stringify({ accessLogFile: "/dev/stdout", extensionProviders: [otel] });
            const merged = YAML.parse(platformMeshConfigData(existing, "istio-system", fragment).mesh);
            assert.strictEqual(merged.accessLogFile, "/dev/stdout");
            assert.deepStrictEqual(merged.extensionProviders.map((p: { name: string }) => p.name), ["otel", "jaeger"]);
        });
    });

    describe("in the program", () => {
        const failure = async (options: Parameters<typeof runStack>[1]) => {
            const e = await runStack("prod", options).then(() => undefined, (x: unknown) => x);
            assert.ok(e instanceof ProgramError, `the program must fail, got ${e}`);
            return e;
        };

        it("reads istiod's ConfigMap before registering anything, and registers the stack when it has the provider", async () => {
            const run = await runStack("prod");
            const read = { type: "kubernetes:core/v1:ConfigMap", name: "live-mesh-config", id: "istio-system/istio" };
            assert.deepStrictEqual(run.reads, [read]);
            assert.ok(ofType(run, "kubernetes:telemetry.istio.io/v1:Telemetry").length > 0);
        });

        it("a live mesh config without the provider fails with MeshConfigError and registers only the provider", async () => {
            const live = () => ({ data: meshData({ extensionProviders: [] }) });
            const e = await failure({ live });
            assert.ok(e.cause instanceof MeshConfigError, String(e.cause));
            assert.match(e.message, /istio\.verifyMeshConfig false skips this check[\s\S]*provider "jaeger" is not in the mesh config/);
            assert.deepStrictEqual(e.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((r) => r.type), []);
        });

        it("no such ConfigMap fails the read itself, before anything is registered", async () => {
            const e = await failure({ live: () => undefined });
            assert.match(e.message, /resource 'istio-system\/istio' does not exist/);
            assert.deepStrictEqual(e.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")), []);
        });

        it("istio.meshConfigMap names a revision's ConfigMap", async () => {
            const run = await runStack("prod", { set: { istio: { meshConfigMap: "istio-1-28" } }, live: readmePlatform });
            assert.strictEqual(run.reads[0].id, "istio-system/istio-1-28");
        });

        it("no read when opted out, when the stack manages istiod, or when the provider only renders YAML", async () => {
            const nothing = () => undefined;
            const cases = [
                { istio: { verifyMeshConfig: false } },
                { istio: { istiod: { version: "1.28.1" } } },
                { kubernetes: { renderYamlToDirectory: "/tmp/eco2-render-test" } },
            ];
            for (const set of cases) assert.deepStrictEqual((await runStack("dev", { set, live: nothing })).reads, [], JSON.stringify(set));
        });
    });
});
