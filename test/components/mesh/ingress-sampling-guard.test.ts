/** The ingress gateways drop client sampling headers (components/mesh/ingress-sampling-guard.ts), unless trusted. */
import * as assert from "assert";
import { ofType, runStack } from "../../helpers";
import { loadModels, schemaError } from "../../../components/mesh/models";
import { CLIENT_SAMPLING_HEADERS } from "../../../components/mesh/ingress-sampling-guard";

const CUSTOM = (kind: string) => `kubernetes:networking.istio.io/v1alpha3:${kind}`;

describe("IngressSamplingGuard", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: one EnvoyFilter on the ingress gateways removes every header a client could force sampling with`, async () => {
            const run = await runStack(stack);
            const [filter] = ofType(run, CUSTOM("EnvoyFilter"));
            assert.ok(filter, "an EnvoyFilter");
            assert.deepStrictEqual(filter.inputs.metadata, { name: "ingress-sampling-guard-client-sampling", namespace: "istio-system" });
            assert.deepStrictEqual(filter.inputs.spec.workloadSelector, { labels: { istio: "ingressgateway" } });
            const [patch] = filter.inputs.spec.configPatches;
            assert.deepStrictEqual([patch.applyTo, patch.match.context, patch.patch.operation], ["NETWORK_FILTER", "GATEWAY", "MERGE"]);
            const [mutation] = patch.patch.value.typed_config.early_header_mutation_extensions;
            assert.deepStrictEqual(mutation.typed_config.mutations.map((m: { remove: string }) => m.remove),
                ["b3", "traceparent", "x-b3-flags", "x-b3-sampled"]);
            const { EnvoyFilter } = await loadModels();
            assert.strictEqual(schemaError(new EnvoyFilter({ metadata: filter.inputs.metadata, spec: filter.inputs.spec })), undefined);
        });
    }

    it("keeps the trace IDs a client sends (only the sampling decision is removed)", () => {
        const removed: readonly string[] = CLIENT_SAMPLING_HEADERS;
        for (const kept of ["x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid"]) assert.ok(!removed.includes(kept), kept);
    });

    it("istio.trustClientSampling: no filter; other gateway labels: the filter selects those", async () => {
        const trusted = await runStack("prod", { set: { istio: { trustClientSampling: true } } });
        assert.deepStrictEqual(ofType(trusted, CUSTOM("EnvoyFilter")), []);
        const other = await runStack("dev", { set: { istio: { ingressGatewayLabels: { app: "edge-gateway" } } } });
        assert.deepStrictEqual(ofType(other, CUSTOM("EnvoyFilter"))[0].inputs.spec.workloadSelector, { labels: { app: "edge-gateway" } });
    });
});
