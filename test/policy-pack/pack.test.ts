/**
 * The pack as a unit the CLI installs and runs on its own: public policy names, self-contained sources and
 * package.json, per-stack config files valid for `--policy-pack-config`, defaults in step with the program.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { policies } from "../../policy-pack/policies";
import { DEFAULT_COLLECTOR_NAMESPACE, DEFAULT_JAEGER_POD_LABELS, DEFAULT_ROOT_NAMESPACE, DEFAULT_TRACING_PROVIDERS } from "../../policy-pack/lib/config";
import { reconcileConfig } from "../../tools/policy-check/analyzer";
import { readPolicyPackConfig } from "../../tools/policy-check/pack-config";
import { rawConfigSchema } from "../../components/config/schema";
import { jaegerPodLabels, PORTS } from "../../components/foundation/topology";
import { parseQuantity } from "../../components/foundation/k8s";
import { PROD_SAMPLING_RANGE } from "../../components/config/sampling-rules";
import { memoryBytes } from "../../policy-pack/lib/jaeger";
import { JAEGER_PORTS } from "../../policy-pack/lib/ports";
import { ROOT } from "../helpers";

const PACK = path.join(ROOT, "policy-pack");
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return ["node_modules", "bin"].includes(e.name) ? [] : sources(full);
        return e.name.endsWith(".ts") ? [full] : [];
    });
}

describe("policy pack", () => {
    it("serves exactly the eight public policy names", () => {
        assert.deepStrictEqual(policies.map((p) => p.name), [
            "app-namespace-zipkin-egress",
            "app-namespace-otlp-egress",
            "telemetry-provider-known",
            "prod-sampling-range",
            "service-entry-wildcard-resolution",
            "jaeger-collector-not-headless",
            "jaeger-ui-not-public",
            "jaeger-resources-bounded",
        ]);
        assert.deepStrictEqual(policies.map((p) => p.enforcementLevel), ["mandatory", "advisory", "mandatory", "mandatory", "mandatory", "mandatory", "mandatory", "mandatory"]);
    });

    it("is self-contained: imports stay inside policy-pack/ or name its own dependencies", () => {
        const pkg = readJson(path.join(PACK, "package.json"));
        const deps = Object.keys(pkg.dependencies);
        const files = sources(PACK);
        assert.ok(files.length >= 15);
        for (const file of files) {
            const text = fs.readFileSync(file, "utf8");
            const specs = [
                ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/gm),
                ...text.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
                ...text.matchAll(/\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g),
            ].map((m) => m[1]);
            for (const spec of specs) {
                if (spec.startsWith(".")) {
                    const target = path.resolve(path.dirname(file), spec);
                    assert.ok(target.startsWith(PACK + path.sep), `${path.relative(ROOT, file)} imports ${spec}, outside the pack`);
                } else {
                    const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
                    assert.ok(deps.includes(name), `${path.relative(ROOT, file)} imports ${spec}, not a dependency of policy-pack/package.json`);
                }
            }
        }
    });

    it("package.json, PulumiPolicy.yaml and tsconfig.json are what `pulumi preview --policy-pack` needs", () => {
        const pkg = readJson(path.join(PACK, "package.json"));
        const root = readJson(path.join(ROOT, "package.json"));
        assert.match(pkg.version, /^\d+\.\d+\.\d+$/, "PolicyPack reads its version from package.json");
        for (const dep of ["@pulumi/policy", "@pulumi/pulumi", "yaml"]) assert.strictEqual(pkg.dependencies[dep], root.dependencies[dep], `${dep} as the root uses`);
        assert.strictEqual(pkg.dependencies.typescript, root.devDependencies.typescript, "the CLI's ts-node compiles with the pack's typescript");
        const manifest = parse(fs.readFileSync(path.join(PACK, "PulumiPolicy.yaml"), "utf8"));
        assert.strictEqual(manifest.runtime, "nodejs");
        assert.ok(manifest.description.length > 20);
        const tsconfig = readJson(path.join(PACK, "tsconfig.json"));
        assert.strictEqual(tsconfig.compilerOptions.strict, true);
    });

    for (const stack of ["dev", "prod"]) {
        it(`config/${stack}.json is a valid --policy-pack-config and lists the stack's app namespaces`, () => {
            const { config, unknown } = reconcileConfig(policies, readPolicyPackConfig(path.join(PACK, "config", `${stack}.json`)));
            assert.deepStrictEqual(unknown, []);
            const stackFile = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
            const appNamespaces = stackFile.config["eco2-tracing:appNamespaces"].map((n: string | { name: string }) => (typeof n === "string" ? n : n.name));
            for (const name of ["app-namespace-zipkin-egress", "app-namespace-otlp-egress"]) {
                assert.deepStrictEqual(config[name].properties?.appNamespaces, appNamespaces);
            }
            const sampling = Number(stackFile.config["eco2-tracing:sampling"]);
            const range = config["prod-sampling-range"].properties as { min: number; max: number };
            assert.ok(range.min <= sampling && sampling <= range.max, `${stack} samples ${sampling} %, within its own range`);
        });
    }

    it("defaults are the values the program deploys (copied, not imported)", () => {
        const defaults = rawConfigSchema.parse({ environment: "dev" });
        assert.deepStrictEqual({ ...DEFAULT_JAEGER_POD_LABELS }, jaegerPodLabels(defaults.jaeger.releaseName));
        assert.strictEqual(DEFAULT_COLLECTOR_NAMESPACE, defaults.jaeger.namespace);
        assert.strictEqual(DEFAULT_ROOT_NAMESPACE, defaults.istio.rootNamespace);
        assert.deepStrictEqual([...DEFAULT_TRACING_PROVIDERS], [defaults.istio.tracingProvider]);
    });

    it("the values it copies from the program are the program's: Jaeger's ports, quantities, the prod sampling range", () => {
        // Every port of the Jaeger Services the mesh and apps reach; metrics is no Service port.
        const { metrics, ...servicePorts } = PORTS;
        assert.strictEqual(metrics, 8888);
        assert.deepStrictEqual({ ...JAEGER_PORTS }, servicePorts);
        for (const q of ["512Mi", "1Gi", "1.5Gi", "250m", "100k", "2048", "1G", "3Ei", "0"]) assert.strictEqual(memoryBytes(q), parseQuantity(q), q);
        const prod = JSON.parse(fs.readFileSync(path.join(ROOT, "policy-pack", "config", "prod.json"), "utf8"))["prod-sampling-range"];
        assert.deepStrictEqual({ min: prod.min, max: prod.max }, { ...PROD_SAMPLING_RANGE });
    });
});
