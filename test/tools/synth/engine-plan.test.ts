/**
 * tools/synth/engine-plan.ts: reading back what the real CLI reports, over records in the CLI's own formats (`preview
 * --json` steps, `--event-log` lines as pulumi 3.248 writes them, the provider's render directory). The CLI itself
 * runs in test/e2e/synth.e2e.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { configErrorMessage, engineDiagnostics, EngineEvent, plannedReleases, plannedResources, policyVerdict, renderedObjects } from "../../../tools/synth/engine-plan";
import { REDACTED } from "../../../tools/synth/write-manifests";

const URN = "urn:pulumi:dev::eco2-tracing::";
const summary = (passed: string[], failed: string[] = []) => ({ policyPackName: "eco2-tracing", policyPackVersion: "0.1.0", passed, failed });

describe("engine-plan: what the real engine reports", () => {
    it("the pack's verdict: every policy that ran, the engine's levels as @pulumi/policy names them", () => {
        const events: EngineEvent[] = [
            { policyAnalyzeSummaryEvent: summary(["a", "b"]) },
            { policyAnalyzeSummaryEvent: summary(["a"], ["c"]) },
            { policyEvent: { resourceUrn: `${URN}x::t`, message: "desc\nwhat is wrong\n", policyName: "c", policyPackName: "eco2-tracing", policyPackVersion: "0.1.0", enforcementLevel: "mandatory" } },
            { policyEvent: { message: "stack-wide\n", policyName: "d", policyPackName: "eco2-tracing", policyPackVersion: "0.1.0", enforcementLevel: "warning" } },
            { policyAnalyzeStackSummaryEvent: summary([], ["d"]) },
        ];
        assert.deepStrictEqual(policyVerdict(events), {
            packName: "eco2-tracing",
            packVersion: "0.1.0",
            policies: ["a", "b", "c", "d"],
            violations: [
                { policyName: "c", enforcementLevel: "mandatory", urn: `${URN}x::t`, message: "desc\nwhat is wrong" },
                { policyName: "d", enforcementLevel: "advisory", urn: "", message: "stack-wide" },
            ],
            remediations: [],
        });
    });

    it("the config module's message out of the program's error, without the CLI's colours or what follows", () => {
        const message = '\x1b[31mRunning program failed: invalid configuration for stack "prod" (2 problems):\n  - stack "prod": a\n  - stack "prod": b\n\x1b[0m\nmore from the CLI';
        const events: EngineEvent[] = [
            { diagnosticEvent: { message: "debug line", severity: "debug" } },
            { diagnosticEvent: { urn: `${URN}pulumi:pulumi:Stack::eco2-tracing-prod`, message, severity: "error" } },
        ];
        assert.strictEqual(configErrorMessage(events), 'invalid configuration for stack "prod" (2 problems):\n  - stack "prod": a\n  - stack "prod": b');
        assert.strictEqual(configErrorMessage([{ diagnosticEvent: { message: "TypeError: x is undefined", severity: "error" } }]), undefined);
    });

    it("the program's warnings, once each (the CLI reports a diagnostic per step that shows it)", () => {
        const warn = { diagnosticEvent: { urn: `${URN}pulumi:pulumi:Stack::eco2-tracing-prod`, message: "\x1b[33mstack \"prod\": careful\x1b[0m\n", severity: "warning" } };
        const events: EngineEvent[] = [warn, warn, { diagnosticEvent: { message: "preview failed\n", severity: "error" } }];
        assert.deepStrictEqual(engineDiagnostics(events, "warning"), ['stack "prod": careful']);
        assert.deepStrictEqual(engineDiagnostics(events, "error"), [], "the CLI's own closing line is no diagnosis");
    });

    it("Helm releases from the preview's steps (reads are not the stack's): a local chart as a path relative to the project, " +
        "its name from the archive", () => {
        const json = JSON.stringify({
            steps: [
                { op: "create", urn: `${URN}pulumi:pulumi:Stack::eco2-tracing-dev`, newState: { type: "pulumi:pulumi:Stack" } },
                {
                    op: "create",
                    urn: `${URN}eco2:tracing:Jaeger$kubernetes:helm.sh/v3:Release::jaeger-release`,
                    newState: { type: "kubernetes:helm.sh/v3:Release", inputs: { name: "jaeger", namespace: "istio-system", chart: "/work/shared/charts/jaeger-4.11.1.tgz", version: "4.11.1", values: { pw: "[secret]" }, atomic: true } },
                },
                { op: "delete", urn: `${URN}kubernetes:core/v1:ConfigMap::gone` },
                { op: "read", urn: `${URN}kubernetes:core/v1:ConfigMap::live-mesh-config`,
                    newState: { type: "kubernetes:core/v1:ConfigMap" } },
            ],
        });
        const resources = plannedResources(json);
        assert.deepStrictEqual(resources.map((r) => r.name), ["eco2-tracing-dev", "jaeger-release"]);
        const [release] = plannedReleases(resources, "/work/main");
        assert.deepStrictEqual(
            { name: release.name, namespace: release.namespace, repo: release.repo, path: release.path, chart: release.chart, version: release.version, values: release.values },
            { name: "jaeger", namespace: "istio-system", repo: null, path: "../shared/charts/jaeger-4.11.1.tgz", chart: "jaeger", version: "4.11.1", values: { pw: "[secret]" } },
        );
    });

    it("rendered objects: every file of 0-crd/ and 1-manifest/, attributed through the update's outputs, Secret data redacted, sorted", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-plan-"));
        try {
            fs.mkdirSync(path.join(dir, "0-crd"));
            fs.mkdirSync(path.join(dir, "1-manifest"));
            fs.writeFileSync(path.join(dir, "1-manifest", "v1-secret-ns-s.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: ns\nstringData:\n  password: hunter2\n");
            fs.writeFileSync(path.join(dir, "1-manifest", "apps_v1-deployment-ns-d.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  namespace: ns\n");
            fs.writeFileSync(path.join(dir, "0-crd", "crd.yaml"), "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: w.example.com\n");
            const events: EngineEvent[] = [{
                resOutputsEvent: { metadata: { urn: `${URN}x$kubernetes:helm.sh/v4:Chart$kubernetes:apps/v1:Deployment::rel:ns/d`, type: "kubernetes:apps/v1:Deployment", new: { outputs: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "ns" } } } } },
            }];
            const objects = renderedObjects(dir, events);
            assert.deepStrictEqual(objects.map((o) => [o.kind, o.type, o.resourceName]), [
                ["CustomResourceDefinition", "(not in the update's outputs)", "CustomResourceDefinition/w.example.com"],
                ["Deployment", "kubernetes:apps/v1:Deployment", "rel:ns/d"],
                ["Secret", "(not in the update's outputs)", "Secret/s"],
            ]);
            const secret = objects[2];
            assert.deepStrictEqual(secret.redacted.stringData, { password: REDACTED });
            assert.deepStrictEqual(secret.body.stringData, { password: "hunter2" }, "the clear body is kept for schema validation only");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
