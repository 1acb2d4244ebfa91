import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { configProblems, expectConfigProblem, ofType, runStack } from "../../helpers";
import { ExternalService } from "../../../components/config";
import { serviceEntryProblems } from "../../../components/config/external-hosts";
import { loadModels, schemaError } from "../../../components/mesh/models";
import { ProgramError, runUnderMocks } from "../../../tools/mock-runtime";
import { ExternalServices } from "../../../components/mesh/external-services";

const SERVICE_ENTRY = "kubernetes:networking.istio.io/v1:ServiceEntry";
const HTTPS_443 = [{ number: 443, name: "https", protocol: "HTTPS" }];

const EXPECTED: Record<string, { hosts: string[]; resolution: string }> = {
    "google-external": { hosts: ["accounts.google.com", "www.googleapis.com"], resolution: "DNS" },
    "kakao-external": { hosts: ["kauth.kakao.com", "kapi.kakao.com"], resolution: "DNS" },
    "naver-external": { hosts: ["nid.naver.com", "openapi.naver.com"], resolution: "DNS" },
    "openai-external": { hosts: ["api.openai.com"], resolution: "DNS" },
    "aws-s3-external": { hosts: ["*.s3.amazonaws.com", "*.s3.ap-northeast-2.amazonaws.com"], resolution: "NONE" },
    "aws-cloudfront": { hosts: ["*.cloudfront.net", "images.dev.growbin.app"], resolution: "NONE" },
};
/** Each stack's own image CDN host: prod never reaches dev's. */
const IMAGES_HOST: Record<string, string> = { dev: "images.dev.growbin.app", prod: "images.growbin.app" };


/** A config with one external service `x` built from `service`. */
const withService = (service: Record<string, unknown>) => ({ environment: "dev", externalServices: [{ name: "x", ...service }] });
const problems = (service: Record<string, unknown>) => configProblems(withService(service));
const expectProblem = (service: Record<string, unknown>, ...fragments: string[]) => expectConfigProblem(withService(service), ...fragments);

