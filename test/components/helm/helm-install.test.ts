import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../../../components/config";
import { runUnderMocks } from "../../../tools/mock-runtime";
import { readStackFile } from "../../../tools/stack-file";
import { ofType, ROOT, runStack } from "../../helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CHART = "kubernetes:helm.sh/v4:Chart";
const istiod = { istiod: { version: "1.28.1", meshConfig: { accessLogFile: "/dev/stdout" } } };

describe("Helm installs", () => {
    it("apply mode: Jaeger (and a managed istiod) are atomic helm.v3 Releases", async () => {
        const run = await runStack("dev", { set: { istio: istiod } });
        assert.deepStrictEqual(ofType(run, CHART), []);
        const releases = ofType(run, RELEASE);
        assert.deepStrictEqual(releases.map((r) => r.inputs.name).sort(), ["istiod", "jaeger"]);
        for (const r of releases) assert.deepStrictEqual([r.inputs.atomic, r.inputs.maxHistory], [true, 10]);
    });

    it("Jaeger's Release is replaced delete-first (fixed object names); a managed istiod is never deleted nor replaced so", async () => {
        // The mock monitor does not receive resource options; a stack transformation sees them as the real
        // program passes them to each resource's constructor.
        const { config } = readStackFile(path.join(ROOT, "Pulumi.dev.yaml"), PROJECT);
        config[`${PROJECT}:istio`] = JSON.stringify(istiod);
        const options = new Map<string, pulumi.ResourceOptions>();
        await runUnderMocks(() => {
            pulumi.runtime.registerStackTransformation(({ type, name, opts }) => {
                options.set(`${type}::${name}`, opts);
                return undefined;
            });
            return (require("../../../index") as () => Promise<unknown>)();
        }, { project: PROJECT, stack: "dev", config });
        const releases = [...options].filter(([key]) => key.startsWith(`${RELEASE}::`));
        assert.deepStrictEqual(releases.map(([key]) => key).sort(), [`${RELEASE}::jaeger-release`, `${RELEASE}::mesh-tracing-istiod`]);
        for (const [key, opts] of releases) assert.ok(opts.parent, `${key} keeps its parent`);
        const jaeger = options.get(`${RELEASE}::jaeger-release`) as pulumi.CustomResourceOptions;
        assert.deepStrictEqual([jaeger.deleteBeforeReplace, jaeger.retainOnDelete], [true, undefined]);
        const istiodOpts = options.get(`${RELEASE}::mesh-tracing-istiod`) as pulumi.CustomResourceOptions;
        const istiodLifecycle = [istiodOpts.deleteBeforeReplace, istiodOpts.retainOnDelete];
        assert.deepStrictEqual(istiodLifecycle, [undefined, true], "destroy leaves the mesh's istiod");
        // Only the Releases: the Services after them keep create-before-delete.
        const service = options.get("kubernetes:core/v1:Service::jaeger-collector-clusterip")!;
        assert.ok(service, "the transformation saw the Services too");
        assert.notStrictEqual((service as pulumi.CustomResourceOptions).deleteBeforeReplace, true);
    });

    it("a rendering (GitOps) provider gets helm.v4 Charts with the same chart, version and values", async () => {
        const apply = await runStack("prod", { set: { istio: istiod } });
        const render = await runStack("prod", { set: { istio: istiod, kubernetes: { renderYamlToDirectory: "rendered" } } });
        assert.deepStrictEqual(ofType(render, RELEASE), []);
        const provider = render.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.strictEqual(provider.inputs.renderYamlToDirectory, "rendered");
        const pick = ({ name, namespace, chart, version, repositoryOpts, values }: Record<string, unknown>) => ({ name, namespace, chart, version, repositoryOpts, values });
        const byName = (rs: { inputs: Record<string, any> }[]) => Object.fromEntries(rs.map((r) => [r.inputs.name, pick(r.inputs)]));
        assert.deepStrictEqual(byName(ofType(render, CHART)), byName(ofType(apply, RELEASE)));
    });
});
