import * as assert from "assert";
import { ofType, runStack } from "./helpers";

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
