import * as assert from "assert";
import * as path from "path";
import { ConfigError, parseConfig, PROJECT, SHOWN_PROBLEMS, TracingConfig } from "../../../components/config";
import { readStackFile } from "../../../tools/stack-file";
import { configProblems, expectConfigProblem, ROOT } from "../../helpers";

function stackRaw(stack: string): Record<string, string> {
    const { config } = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`), PROJECT);
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.slice(PROJECT.length + 1), v]));
}



const prod = (extra: Record<string, unknown> = {}) => ({
    environment: "prod",
    jaeger: { mode: "production", replicas: 2, storage: { type: "elasticsearch", serverUrls: ["https://es:9200"], tlsSystemCAs: true } },
    ...extra,
});

describe("config", () => {
    describe("stack files", () => {
        for (const stack of ["dev", "prod"]) {
            it(`Pulumi.${stack}.yaml validates`, () => {
                const c = parseConfig(stackRaw(stack), { stack });
                assert.strictEqual(c.environment, stack);
                assert.deepStrictEqual(c.appNamespaces.map((n) => n.name), ["auth", "character", "chat", "scan", "my"]);
                assert.deepStrictEqual(
                    c.externalServices.map((s) => `${s.name}:${s.resolution}`),
                    ["google-external:DNS", "kakao-external:DNS", "naver-external:DNS", "openai-external:DNS", "aws-s3-external:NONE", "aws-cloudfront:NONE"],
                );
                for (const s of c.externalServices) assert.deepStrictEqual(s.ports, [{ number: 443, name: "https", protocol: "HTTPS" }]);
            });
        }
        it("dev is 100 % in-memory all-in-one, prod 1–10 % on Elasticsearch", () => {
            const dev = parseConfig(stackRaw("dev"), { stack: "dev" });
            const prod = parseConfig(stackRaw("prod"), { stack: "prod" });
            assert.strictEqual(dev.samplingPercent, 100);
            assert.strictEqual(dev.jaeger.mode, "allInOne");
            assert.strictEqual(dev.jaeger.replicas, 1);
            assert.ok(prod.samplingPercent >= 1 && prod.samplingPercent <= 10);
            assert.strictEqual(prod.jaeger.mode, "production");
            assert.strictEqual(prod.jaeger.storage?.type, "elasticsearch");
        });
    });

    describe("sampling", () => {
        it("dev defaults to 100 %", () => assert.strictEqual(parseConfig({ environment: "dev" }, { stack: "dev" }).samplingPercent, 100));
        it("accepts numeric strings", () => assert.strictEqual(parseConfig({ environment: "dev", sampling: "42.5" }, { stack: "dev" }).samplingPercent, 42.5));
        it("rejects non-numeric strings", () => expectConfigProblem({ environment: "dev", sampling: "lots" }, "eco2-tracing:sampling", '"lots"', "must be a number"));
        it("rejects values outside 0–100 everywhere", () => {
            expectConfigProblem({ environment: "dev", sampling: "101" }, "eco2-tracing:sampling", "0 to 100");
            expectConfigProblem({ environment: "dev", sampling: -1 }, "eco2-tracing:sampling", "0 to 100");
        });
        it("prod must be within 1–10 inclusive", () => {
            for (const ok of ["1", "10", "5.5"]) assert.deepStrictEqual(configProblems(prod({ sampling: ok })), [], ok);
            for (const bad of ["0.5", "11", "100"]) expectConfigProblem(prod({ sampling: bad }), "sampling", `"${bad}"`, "1–10");
        });
    });

    describe("jaeger", () => {
        it("memory storage with more than one replica is an error", () =>
            expectConfigProblem({ environment: "dev", jaeger: { replicas: 2 } }, "eco2-tracing:jaeger.replicas", "2", "allowed: 1"));
        it("production mode requires storage", () =>
            expectConfigProblem({ environment: "prod", sampling: 5, jaeger: { mode: "production" } }, "eco2-tracing:jaeger.storage", "production"));
        it("production storage requires server URLs", () =>
            expectConfigProblem(prod({ jaeger: { mode: "production", storage: { type: "opensearch", serverUrls: [] } } }), "jaeger.storage.serverUrls", "at least one"));
        it("a plain-text password key is rejected; a secret one is accepted", () => {
            const raw = prod({ jaegerStoragePassword: "hunter2", jaeger: { mode: "production", storage: { type: "elasticsearch", serverUrls: ["https://es:9200"], username: "jaeger", tlsSystemCAs: true } } });
            const found = configProblems(raw, "prod", []);
            assert.ok(found.some((p) => p.includes("jaegerStoragePassword") && p.includes("plain text")), found.join("\n"));
            const c = parseConfig(raw, { stack: "prod", secretKeys: new Set(["jaegerStoragePassword"]) });
            assert.ok(c.storagePassword);
        });
        it("a password needs a username and production storage", () => {
            expectConfigProblem(prod({ jaeger: { mode: "production", storage: { type: "elasticsearch", serverUrls: ["https://es:9200"], passwordSecretRef: { name: "es", key: "password" }, tlsSystemCAs: true } } }), "jaeger.storage.username", "no username");
            expectConfigProblem({ environment: "dev", jaegerStoragePassword: "x" }, "jaegerStoragePassword", "allInOne");
        });
        it("a password field inside storage is an unknown key", () =>
            expectConfigProblem(prod({ jaeger: { mode: "production", storage: { type: "elasticsearch", serverUrls: ["https://es:9200"], password: "x" } } }), 'unknown key "password"'));
    });

    describe("namespaces and external services", () => {
        it("namespace names must be DNS-1123 labels", () => expectConfigProblem({ environment: "dev", appNamespaces: ["Auth"] }, "appNamespaces[0]", '"Auth"', "DNS-1123"));
        it("duplicate namespaces are errors", () => expectConfigProblem({ environment: "dev", appNamespaces: ["auth", { name: "auth" }] }, "appNamespaces[1]", "duplicate"));
        it("ports must be 1–65535", () =>
            expectConfigProblem({ environment: "dev", externalServices: [{ name: "x", hosts: ["a.com"], ports: [{ number: 70000, name: "https" }] }] }, "ports[0].number", "70000", "1–65535"));
        it("a wildcard host with resolution DNS is an error", () =>
            expectConfigProblem({ environment: "dev", externalServices: [{ name: "s3", hosts: ["*.s3.amazonaws.com"], resolution: "DNS" }] }, "externalServices[0].resolution", "NONE"));
        it("resolution defaults to NONE for wildcard hosts and DNS otherwise", () => {
            const c = parseConfig({ environment: "dev", externalServices: [{ name: "a", hosts: ["a.com"] }, { name: "b", hosts: ["*.b.com"] }] }, { stack: "dev" });
            assert.deepStrictEqual(c.externalServices.map((s) => s.resolution), ["DNS", "NONE"]);
        });
        it("a bare '*' host, duplicate ports and unknown protocols are rejected", () => {
            expectConfigProblem({ environment: "dev", externalServices: [{ name: "x", hosts: ["*"] }] }, "hosts[0]", "bare '*'");
            expectConfigProblem({ environment: "dev", externalServices: [{ name: "x", hosts: ["a.com"], ports: [{ number: 443, name: "https" }, { number: 443, name: "tls" }] }] }, "ports[1].number", "duplicate");
            expectConfigProblem({ environment: "dev", externalServices: [{ name: "x", hosts: ["a.com"], ports: [{ number: 443, name: "https" }, { number: 8443, name: "https" }] }] }, "ports[1].name", "duplicate");
            expectConfigProblem({ environment: "dev", externalServices: [{ name: "x", hosts: ["a.com"], ports: [{ number: 443, name: "https", protocol: "QUIC" }] }] }, "ports[0].protocol");
            expectConfigProblem({ environment: "dev", externalServices: [{ name: "x", hosts: ["a.com"], ports: [{ number: 443, name: "Bad_Name" }] }] }, "ports[0].name", "DNS-1123");
        });
        it("several hosts on a TCP port need resolution NONE", () => {
            const tcp = (resolution?: string) => ({ environment: "dev", externalServices: [{ name: "db", hosts: ["a.com", "b.com"], ports: [{ number: 5432, name: "tcp-pg", protocol: "TCP" }], ...(resolution ? { resolution } : {}) }] });
            expectConfigProblem(tcp(), "ports[0].protocol", "TCP", "NONE");
            assert.deepStrictEqual(configProblems(tcp("NONE")), []);
        });
    });

    describe("backend TLS (an https backend states how its certificate is verified)", () => {
        // dev: the choice itself is under test, not prod's stricter rules for it.
        const storage = (tls: Record<string, unknown>, serverUrls = ["https://es:9200"]) =>
            ({ environment: "dev", jaeger: { mode: "production", replicas: 2, storage: { type: "elasticsearch", serverUrls, ...tls } } });
        it("rejects an https backend with no way to verify it (Jaeger would crash-loop on the self-signed certificate)", () =>
            expectConfigProblem(storage({}), "eco2-tracing:jaeger.storage.caSecretRef", "needs a way to verify", "tlsSystemCAs: true"));
        it("accepts exactly one of a CA Secret, the system CAs, or no verification", () => {
            for (const tls of [{ caSecretRef: { name: "es-ca", key: "ca.crt" } }, { tlsSystemCAs: true }, { tlsInsecureSkipVerify: true }]) {
                assert.deepStrictEqual(configProblems(storage(tls)), [], JSON.stringify(tls));
            }
            expectConfigProblem(storage({ caSecretRef: { name: "es-ca", key: "ca.crt" }, tlsSystemCAs: true }), "jaeger.storage.caSecretRef", "caSecretRef and tlsSystemCAs are alternatives");
        });
        it("rejects a TLS choice for http URLs and a mix of schemes", () => {
            expectConfigProblem(storage({ tlsSystemCAs: true }, ["http://es:9200"]), "jaeger.storage.tlsSystemCAs", "http URLs use no TLS");
            assert.deepStrictEqual(configProblems(storage({}, ["http://es:9200"])), []);
            expectConfigProblem(storage({ tlsSystemCAs: true }, ["http://es-0:9200", "https://es-1:9200"]), "jaeger.storage.serverUrls", "one scheme");
        });
        it("Pulumi.prod.yaml verifies the Elastic chart's self-signed certificate with a CA Secret in the Jaeger namespace", () => {
            const c = parseConfig(stackRaw("prod"), { stack: "prod" });
            assert.ok(c.jaeger.storage?.serverUrls.every((u) => u.startsWith("https://")));
            // A Secret reference has no namespace: the pod mounts it from its own, jaeger.namespace.
            assert.deepStrictEqual(c.jaeger.storage?.caSecretRef, { name: "jaeger-es-ca", key: "ca.crt" });
            assert.strictEqual(c.jaeger.namespace, "istio-system");
        });
    });

    describe("kubernetes", () => {
        it("renderYamlToDirectory cannot be combined with a context", () =>
            expectConfigProblem({ environment: "dev", kubernetes: { renderYamlToDirectory: "rendered", context: "kind-dev" } }, "eco2-tracing:kubernetes.context", "renderYamlToDirectory"));
    });

    describe("reporting", () => {
        it("unknown keys are errors with a suggestion", () => {
            expectConfigProblem({ environment: "dev", samplng: 5 }, "unknown key eco2-tracing:samplng", "did you mean eco2-tracing:sampling");
            expectConfigProblem({ environment: "dev", jaeger: { replicsa: 1 } }, 'unknown key "replicsa"', 'did you mean "replicas"');
        });
        it("every problem names the stack, key, value and what is allowed, all at once", () => {
            const found = configProblems({ environment: "prod", sampling: "50", appNamespaces: ["UPPER"], jaeger: { replicas: 3 } }, "prod");
            assert.strictEqual(found.length, 4, found.join("\n"));
            assert.ok(found.some((p) => p.includes("eco2-tracing:jaeger.mode") && p.includes("prod keeps its traces")));
            for (const p of found) assert.match(p, /^stack "prod": eco2-tracing:\S+ = .+: .+/);
            assert.ok(found.some((p) => p.includes("eco2-tracing:sampling") && p.includes("1–10")));
            assert.ok(found.some((p) => p.includes("appNamespaces[0]")));
            assert.ok(found.some((p) => p.includes("jaeger.replicas")));
        });
        it("a key under a misspelt project namespace is an error naming the key meant; provider keys are not", () => {
            const otherKeys = { "eco2-tracng:sampling": "50", "kubernetes:context": "kind", "pulumi:tags": "{}" };
            assert.throws(() => parseConfig({ environment: "dev" }, { stack: "dev", otherKeys }), (e: ConfigError) => {
                assert.strictEqual(e.problems.length, 1, e.problems.join("\n"));
                const meant = /unknown namespace "eco2-tracng" \(did you mean eco2-tracing:sampling\?\)/;
                assert.ok(e.problems[0].startsWith('stack "dev": eco2-tracng:sampling = "50": '), e.problems[0]);
                assert.match(e.problems[0], meant);
                return true;
            });
        });
        it("a long list of problems is summarised: the first ones, then how many more", () => {
            const appNamespaces = Array.from({ length: 1000 }, (_, i) => `BAD-${i}`);
            assert.throws(() => parseConfig({ environment: "dev", appNamespaces }, { stack: "dev" }), (e: ConfigError) => {
                assert.strictEqual(e.problems.length, 1000);
                assert.match(e.message, /\(1000 problems\)/);
                assert.strictEqual(e.message.split("\n").filter((l) => l.startsWith("  - ")).length, SHOWN_PROBLEMS);
                assert.match(e.message, new RegExp(`… and ${1000 - SHOWN_PROBLEMS} more$`));
                for (const line of e.message.split("\n")) assert.ok(line.length < 400, line);
                return true;
            });
        });
        it("environment is required", () => expectConfigProblem({}, "eco2-tracing:environment", "(unset)", "dev"));
        it("the result is deeply frozen", () => {
            const c: TracingConfig = parseConfig(stackRaw("prod"), { stack: "prod" });
            assert.ok(Object.isFrozen(c) && Object.isFrozen(c.jaeger) && Object.isFrozen(c.appNamespaces[0]));
        });
    });
});