describe("ExternalServices", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: the six Eco² ServiceEntries, DNS for exact hosts and NONE with a wildcard`, async () => {
            const run = await runStack(stack);
            const entries = ofType(run, SERVICE_ENTRY);
            assert.deepStrictEqual(entries.map((e) => e.inputs.metadata.name).sort(), Object.keys(EXPECTED).sort());
            for (const e of entries) {
                const name = e.inputs.metadata.name;
                const cdn = { ...EXPECTED[name], hosts: ["*.cloudfront.net", IMAGES_HOST[stack]] };
                const want = name === "aws-cloudfront" ? cdn : EXPECTED[name];
                assert.strictEqual(e.name, `external-services-${e.inputs.metadata.name}`);
                assert.strictEqual(e.inputs.apiVersion, "networking.istio.io/v1");
                assert.strictEqual(e.inputs.metadata.namespace, "istio-system");
                assert.deepStrictEqual(e.inputs.spec, { hosts: want.hosts, ports: HTTPS_443, location: "MESH_EXTERNAL", resolution: want.resolution, exportTo: ["*"] }, e.name);
            }
        });
    }

    it("every emitted ServiceEntry validates against the networking.istio.io/v1 model", async () => {
        const models = await loadModels();
        const run = await runStack("prod");
        for (const e of ofType(run, SERVICE_ENTRY)) assert.strictEqual(schemaError(new models.ServiceEntry(e.inputs as never)), undefined, e.name);
    });

    it("ports and protocols from config reach the spec (protocol case as Istio parses it)", async () => {
        const run = await runStack("dev", { set: { externalServices: [{ name: "pg", hosts: ["db.example.com"], ports: [{ number: 5432, name: "tcp-pg", protocol: "tcp" }, { number: 443, name: "https" }] }] } });
        const [pg] = ofType(run, SERVICE_ENTRY);
        assert.deepStrictEqual(pg.inputs.spec.ports, [{ number: 5432, name: "tcp-pg", protocol: "TCP" }, ...HTTPS_443]);
        assert.strictEqual(pg.inputs.spec.resolution, "DNS");
    });

    it("a spec the schema rejects fails the program with the resource and JSON path, registering no ServiceEntry", async () => {
        const models = await loadModels();
        const bad = { name: "x", hosts: ["a.example.com"], ports: [{ number: 443, name: "https", protocol: "HTTPS" as const }], resolution: "DNS_RR" } as unknown as ExternalService;
        let failure: ProgramError | undefined;
        await runUnderMocks(
            () => new ExternalServices("external-services", { namespace: "istio-system", services: [bad], models }, { provider: new k8s.Provider("k8s", {}) }),
            { project: "eco2-tracing", stack: "t", config: {} },
        ).catch((e) => (failure = e));
        assert.ok(failure instanceof ProgramError, "the program must fail");
        assert.match(failure.message, /ServiceEntry istio-system\/x does not match the networking\.istio\.io\/v1 schema/);
        assert.match(failure.message, /spec\.resolution: must be equal to one of the allowed values \(NONE, STATIC, DNS, DNS_ROUND_ROBIN, DYNAMIC_DNS\)/);
        assert.deepStrictEqual(failure.resources.filter((r) => r.type === SERVICE_ENTRY), []);
    });

    describe("Istio's ServiceEntry validation, at config time", () => {
        it("a bare '*' host", () => expectProblem({ hosts: ["*"] }, "externalServices[0].hosts[0]", '"*"', "bare '*'"));
        it("partial or inner wildcards, IP addresses, bad or over-long labels", () => {
            expectProblem({ hosts: ["*foo.example.com"] }, "hosts[0]", "'*.domain'");
            expectProblem({ hosts: ["api.*.example.com"] }, "hosts[0]", "'*.domain'");
            expectProblem({ hosts: ["10.0.0.1"] }, "hosts[0]", "all-numeric");
            expectProblem({ hosts: ["Api.Example.com"] }, "hosts[0]", '"Api"');
            expectProblem({ hosts: ["bad_host.example.com"] }, "hosts[0]", "bad_host");
            expectProblem({ hosts: [`${"a".repeat(64)}.example.com`] }, "hosts[0]", "at most 63");
            expectProblem({ hosts: ["a.com", "a.com"] }, "hosts[1]", "duplicate host");
        });
        it("duplicate port numbers and names", () => {
            expectProblem({ hosts: ["a.com"], ports: [{ number: 443, name: "https" }, { number: 443, name: "tls" }] }, "ports[1].number", "duplicate port number 443");
            expectProblem({ hosts: ["a.com"], ports: [{ number: 443, name: "https" }, { number: 8443, name: "https" }] }, "ports[1].name", "duplicate port name");
        });
        it("port names that are not DNS-1123 labels", () => {
            expectProblem({ hosts: ["a.com"], ports: [{ number: 443, name: "Bad_Name" }] }, "ports[0].name", "DNS-1123");
            expectProblem({ hosts: ["a.com"], ports: [{ number: 443, name: "-https" }] }, "ports[0].name", "DNS-1123");
        });
        it("protocols outside Istio's list", () => {
            expectProblem({ hosts: ["a.com"], ports: [{ number: 443, name: "quic", protocol: "QUIC" }] }, "ports[0].protocol", '"QUIC"');
            expectProblem({ hosts: ["a.com"], ports: [{ number: 443, name: "h3", protocol: "HTTP3" }] }, "ports[0].protocol");
            for (const protocol of ["grpc-web", "Mongo", "MySQL", "redis", "HTTP_PROXY", "UDP"]) assert.deepStrictEqual(problems({ hosts: ["a.com"], ports: [{ number: 7000, name: "p", protocol }] }), [], protocol);
        });
        it("several hosts with a non-HTTP/TLS port unless resolution is NONE", () => {
            for (const protocol of ["TCP", "MONGO", "REDIS", "MYSQL", "UDP"]) {
                expectProblem({ hosts: ["a.com", "b.com"], ports: [{ number: 5432, name: "p", protocol }] }, "ports[0].protocol", "resolution NONE");
                assert.deepStrictEqual(problems({ hosts: ["a.com", "b.com"], ports: [{ number: 5432, name: "p", protocol }], resolution: "NONE" }), []);
                assert.deepStrictEqual(problems({ hosts: ["a.com"], ports: [{ number: 5432, name: "p", protocol }] }), [], `${protocol} with one host`);
            }
            for (const protocol of ["HTTP", "HTTPS", "TLS", "GRPC", "GRPC-WEB", "HTTP2", "HTTP_PROXY"]) {
                assert.deepStrictEqual(problems({ hosts: ["a.com", "b.com"], ports: [{ number: 8080, name: "p", protocol }] }), [], protocol);
            }
            // A wildcard host defaults the resolution to NONE, so the rule does not apply.
            assert.deepStrictEqual(problems({ hosts: ["*.a.com", "b.com"], ports: [{ number: 5432, name: "p", protocol: "TCP" }] }), []);
        });
        it("a wildcard host with resolution DNS", () => expectProblem({ hosts: ["*.s3.amazonaws.com"], resolution: "DNS" }, "externalServices[0].resolution", "NONE"));
        it("more hosts or ports than the CRD allows", () => {
            const hosts = Array.from({ length: 257 }, (_, i) => `h${i}.example.com`);
            assert.ok(serviceEntryProblems({ hosts, ports: HTTPS_443 }).some((p) => p.path.join(".") === "hosts" && p.message.includes("256")));
        });
        it("the program registers nothing for such a config", async () => {
            let failure: ProgramError | undefined;
            await runStack("dev", { set: { externalServices: [{ name: "all", hosts: ["*"] }] } }).catch((e) => (failure = e));
            assert.ok(failure instanceof ProgramError);
            assert.match(failure.message, /stack "dev": eco2-tracing:externalServices\[0\]\.hosts\[0\] = "\*"/);
            assert.deepStrictEqual(failure.resources.map((r) => r.type), ["pulumi:pulumi:Stack"]);
        });
    });
});
