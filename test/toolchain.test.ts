import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { TOOLCHAIN_DIR } from "../toolchain/paths";
import { COMPONENTS, TOOL_NAMES } from "../toolchain/components";
import { componentKey, refusedModule } from "../toolchain/tools";
import { stackArg } from "../toolchain/local";
import { referencedByStack } from "../toolchain/local-platform";

describe("toolchain (offline parts)", () => {
    it("every tool name comes from exactly one component, each with a Go module folder", () => {
        const provided = COMPONENTS.flatMap((c) => c.tools.map((t) => t.name));
        assert.deepStrictEqual([...provided].sort(), [...TOOL_NAMES].sort());
        for (const c of COMPONENTS) {
            for (const f of ["go.mod", "go.sum"]) assert.ok(fs.existsSync(path.join(TOOLCHAIN_DIR, "go", c.module, f)), `${c.module}/${f}`);
        }
    });

    it("the cache key is stable for the same inputs and changes with the Go version or the recipe", () => {
        const c = COMPONENTS.find((x) => x.module === "helm")!;
        assert.strictEqual(componentKey(c, "go1.26.8/linux/amd64"), componentKey(c, "go1.26.8/linux/amd64"));
        assert.notStrictEqual(componentKey(c, "go1.26.8/linux/amd64"), componentKey(c, "go1.26.9/linux/amd64"));
        assert.notStrictEqual(componentKey(c, "go1.26.8/linux/amd64"), componentKey({ ...c, stamps: { ...c.stamps, extra: "1" } }, "go1.26.8/linux/amd64"));
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

    it("finds the stack in a pulumi command line in each of its spellings", () => {
        assert.strictEqual(stackArg(["up", "-s", "dev", "--yes"]), "dev");
        assert.strictEqual(stackArg(["preview", "--stack=prod"]), "prod");
        assert.strictEqual(stackArg(["preview", "--stack", "prod"]), "prod");
        assert.strictEqual(stackArg(["whoami"]), undefined);
    });

    it("the embedded cluster gets the namespaces the stack references but does not create, and prod's password Secret", () => {
        const ref = referencedByStack("eco2-tracing", {
            "eco2-tracing:appNamespaces": ["auth", { name: "own", create: true }, { name: "chat" }],
            "eco2-tracing:jaeger": { namespace: "tracing", storage: { passwordSecretRef: { name: "es", key: "password" } } },
        });
        assert.deepStrictEqual(ref.namespaces, ["auth", "chat", "istio-system", "tracing"]);
        assert.deepStrictEqual(ref.secrets, [{ namespace: "tracing", name: "es", key: "password" }]);
    });
});
