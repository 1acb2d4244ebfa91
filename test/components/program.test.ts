import * as assert from "assert";
import { runStack } from "../helpers";
import { ProgramError } from "../../tools/mock-runtime";

describe("program", () => {
    it("a bad config registers zero resources", async () => {
        let failure: ProgramError | undefined;
        await runStack("dev", { set: { sampling: "250", appNamespaces: ["Bad_Name"] } }).catch((e) => (failure = e));
        assert.ok(failure instanceof ProgramError, "the program must fail");
        assert.match(failure.message, /eco2-tracing:sampling = "250"/);
        assert.match(failure.message, /eco2-tracing:appNamespaces\[0\](\.name)? = "Bad_Name"/);
        // Only the engine's own stack root exists: no provider, no Kubernetes object, no component.
        assert.deepStrictEqual(failure.resources.map((r) => r.type), ["pulumi:pulumi:Stack"]);
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: registers the stack and exports the endpoints`, async () => {
            const run = await runStack(stack);
            assert.ok(run.resources.some((r) => r.type === "pulumi:pulumi:Stack"));
            assert.strictEqual(run.outputs?.endpoints.otlpGrpc, "http://jaeger-collector-clusterip.istio-system.svc.cluster.local:4317");
        });
    }

    it("the provider updates ConfigMaps in place, so a sampling change never deletes the OTEL ConfigMaps apps load", async () => {
        const run = await runStack("dev");
        const provider = run.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        // Provider inputs reach the engine as strings.
        assert.strictEqual(String(provider.inputs.enableConfigMapMutable), "true");
    });
});
