/**
 * The chart and every object the program creates, for dev and prod, on the embedded cluster: rendered by the real
 * `helm template` from the real archive with exactly the generated values, applied server-side with strict field
 * validation, the chart's pods Ready on simulated nodes and the two ClusterIP Services' endpoints those very pods;
 * `helm lint`, `istioctl validate` and `istioctl analyze` on the same files.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { providePlatform, referencedByStack } from "../../toolchain/local/platform";
import { stackNames } from "../../toolchain/local/stack-defaults";
import { K8S_VERSION } from "../../toolchain/build/components";
import { ROOT } from "../helpers";
import { allTools, chartFile, cluster, kubectl, must, parseYaml, plan, Plan, run, tmpDir, toYaml } from "./harness";

const ISTIO_GROUPS = /\.istio\.io\//;
const FIELD_MANAGER = "eco2-e2e";

interface Applied {
    plan: Plan;
    rendered: Record<string, any>[];
    dir: string;
    chart: string;
}

/** Renders the chart with the generated values and writes every file, before anything is applied. */
async function render(stack: string): Promise<Applied> {
    const tools = await allTools();
    const p = await plan(stack);
    assert.strictEqual(p.releases.length, 1, "one Helm release (Jaeger)");
    const release = p.releases[0];
    const dir = tmpDir(`chart-${stack}`);
    const valuesFile = path.join(dir, "values.yaml");
    fs.writeFileSync(valuesFile, toYaml([release.values]));
    const chart = await chartFile(release, dir);
    const rendered = parseYaml(must(tools.helm, ["template", release.name!, chart, "--namespace", release.namespace!, "--kube-version", K8S_VERSION, "-f", valuesFile]));
    const objects = p.objects.map((o) => o.body);
    fs.writeFileSync(path.join(dir, "chart.yaml"), toYaml(rendered));
    fs.writeFileSync(path.join(dir, "program.yaml"), toYaml(objects));
    fs.writeFileSync(path.join(dir, "istio.yaml"), toYaml(objects.filter((o) => ISTIO_GROUPS.test(`${o.apiVersion}`))));
    return { plan: p, rendered, dir, chart };
}

async function apply(stack: string, applied: Applied): Promise<void> {
    const tools = await allTools();
    const namespace = applied.plan.releases[0].namespace!;
    // The platform's part, as `npm run local` does it: the referenced namespaces and prod's storage Secrets.
    const stackFile = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
    providePlatform(tools.kubectl, await cluster(), referencedByStack(stackNames("eco2-tracing", stackFile.config)), (line) => process.stderr.write(`      ${line}\n`));
    // As `helm install` does, the chart's objects go to the release namespace (its templates name none).
    await kubectl(["apply", "--server-side", `--field-manager=${FIELD_MANAGER}`, "--validate=strict", "-n", namespace, "-f", path.join(applied.dir, "chart.yaml")]);
    await kubectl(["apply", "--server-side", `--field-manager=${FIELD_MANAGER}`, "--validate=strict", "-f", path.join(applied.dir, "program.yaml")]);
}

async function remove(applied: Applied): Promise<void> {
    for (const file of ["program.yaml", "chart.yaml"]) {
        const ns = file === "chart.yaml" ? ["-n", applied.plan.releases[0].namespace!] : [];
        await kubectl(["delete", ...ns, "--ignore-not-found", "--wait=true", "--timeout=120s", "-f", path.join(applied.dir, file)]);
    }
}

/** The pods a rendered Deployment owns, found through its ReplicaSets (not through labels typed into the test). */
async function podsOf(namespace: string, deployment: string): Promise<Record<string, any>[]> {
    const rs = JSON.parse(await kubectl(["-n", namespace, "get", "replicasets", "-o", "json"])).items.filter((r: any) =>
        r.metadata.ownerReferences?.some((o: any) => o.kind === "Deployment" && o.name === deployment),
    );
    const rsNames = new Set(rs.map((r: any) => r.metadata.name));
    return JSON.parse(await kubectl(["-n", namespace, "get", "pods", "-o", "json"])).items.filter((p: any) =>
        p.metadata.ownerReferences?.some((o: any) => o.kind === "ReplicaSet" && rsNames.has(o.name)),
    );
}

