/**
 * The program's main job through the real engine: the Pulumi CLI, our Node.js language host and the Kubernetes
 * provider built from their Go modules (toolchain/), against the embedded cluster, with the policy pack run by the
 * engine itself. Each stack is created, checked and destroyed in turn (they share the cluster's istio-system).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { STORAGE_SECRET_KEY, storageSecretName } from "../../components/jaeger/values";
import { LocalRun, runLocal } from "../../toolchain/local/local";
import { workspaceDir } from "../../toolchain/local/workspace";
import { ROOT } from "../helpers";
import { allTools, cluster, kubectl, parseYaml, run, tmpDir } from "./harness";

const STATE = tmpDir("engine");
const APP_TEAM = path.join(ROOT, "test", "fixtures", "app-team");

async function pulumi(args: string[], projectDir?: string, platform = true): Promise<LocalRun> {
    const log = (line: string) => process.stderr.write(`      [local] ${line}\n`);
    return runLocal(args, { dir: STATE, projectDir, capture: true, platform, log });
}

async function ok(args: string[], projectDir?: string): Promise<LocalRun> {
    const r = await pulumi(args, projectDir);
    assert.strictEqual(r.code, 0, `pulumi ${args.join(" ")} exited ${r.code}:\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-4000)}`);
    return r;
}

const workspaceFile = (project: string, stack: string) => path.join(workspaceDir(STATE, project), `Pulumi.${stack}.yaml`);

/** A stack of this project with no committed file: its workspace copy is written by the test. */
function writeStackFile(stack: string, mutate: (config: Record<string, any>) => void, from = "prod"): void {
    const source = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${from}.yaml`), "utf8"));
    mutate(source.config);
    fs.mkdirSync(path.dirname(workspaceFile("eco2-tracing", stack)), { recursive: true });
    fs.writeFileSync(workspaceFile("eco2-tracing", stack), YAML.stringify(source));
}

interface Steps {
    steps: { op: string; urn: string }[];
}
const previewSteps = (r: LocalRun): Steps => JSON.parse(r.stdout);
const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;

/** Every Kubernetes object the stack holds: its own resources and those of its Helm releases. */
async function stackObjects(stack: string): Promise<{ kind: string; namespace?: string; name: string }[]> {
    const state = JSON.parse((await ok(["stack", "export", "-s", stack])).stdout);
    const own = (state.deployment.resources ?? [])
        .filter((r: any) => r.type.startsWith("kubernetes:") && !r.external && r.outputs?.metadata?.name && r.outputs?.kind)
        .map((r: any) => ({ kind: r.outputs.kind, namespace: r.outputs.metadata.namespace, name: r.outputs.metadata.name }));
    const { helm } = await allTools();
    const releases = (state.deployment.resources ?? []).filter((r: any) => r.type === "kubernetes:helm.sh/v3:Release");
    const charted = releases.flatMap((r: any) => {
        const manifest = run(helm, ["--kubeconfig", kubeconfigFile, "get", "manifest", r.outputs.name, "-n", r.outputs.namespace]).stdout;
        return parseYaml(manifest).map((o) => ({ kind: o.kind, namespace: o.metadata.namespace ?? r.outputs.namespace, name: o.metadata.name }));
    });
    return [...own, ...charted].filter((o) => o.kind !== "Namespace" || !["istio-system"].includes(o.name));
}

let kubeconfigFile = "";

describe("the real engine (pulumi CLI + language host + provider) on the embedded cluster", () => {
    before(async () => {
        kubeconfigFile = await cluster();
        await allTools();
    });

    for (const stack of ["dev", "prod"]) {
        describe(stack, () => {
            let objects: Awaited<ReturnType<typeof stackObjects>> = [];
            after(async () => {
                await ok(["destroy", "-s", stack, "--yes", "--skip-preview"]);
                for (const o of objects) {
                    const ns = o.namespace ? ["-n", o.namespace] : [];
                    const r = run((await allTools()).kubectl, ["--kubeconfig", kubeconfigFile, "get", o.kind, o.name, ...ns, "--ignore-not-found", "-o", "name"]);
                    assert.strictEqual(r.code, 0, r.stderr);
                    assert.strictEqual(r.stdout.trim(), "", `pulumi destroy left ${o.kind} ${o.namespace ?? ""}/${o.name}`);
                }
            });

            it("pulumi preview passes with the policy pack", async () => {
                const r = await ok(["preview", "-s", stack]);
                assert.match(r.stdout + r.stderr, /eco2-tracing@v0\.1\.0 \(local: .*policy-pack\)/, "the pack ran and passed");
            });

            it("pulumi up succeeds with the provider's await logic (release, Deployments Available, Services with endpoints)", async () => {
                await ok(["up", "-s", stack, "--yes", "--skip-preview"]);
                objects = await stackObjects(stack);
                assert.ok(objects.some((o) => o.kind === "Deployment"), "the chart's Deployment is in the release");
                const slices = JSON.parse(await kubectl(["-n", "istio-system", "get", "endpointslices", "-l", "kubernetes.io/service-name=jaeger-collector-clusterip", "-o", "json"]));
                assert.ok(slices.items.some((s: any) => s.endpoints?.some((e: any) => e.conditions.ready)), "collector Service has ready endpoints");
            });

            it("overlaps the waits: the Services and the ingress policy do not wait for the release; the smoke test waits for it alone of Jaeger", async () => {
                const resources: { urn: string; type: string; dependencies?: string[] }[] = JSON.parse((await ok(["stack", "export", "-s", stack])).stdout).deployment.resources;
                const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!.urn;
                const named = (suffix: string) => resources.filter((r) => r.urn.endsWith(suffix));
                const services = named("::jaeger-collector-clusterip").concat(named("::jaeger-query-clusterip"));
                assert.strictEqual(services.length, 2);
                for (const r of [...services, ...named("::jaeger-ingress")]) assert.ok(!(r.dependencies ?? []).includes(release), `${r.urn} waits for the release`);
                const jaegerChildren = new Set([...services.map((r) => r.urn), resources.find((r) => r.type === "eco2:tracing:Jaeger")!.urn]);
                // A component's dependsOn is recorded on the component (its children wait for it in the SDK).
                const smokeTests = resources.filter((r) => r.type === "eco2:tracing:SmokeTest");
                if (stack === "dev") assert.strictEqual(smokeTests.length, 1, "dev runs the smoke test");
                for (const smoke of smokeTests) {
                    const deps = smoke.dependencies ?? [];
                    assert.ok(deps.includes(release), `${smoke.urn} does not wait for the release`);
                    assert.deepStrictEqual(deps.filter((d) => jaegerChildren.has(d)), [], `${smoke.urn} waits for the Services' settling`);
                }
            });

            it("a second preview has no changes (--expect-no-changes)", async () => {
                await ok(["preview", "-s", stack, "--expect-no-changes"]);
            });

            it("changing only the sampling percentage updates the Telemetry (and the apps' sampler ratio), replaces nothing, leaves Jaeger alone", async () => {
                const sampling = stack === "dev" ? "50" : "7";
                const r = await ok(["preview", "-s", stack, "--json", "--diff", "-c", `eco2-tracing:sampling=${sampling}`]);
                // The guard's read of istiod's ConfigMap is a step, not a change.
                const changed = previewSteps(r).steps.filter((s) => s.op !== "same" && s.op !== "read");
                assert.ok(changed.length > 0);
                assert.ok(changed.every((s) => s.op === "update"), `no replace: ${changed.map((s) => `${s.op} ${s.urn}`).join(", ")}`);
                const types = new Set(changed.map((s) => typeOf(s.urn)));
                assert.ok(types.has("kubernetes:telemetry.istio.io/v1:Telemetry"));
                assert.ok(types.has("kubernetes:core/v1:ConfigMap"), "the apps' sampler ratio follows, in place");
                for (const t of types) assert.ok(["kubernetes:telemetry.istio.io/v1:Telemetry", "kubernetes:core/v1:ConfigMap"].includes(t), `unexpected update of ${t}`);
            });
        });
    }

    describe("prod with the storage password as a Pulumi secret", () => {
        const stack = "prod-secret";
        const password = "e2e-Pulumi-secret-9f3a71";
        before(async () => {
            writeStackFile(stack, (config) => delete config["eco2-tracing:jaeger"].storage.passwordSecretRef);
            await ok(["config", "set", "--secret", "-s", stack, "jaegerStoragePassword", password]);
            await ok(["up", "-s", stack, "--yes", "--skip-preview"]);
        });
        after(async () => void (await ok(["destroy", "-s", stack, "--yes", "--skip-preview"])));

        it("neither the stack's state nor the cluster's Helm release holds it in plain text", async () => {
            const state = (await ok(["stack", "export", "-s", stack])).stdout;
            assert.ok(!state.includes(password), "pulumi stack export");
            const { helm } = await allTools();
            const all = run(helm, ["--kubeconfig", kubeconfigFile, "get", "all", "jaeger", "-n", "istio-system"]);
            assert.strictEqual(all.code, 0, all.stderr);
            assert.ok(!all.stdout.includes(password), "helm get all");
            // It did reach the cluster: encrypted in the state, in clear only in the Secret the chart values name.
            assert.match(state, /"ciphertext":/);
            const data = JSON.parse(await kubectl(["-n", "istio-system", "get", "secret", storageSecretName("jaeger"), "-o", "json"])).data;
            assert.strictEqual(Buffer.from(data[STORAGE_SECRET_KEY], "base64").toString(), password);
        });
    });

    describe("prod with the router tier (tail mode, 2 routers, 3 Jaeger replicas)", () => {
        const stack = "prod-tier";
        let objects: Awaited<ReturnType<typeof stackObjects>> = [];
        before(async () => {
            // README's tail-mode prod example: the mesh at 100 %, no per-workload rates (tail mode rejects them).
            writeStackFile(stack, (config) => {
                config["eco2-tracing:sampling"] = 100;
                config["eco2-tracing:tailSampling"] = { enabled: true, probabilisticPercent: 5, routerReplicas: 2 };
                config["eco2-tracing:jaeger"].replicas = 3;
                delete config["eco2-tracing:telemetry"].workloadOverrides;
            });
        });
        after(async () => {
            await ok(["destroy", "-s", stack, "--yes", "--skip-preview"]);
            const { kubectl: k } = await allTools();
            for (const o of objects.filter((x) => x.kind === "Deployment" || x.kind === "Service")) {
                const r = run(k, ["--kubeconfig", kubeconfigFile, "get", o.kind, o.name, "-n", o.namespace!, "--ignore-not-found",
                    "-o", "name"]);
                assert.strictEqual(r.stdout.trim(), "", `pulumi destroy left ${o.kind} ${o.namespace}/${o.name}`);
            }
        });

        it("pulumi up passes the policy pack and installs both releases; the collector Service fronts the routers", async () => {
            const r = await ok(["up", "-s", stack, "--yes", "--skip-preview"]);
            assert.match(r.stdout + r.stderr, /eco2-tracing@v0\.1\.0 \(local: .*policy-pack\)/, "the pack ran and passed");
            objects = await stackObjects(stack);
            const deployments = JSON.parse(await kubectl(["-n", "istio-system", "get", "deployments", "-o", "json"])).items;
            const router = deployments.find((d: any) =>
                d.spec.template.spec.containers.some((c: any) => c.image.includes("opentelemetry-collector")));
            assert.ok(router, "the router Deployment");
            assert.strictEqual(router.spec.replicas, 2);
            assert.strictEqual(router.status.availableReplicas, 2);
            const headless = objects.filter((o) => o.kind === "Service" && o.name === "jaeger-router-backends");
            assert.strictEqual(headless.length, 1, "the headless Service of the Jaeger pods");
            const svc = JSON.parse(await kubectl(["-n", "istio-system", "get", "service", "jaeger-collector-clusterip", "-o", "json"]));
            const labels = router.spec.template.metadata.labels;
            for (const [k, v] of Object.entries(svc.spec.selector)) assert.strictEqual(labels[k], v, `selector ${k}`);
        });

        it("a second preview has no changes (--expect-no-changes)", async () => {
            await ok(["preview", "-s", stack, "--expect-no-changes"]);
        });
    });

    describe("a bad config", () => {
        it("fails pulumi up with the config module's message and creates nothing", async () => {
            const stack = "prod-bad";
            writeStackFile(stack, (config) => (config["eco2-tracing:sampling"] = 50));
            const r = await pulumi(["up", "-s", stack, "--yes", "--skip-preview"]);
            assert.notStrictEqual(r.code, 0);
            assert.match(r.stdout + r.stderr, /eco2-tracing:sampling = "?50"?: prod samples 1–10 %/);
            const state = JSON.parse((await ok(["stack", "export", "-s", stack])).stdout);
            const created = (state.deployment.resources ?? []).filter((x: any) => x.type.startsWith("kubernetes:") && !x.type.startsWith("pulumi:providers:"));
            assert.deepStrictEqual(created.map((x: any) => x.urn), []);
        });
    });

    describe("a platform whose mesh config lacks the stack's provider", () => {
        const get = ["-n", "istio-system", "get", "configmap", "istio", "-o", "jsonpath={.data.mesh}"];
        const put = (mesh: string) =>
            kubectl(["-n", "istio-system", "patch", "configmap", "istio", "--type", "merge", "-p", JSON.stringify({ data: { mesh } })]);
        let saved = "";
        let patched = "";
        before(async () => {
            await ok(["preview", "-s", "dev"]); // the stand-in platform's ConfigMap, with the provider
            saved = await kubectl(get);
            const other = { name: "zipkin", zipkin: { service: "zipkin.x.svc.cluster.local", port: 9411 } };
            patched = YAML.stringify({ ...YAML.parse(saved), extensionProviders: [other] });
            await put(patched);
        });
        after(async () => void (await put(saved)));

        for (const command of ["preview", "up"]) {
            it(`fails pulumi ${command} naming the ConfigMap, the provider and the fix, and creates nothing`, async () => {
                const stack = `dev-mesh-${command}`;
                writeStackFile(stack, () => undefined, "dev");
                const args = command === "up" ? ["up", "-s", stack, "--yes", "--skip-preview"] : ["preview", "-s", stack];
                const r = await pulumi(args, undefined, false);
                assert.notStrictEqual(r.code, 0, r.stdout);
                const out = r.stdout + r.stderr;
                assert.match(out, /ConfigMap istio-system\/istio: provider "jaeger" is not in the mesh config/);
                assert.match(out, /\(its extensionProviders: zipkin\)/);
                assert.match(out, /istio\.verifyMeshConfig false skips this check/);
                assert.doesNotMatch(out, /^\s+at .*\.js:\d+/m, "no stack trace");
                const state = JSON.parse((await ok(["stack", "export", "-s", stack])).stdout);
                const created = (state.deployment.resources ?? [])
                    .filter((x: any) => x.type.startsWith("kubernetes:") && !x.type.startsWith("pulumi:providers:") && !x.external);
                assert.deepStrictEqual(created.map((x: any) => x.urn), []);
                assert.strictEqual(await kubectl(get), patched, "the ConfigMap is the platform's: untouched");
            });
        }
    });

    describe("an app team's stack gated by this pack", () => {
        it("is rejected with the mandatory app-namespace-zipkin-egress when its NetworkPolicies drop TCP 9411", async () => {
            const r = await pulumi(["preview", "-s", "app", "-c", "app-team:allowZipkin=false"], APP_TEAM);
            assert.notStrictEqual(r.code, 0);
            assert.match(r.stdout + r.stderr, /mandatory[\s\S]*app-namespace-zipkin-egress|app-namespace-zipkin-egress[\s\S]*mandatory/);
        });

        it("passes once 9411 is allowed", async () => {
            await ok(["preview", "-s", "app", "-c", "app-team:allowZipkin=true"], APP_TEAM);
        });
    });
});
