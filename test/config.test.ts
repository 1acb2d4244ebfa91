import * as assert from "assert";
import * as path from "path";
import { parseConfig, ConfigError, PROJECT, TracingConfig } from "../lib/config";
import { readStackFile } from "../lib/stack-file";
import { ROOT } from "./helpers";

function stackRaw(stack: string): Record<string, string> {
    const { config } = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`), PROJECT);
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.slice(PROJECT.length + 1), v]));
}

function problems(raw: Record<string, unknown>, stack = "test", secretKeys?: string[]): string[] {
    try {
        parseConfig(raw, { stack, secretKeys: secretKeys && new Set(secretKeys) });
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.problems;
    }
    return [];
}

function expectProblem(raw: Record<string, unknown>, ...fragments: string[]): void {
    const found = problems(raw);
    assert.ok(
        found.some((p) => fragments.every((f) => p.includes(f))),
        `expected a problem containing ${JSON.stringify(fragments)}, got:\n${found.join("\n") || "(none)"}`,
    );
}

const prod = (extra: Record<string, unknown> = {}) => ({
    environment: "prod",
    jaeger: { mode: "production", replicas: 2, storage: { type: "elasticsearch", serverUrls: ["https://es:9200"] } },
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
            assert.strictEqual(dev.sampling, 100);
            assert.strictEqual(dev.jaeger.mode, "allInOne");
            assert.strictEqual(dev.jaeger.replicas, 1);
            assert.ok(prod.sampling >= 1 && prod.sampling <= 10);
            assert.strictEqual(prod.jaeger.mode, "production");
            assert.strictEqual(prod.jaeger.storage?.type, "elasticsearch");
        });
    });

    describe("sampling", () => {
        it("dev defaults to 100 %", () => assert.strictEqual(parseConfig({ environment: "dev" }, { stack: "dev" }).sampling, 100));
        it("accepts numeric strings", () => assert.strictEqual(parseConfig({ environment: "dev", sampling: "42.5" }, { stack: "dev" }).sampling, 42.5));
        it("rejects non-numeric strings", () => expectProblem({ environment: "dev", sampling: "lots" }, "eco2-tracing:sampling", '"lots"', "must be a number"));
        it("rejects values outside 0–100 everywhere", () => {
            expectProblem({ environment: "dev", sampling: "101" }, "eco2-tracing:sampling", "0 to 100");
            expectProblem({ environment: "dev", sampling: -1 }, "eco2-tracing:sampling", "0 to 100");
        });
        it("prod must be within 1–10 inclusive", () => {
            for (const ok of ["1", "10", "5.5"]) assert.deepStrictEqual(problems(prod({ sampling: ok })), [], ok);
            for (const bad of ["0.5", "11", "100"]) expectProblem(prod({ sampling: bad }), "sampling", `"${bad}"`, "1–10");
        });
    });

    describe("jaeger", () => {
        it("memory storage with more than one replica is an error", () =>
            expectProblem({ environment: "dev", jaeger: { replicas: 2 } }, "eco2-tracing:jaeger.replicas", "2", "allowed: 1"));
        it("production mode requires storage", () =>
            expectProblem({ environment: "prod", sampling: 5, jaeger: { mode: "production" } }, "eco2-tracing:jaeger.storage", "production"));
        it("production storage requires server URLs", () =>
            expectProblem(prod({ jaeger: { mode: "production", storage: { type: "opensearch", serverUrls: [] } } }), "jaeger.storage.serverUrls", "at least one"));
        it("a plain-text password key is rejected; a secret one is accepted", () => {
            const raw = prod({ jaegerStoragePassword: "hunter2", jaeger: { mode: "production", storage: { type: "elasticsearch", serverUrls: ["https://es:9200"], username: "jaeger" } } });
            const found = problems(raw, "prod", []);
            assert.ok(found.some((p) => p.includes("jaegerStoragePassword") && p.includes("plain text")), found.join("\n"));
            const c = parseConfig(raw, { stack: "prod", secretKeys: new Set(["jaegerStoragePassword"]) });
            assert.ok(c.storagePassword);
        });
        it("a password needs a username and production storage", () => {
            expectProblem(prod({ jaeger: { mode: "production", storage: { type: "elasticsearch", serverUrls: ["https://es:9200"], passwordSecretRef: { name: "es", key: "password" } } } }), "jaeger.storage.username", "no username");
            expectProblem({ environment: "dev", jaegerStoragePassword: "x" }, "jaegerStoragePassword", "allInOne");
        });
        it("a password field inside storage is an unknown key", () =>
            expectProblem(prod({ jaeger: { mode: "production", storage: { type: "elasticsearch", serverUrls: ["https://es:9200"], password: "x" } } }), 'unknown key "password"'));
    });

    describe("namespaces and external services", () => {
        it("namespace names must be DNS-1123 labels", () => expectProblem({ environment: "dev", appNamespaces: ["Auth"] }, "appNamespaces[0]", '"Auth"', "DNS-1123"));
        it("duplicate namespaces are errors", () => expectProblem({ environment: "dev", appNamespaces: ["auth", { name: "auth" }] }, "appNamespaces[1]", "duplicate"));
        it("ports must be 1–65535", () =>
            expectProblem({ environment: "dev", externalServices: [{ name: "x", hosts: ["a.com"], ports: [{ number: 70000, name: "https" }] }] }, "ports[0].number", "70000", "1–65535"));
        it("a wildcard host with resolution DNS is an error", () =>
            expectProblem({ environment: "dev", externalServices: [{ name: "s3", hosts: ["*.s3.amazonaws.com"], resolution: "DNS" }] }, "externalServices[0].resolution", "NONE"));
        it("resolution defaults to NONE for wildcard hosts and DNS otherwise", () => {
            const c = parseConfig({ environment: "dev", externalServices: [{ name: "a", hosts: ["a.com"] }, { name: "b", hosts: ["*.b.com"] }] }, { stack: "dev" });
            assert.deepStrictEqual(c.externalServices.map((s) => s.resolution), ["DNS", "NONE"]);
        });
        it("a bare '*' host, duplicate ports and unknown protocols are rejected", () => {
            expectProblem({ environment: "dev", externalServices: [{ name: "x", hosts: ["*"] }] }, "hosts[0]", "bare '*'");
            expectProblem({ environment: "dev", externalServices: [{ name: "x", hosts: ["a.com"], ports: [{ number: 443, name: "https" }, { number: 443, name: "tls" }] }] }, "ports[1].number", "duplicate");
            expectProblem({ environment: "dev", externalServices: [{ name: "x", hosts: ["a.com"], ports: [{ number: 443, name: "https" }, { number: 8443, name: "https" }] }] }, "ports[1].name", "duplicate");
            expectProblem({ environment: "dev", externalServices: [{ name: "x", hosts: ["a.com"], ports: [{ number: 443, name: "https", protocol: "QUIC" }] }] }, "ports[0].protocol");
            expectProblem({ environment: "dev", externalServices: [{ name: "x", hosts: ["a.com"], ports: [{ number: 443, name: "Bad_Name" }] }] }, "ports[0].name", "DNS-1123");
        });
        it("several hosts on a TCP port need resolution NONE", () => {
            const tcp = (resolution?: string) => ({ environment: "dev", externalServices: [{ name: "db", hosts: ["a.com", "b.com"], ports: [{ number: 5432, name: "tcp-pg", protocol: "TCP" }], ...(resolution ? { resolution } : {}) }] });
            expectProblem(tcp(), "ports[0].protocol", "TCP", "NONE");
            assert.deepStrictEqual(problems(tcp("NONE")), []);
        });
    });

    describe("kubernetes", () => {
        it("renderYamlToDirectory cannot be combined with a context", () =>
            expectProblem({ environment: "dev", kubernetes: { renderYamlToDirectory: "rendered", context: "kind-dev" } }, "eco2-tracing:kubernetes.context", "renderYamlToDirectory"));
    });

    describe("reporting", () => {
        it("unknown keys are errors with a suggestion", () => {
            expectProblem({ environment: "dev", samplng: 5 }, "unknown key eco2-tracing:samplng", "did you mean eco2-tracing:sampling");
            expectProblem({ environment: "dev", jaeger: { replicsa: 1 } }, 'unknown key "replicsa"', 'did you mean "replicas"');
        });
        it("every problem names the stack, key, value and what is allowed, all at once", () => {
            const found = problems({ environment: "prod", sampling: "50", appNamespaces: ["UPPER"], jaeger: { replicas: 3 } }, "prod");
            assert.strictEqual(found.length, 3, found.join("\n"));
            for (const p of found) assert.match(p, /^stack "prod": eco2-tracing:\S+ = .+: .+/);
            assert.ok(found.some((p) => p.includes("eco2-tracing:sampling") && p.includes("1–10")));
            assert.ok(found.some((p) => p.includes("appNamespaces[0]")));
            assert.ok(found.some((p) => p.includes("jaeger.replicas")));
        });
        it("environment is required", () => expectProblem({}, "eco2-tracing:environment", "(unset)", "dev"));
        it("the result is deeply frozen", () => {
            const c: TracingConfig = parseConfig(stackRaw("prod"), { stack: "prod" });
            assert.ok(Object.isFrozen(c) && Object.isFrozen(c.jaeger) && Object.isFrozen(c.appNamespaces[0]));
        });
    });
});
