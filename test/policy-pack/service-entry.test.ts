/** service-entry-wildcard-resolution. */
import * as assert from "assert";
import { assertCompliant, assertViolation, run, yaml } from "./helpers";

const NAME = "service-entry-wildcard-resolution";
const se = (hosts: string, resolution?: string) =>
    yaml(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: istio-system}
spec:
  hosts: ${hosts}
  location: MESH_EXTERNAL
  ports: [{number: 443, name: https, protocol: HTTPS}]
  ${resolution ? `resolution: ${resolution}` : ""}
`);

describe("policy service-entry-wildcard-resolution", () => {
    it("a wildcard host with DNS (or any resolution but NONE) is a violation naming the hosts", async () => {
        await assertViolation(NAME, se(`["*.s3.amazonaws.com", api.example.com]`, "DNS"), [/ServiceEntry istio-system\/ext/, /\*\.s3\.amazonaws\.com with resolution DNS/]);
        await assertViolation(NAME, se(`["*.cloudfront.net"]`, "DNS_ROUND_ROBIN"), [/resolution DNS_ROUND_ROBIN/]);
        await assertViolation(NAME, se(`["*.cloudfront.net"]`, "STATIC"), [/resolution STATIC/]);
    });

    it("a wildcard host with NONE, or unset (the API default is NONE), is compliant", async () => {
        await assertCompliant(NAME, se(`["*.s3.amazonaws.com"]`, "NONE"));
        await assertCompliant(NAME, se(`["*.s3.amazonaws.com"]`));
    });

    it("hosts without wildcards may use DNS", async () => {
        await assertCompliant(NAME, se(`[api.openai.com]`, "DNS"));
    });

    it("applies to ServiceEntry only (any version)", async () => {
        const beta = se(`["*.example.com"]`, "DNS").map((r) => ({ ...r, type: "kubernetes:networking.istio.io/v1beta1:ServiceEntry" }));
        await assertViolation(NAME, beta, [/resolution DNS/]);
        const other = await run(NAME, yaml(`apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a}\nspec: {type: ExternalName, externalName: "*.example.com"}\n`));
        assert.deepStrictEqual([other.diagnostics.length, other.notApplicable.length], [0, 1]);
    });
});
