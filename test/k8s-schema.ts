/** Validates recorded Kubernetes inputs against the upstream OpenAPI schema (kubernetes-models, ESM-only). */
import * as assert from "assert";
import { schemaError } from "../components/mesh/models";
import { RegisteredResource } from "../tools/mock-runtime";

export async function assertValidK8s(resource: RegisteredResource): Promise<void> {
    const { apiVersion, kind } = resource.inputs;
    const mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
    assert.ok(mod[kind], `no kubernetes-models class for ${apiVersion} ${kind}`);
    const error = schemaError(new mod[kind](resource.inputs));
    assert.strictEqual(error, undefined, `${resource.type} ${resource.name}: ${error}`);
}
