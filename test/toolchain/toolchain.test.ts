import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { TOOLCHAIN_DIR } from "../../toolchain/kit/paths";
import { COMPONENTS, TOOL_NAMES } from "../../toolchain/build/components";
import { componentKey, refusedModule, reportsVersion } from "../../toolchain/build/tools";
import { OPENSEARCH_VERSION, openSearchKey } from "../../toolchain/build/opensearch";
import { parsePulumiArgs } from "../../toolchain/local/local";
import { stackNames } from "../../toolchain/local/stack-defaults";
import { LOCAL_STORAGE_PASSWORD, referencedByStack } from "../../toolchain/local/platform";

describe("toolchain (offline parts)", () => {
    it("every tool name comes from exactly one component, each with a Go module folder", () => {
        const provided = [...COMPONENTS.flatMap((c) => c.tools.map((t) => t.name)), "opensearch"];
        assert.deepStrictEqual([...provided].sort(), [...TOOL_NAMES].sort());
        for (const c of COMPONENTS) {
            for (const f of ["go.mod", "go.sum"]) assert.ok(fs.existsSync(path.join(TOOLCHAIN_DIR, "go", c.module, f)), `${c.module}/${f}`);
        }
    });

    it("istiod, istioctl and the xDS probe are built from the same istio.io/istio and go-control-plane", () => {
        const requires = (module: string) => {
            const text = fs.readFileSync(path.join(TOOLCHAIN_DIR, "go", module, "go.mod"), "utf8");
            return new Map([...text.matchAll(/^\t(\S+) (v\S+)/gm)].map((m) => [m[1], m[2]]));
        };
        const istioctl = requires("istioctl");
        const probe = requires("xds-probe");
        for (const m of ["istio.io/istio", "github.com/envoyproxy/go-control-plane/envoy", "google.golang.org/grpc"]) {
            assert.ok(istioctl.get(m), m);
            assert.strictEqual(probe.get(m), istioctl.get(m), m);
        }
        for (const [m, v] of probe) assert.strictEqual(v, istioctl.get(m), `${m}: the probe may not move a version istiod is built with`);
        const istio = COMPONENTS.find((c) => c.module === "istioctl")!;
        assert.deepStrictEqual(istio.tools.map((t) => t.name), ["istioctl", "pilot-discovery"]);
        assert.strictEqual(istio.env?.CGO_ENABLED, "0");
    });

    it("OpenSearch's cache key follows the Java version and the pinned files", () => {
        assert.strictEqual(openSearchKey("openjdk version \"17.0.15\""), openSearchKey("openjdk version \"17.0.15\""));
        assert.notStrictEqual(openSearchKey("openjdk version \"17.0.15\""), openSearchKey("openjdk version \"17.0.16\""));
        const pom = fs.readFileSync(path.join(TOOLCHAIN_DIR, "maven", "opensearch", "pom.xml"), "utf8");
        assert.ok(pom.includes(`<version>${OPENSEARCH_VERSION}</version>`), "the pom pins the reported version");
    });

    it("the cache key is stable for the same inputs and changes with the Go version or the recipe", () => {
        const c = COMPONENTS.find((x) => x.module === "helm")!;
        assert.strictEqual(componentKey(c, "go1.26.8/linux/amd64"), componentKey(c, "go1.26.8/linux/amd64"));
        assert.notStrictEqual(componentKey(c, "go1.26.8/linux/amd64"), componentKey(c, "go1.26.9/linux/amd64"));
        assert.notStrictEqual(componentKey(c, "go1.26.8/linux/amd64"), componentKey({ ...c, stamps: { ...c.stamps, extra: "1" } }, "go1.26.8/linux/amd64"));
        const go = "go1.26.8/linux/amd64";
        assert.notStrictEqual(componentKey(c, go), componentKey({ ...c, env: { CGO_ENABLED: "0" } }, go), "the build environment");
    });

    it("names the module and version the proxy refused, from go's own message", () => {
        const stderr = [
            "go: downloading istio.io/api v1.30.4-0.20260824163423-69099aec2678",
            "istio.io/istio/pkg/config/xds imports",
            "\tistio.io/api/networking/v1: istio.io/api@v1.30.4-0.20260824163423-69099aec2678: reading https://proxy.golang.org/istio.io/api/@v/v1.30.4-0.20260824163423-69099aec2678.zip: 403 Forbidden",
            "\tserver response: This module version is not available.",
        ].join("\n");
        assert.strictEqual(refusedModule(stderr), "istio.io/api v1.30.4-0.20260824163423-69099aec2678");
        assert.strictEqual(refusedModule("main.go:3:2: undefined: foo"), undefined);
    });

    it("reuses a PATH binary only when it reports the pinned version as a whole word", () => {
        assert.ok(reportsVersion("kwok version v0.8.0 go1.26.8 (linux/amd64)", "v0.8.0"));
        assert.ok(reportsVersion("Kubernetes v1.36.3\n", "Kubernetes v1.36.3"));
        assert.ok(!reportsVersion("kwok version v10.8.0", "v0.8.0"));
        assert.ok(!reportsVersion("Kubernetes v1.36.30", "Kubernetes v1.36.3"));
    });

    it("finds the stack and the command in a pulumi command line, skipping flag values", () => {
        assert.deepStrictEqual(parsePulumiArgs(["up", "-s", "dev", "--yes"]), { stack: "dev", command: "up" });
        assert.deepStrictEqual(parsePulumiArgs(["-s", "dev", "up", "--yes"]), { stack: "dev", command: "up" });
        assert.deepStrictEqual(parsePulumiArgs(["preview", "--stack=prod"]), { stack: "prod", command: "preview" });
        assert.deepStrictEqual(parsePulumiArgs(["-c", "x=1", "--stack", "prod", "preview"]), { stack: "prod", command: "preview" });
        assert.deepStrictEqual(parsePulumiArgs(["whoami"]), { stack: undefined, command: "whoami" });
    });

    it("the embedded cluster gets the namespaces the stack references but does not create, and prod's Secrets", () => {
        const names = stackNames("eco2-tracing", {
            "eco2-tracing:appNamespaces": ["auth", { name: "own", create: true }, { name: "chat" }, { name: "Bad_Name" }],
            "eco2-tracing:jaeger": { namespace: "tracing", storage: { passwordSecretRef: { name: "es", key: "password" }, caSecretRef: { name: "es", key: "ca.crt" } } },
        });
        const ref = referencedByStack(names);
        assert.deepStrictEqual(ref.namespaces, ["auth", "chat", "istio-system", "tracing"], "the schema's default root namespace; an invalid name is left to the program");
        assert.deepStrictEqual(ref.secrets.map((s) => [s.namespace, s.name, Object.keys(s.data)]), [["tracing", "es", ["password", "ca.crt"]]], "one Secret per name");
        assert.strictEqual(ref.secrets[0].data.password, LOCAL_STORAGE_PASSWORD);
        assert.deepStrictEqual(stackNames("eco2-tracing", {}).chart, { repo: "https://jaegertracing.github.io/helm-charts", name: "jaeger", version: "4.11.1" }, "the schema's chart defaults");
    });
});