for (const stack of ["dev", "prod"]) {
    describe(`${stack}: chart + program objects on the embedded cluster`, () => {
        let applied: Applied;
        // Files first, so a failed apply (what this suite exists to catch) still gets cleaned up.
        before(async () => {
            applied = await render(stack);
            await apply(stack, applied);
        });
        after(async () => applied && (await remove(applied)));

        it("the API server accepted every object (server-side apply, strict field validation) and holds it", async () => {
            for (const [file, docs] of [["chart.yaml", applied.rendered], ["program.yaml", applied.plan.objects]] as const) {
                const ns = file === "chart.yaml" ? ["-n", applied.plan.releases[0].namespace!] : [];
                const names = (await kubectl([...ns, "get", "-f", path.join(applied.dir, file), "-o", "name"])).trim().split("\n");
                assert.strictEqual(names.length, docs.length, file);
            }
        });

        it("the chart's pods become Ready and both ClusterIP Services' endpoints are exactly those pods, on every port", async () => {
            const deployments = applied.rendered.filter((o) => o.kind === "Deployment");
            assert.strictEqual(deployments.length, 1, "the chart renders one Jaeger Deployment");
            const name = deployments[0].metadata.name;
            const namespace = applied.plan.releases[0].namespace!;
            await kubectl(["-n", namespace, "rollout", "status", `deployment/${name}`, "--timeout=120s"]);
            const pods = await podsOf(namespace, name);
            const expectedReplicas = stack === "prod" ? 2 : 1;
            assert.strictEqual(pods.filter((p) => p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True")).length, expectedReplicas);
            const podNames = pods.map((p) => p.metadata.name).sort();
            for (const service of ["jaeger-collector-clusterip", "jaeger-query-clusterip"]) {
                const svc = JSON.parse(await kubectl(["-n", namespace, "get", "service", service, "-o", "json"]));
                assert.strictEqual(svc.spec.type, "ClusterIP");
                assert.notStrictEqual(svc.spec.clusterIP, "None", "never headless (Istio answers 503 for headless routes)");
                const slices = JSON.parse(await kubectl(["-n", namespace, "get", "endpointslices", "-l", `kubernetes.io/service-name=${service}`, "-o", "json"])).items;
                const targets = slices.flatMap((s: any) => s.endpoints.filter((e: any) => e.conditions.ready).map((e: any) => e.targetRef.name)).sort();
                assert.deepStrictEqual(targets, podNames, `${service} endpoints`);
                const slicePorts = new Set(slices.flatMap((s: any) => s.ports.map((p: any) => p.port)));
                for (const port of svc.spec.ports) assert.ok(slicePorts.has(port.targetPort ?? port.port), `${service} port ${port.port}`);
            }
        });

        it("helm lint passes on the chart with the generated values", async () => {
            const { helm } = await allTools();
            const release = applied.plan.releases[0];
            must(helm, ["lint", applied.chart, "--namespace", release.namespace!, "--kube-version", K8S_VERSION, "-f", path.join(applied.dir, "values.yaml")]);
        });

        it("istioctl validate accepts every Istio object; istioctl analyze (files, no live mesh) reports no error", async () => {
            const { istioctl } = await allTools();
            const istio = path.join(applied.dir, "istio.yaml");
            assert.ok(parseYaml(fs.readFileSync(istio, "utf8")).length >= 2, "Telemetry and ServiceEntries");
            must(istioctl, ["validate", "-f", istio]);
            const analyze = run(istioctl, ["analyze", "--use-kube=false", istio, path.join(applied.dir, "program.yaml")]);
            assert.ok(analyze.code === 0 && !/^Error/m.test(analyze.stdout + analyze.stderr), `${analyze.stdout}${analyze.stderr}`);
        });
    });
}
