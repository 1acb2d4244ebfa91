/**
 * `npm run policy:check` over the fixture manifests: the command in-process (fast), and the compiled script as a
 * process for the exit codes a CI job sees.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main as policyCheck } from "../../../tools/policy-check/main";
import { ROOT, runCommand } from "../../helpers";

const SCRIPT = path.join(ROOT, "bin", "tools", "policy-check", "main.js");
const FIXTURES = path.join("test", "fixtures", "manifests");
const fixture = (name: string) => path.join(FIXTURES, name);

interface Outcome {
    code: number | null;
    stdout: string;
    stderr: string;
    lines: string[];
}

function outcome(code: number | null, stdout: string, stderr: string): Outcome {
    return { code, stdout, stderr, lines: stdout.trim().split("\n") };
}

/** The compiled script as a process, called from the repository root (cwd and INIT_CWD, like `npm run` there). */
function spawnCheck(args: string[], input?: string, from = ROOT): Outcome {
    const r = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, env: { ...process.env, INIT_CWD: from }, encoding: "utf8", input });
    return outcome(r.status, r.stdout, r.stderr);
}

/** The same command in-process; relative paths resolve from the repository root. */
async function check(args: string[], input = ""): Promise<Outcome> {
    const r = await runCommand(policyCheck, args, input);
    return outcome(r.code, r.stdout, r.stderr);
}

describe("npm run policy:check", function () {
    this.timeout(30_000);

    it("the script is wired in package.json (an incremental build first)", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.strictEqual(pkg.scripts["policy:check"], "npm run -s build && node bin/tools/policy-check/main.js");
    });

    it("relative paths start at the caller's directory (INIT_CWD), not the project root npm runs it in", () => {
        const ok = spawnCheck(["compliant.yaml"], undefined, path.join(ROOT, FIXTURES));
        assert.deepStrictEqual([ok.code, ok.stderr], [0, ""]);
        const missing = spawnCheck(["compliant.yaml"]);
        assert.strictEqual(missing.code, 2);
        assert.match(missing.stderr, /^error: unreadable input: compliant.yaml: no such file/);
    });

    it("as a process: exit 0 on compliant manifests, 1 on a mandatory violation, 2 on unreadable input", () => {
        const ok = spawnCheck([fixture("compliant.yaml")]);
        assert.deepStrictEqual([ok.code, ok.stderr], [0, ""]);
        const bad = spawnCheck(["-"], fs.readFileSync(path.join(ROOT, fixture("violating.yaml")), "utf8"));
        assert.strictEqual(bad.code, 1);
        assert.match(bad.stdout, /^app-namespace-zipkin-egress mandatory Namespace\/payments: /m);
        const unreadable = spawnCheck([fixture("unreadable.yaml")]);
        assert.strictEqual(unreadable.code, 2);
        assert.match(unreadable.stderr, /^error: unreadable input: test\/fixtures\/manifests\/unreadable.yaml: /);
    });

    it("compliant manifests: exit 0, a summary and no violation lines", async () => {
        const r = await check([fixture("compliant.yaml")]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.deepStrictEqual(r.lines, ["policy-check: 9 object(s) from 1 file(s), 8 policies: 0 mandatory and 0 advisory violation(s) " +
            "— passed"]);
    });

    it("violations: one line each (policy, level, Kind/namespace/name, message) and exit 1", async () => {
        const r = await check([fixture("violating.yaml")]);
        assert.strictEqual(r.code, 1, r.stderr);
        const rows = r.lines.slice(0, -1).map((l) => l.split(" ").slice(0, 3).join(" "));
        assert.deepStrictEqual(rows, [
            "telemetry-provider-known mandatory Telemetry/payments/payments-tracing:",
            "service-entry-wildcard-resolution mandatory ServiceEntry/payments/cdn:",
            "jaeger-ui-not-public mandatory Service/istio-system/jaeger-ui:",
            "jaeger-collector-not-headless mandatory Service/istio-system/jaeger-collector-headless:",
            "app-namespace-zipkin-egress mandatory Namespace/payments:",
            "app-namespace-otlp-egress advisory Namespace/payments:",
            "jaeger-resources-bounded mandatory Deployment/istio-system/jaeger:",
            "jaeger-resources-bounded mandatory Deployment/istio-system/jaeger:",
        ]);
        assert.match(r.lines[4], /namespace "payments" .* TCP 9411/);
        assert.match(r.lines.at(-1)!, /^policy-check: 9 object\(s\) from 1 file\(s\), 8 policies: 7 mandatory and 1 advisory violation\(s\) — FAILED$/);
    });

    it("advisory violations alone pass", async () => {
        const r = await check([fixture("advisory-only.yaml")]);
        assert.strictEqual(r.code, 0);
        assert.match(r.lines[0], /^app-namespace-otlp-egress advisory Namespace\/legacy: .*TCP 4317/);
    });

    it("--config applies a per-stack policy config (prod: 1–10 %)", async () => {
        assert.strictEqual((await check([fixture("prod-sampling.yaml")])).code, 0);
        const r = await check(["--config", path.join("policy-pack", "config", "prod.json"), fixture("prod-sampling.yaml")]);
        assert.strictEqual(r.code, 1);
        assert.deepStrictEqual(r.lines.slice(0, -1), [
            "prod-sampling-range mandatory Telemetry/istio-system/mesh-default: Telemetry istio-system/mesh-default (mesh-wide) " +
                "tracing[0].randomSamplingPercentage = 50 is outside the allowed range 1–10",
        ]);
    });

    it("several files, a directory, and stdin (-) are one set of resources (cross-file NetworkPolicies count)", async () => {
        const ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n---\napiVersion: " +
            "networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}, policyTypes: " +
            "[Egress]}\n";
        const r = await check(["-"], ns);
        assert.strictEqual(r.code, 1);
        assert.match(r.stdout, /app-namespace-zipkin-egress mandatory Namespace\/shop:/);
        const dir = await check([FIXTURES]);
        assert.strictEqual(dir.code, 2, "the directory holds the unreadable fixtures too");
        const both = await check([fixture("compliant.yaml"), fixture("advisory-only.yaml")]);
        assert.match(both.lines.at(-1)!, /11 object\(s\) from 2 file\(s\)/);
    });

    it("--config naming a policy the pack lacks, or a reversed range: exit 2 naming the policy meant, before any manifest", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-"));
        const cases: [string, RegExp][] = [
            ['{"prod-sampling-rnage": {"enforcementLevel": "mandatory", "max": 5}}',
                /- \S+: "prod-sampling-rnage" is not a policy of this pack \(did you mean "prod-sampling-range"\?\); allowed: /],
            ['{"prod-sampling-range": {"min": 20, "max": 5}}', /- \S+: prod-sampling-range: config min \(20\) is greater than max \(5\)/],
        ];
        for (const [json, pattern] of cases) {
            const config = path.join(dir, "config.json");
            fs.writeFileSync(config, json);
            const r = await check(["--config", config, fixture("missing.yaml")]);
            assert.strictEqual(r.code, 2, r.stderr);
            assert.match(r.stderr, pattern);
            assert.ok(!r.stderr.includes("missing.yaml"), "the config is judged first");
        }
    });

    it("unreadable input or config: exit 2 naming the file and the reason", async () => {
        const badConfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-")), "bad.json");
        fs.writeFileSync(badConfig, '{"prod-sampling-range": {"max": 500}}');
        const ghostConfig = path.join(path.dirname(badConfig), "ghost.json");
        fs.writeFileSync(ghostConfig, '{"ghost": {"max": 5}}');
        const cases: [string[], RegExp][] = [
            [[fixture("unreadable.yaml")], /unreadable input: test\/fixtures\/manifests\/unreadable.yaml: document 1: .*line 6/],
            [[fixture("no-kind.yaml")], /no-kind.yaml: document 1 has no valid kind/],
            [[fixture("missing.yaml")], /missing.yaml: no such file or directory/],
            [["--config", fixture("compliant.yaml"), fixture("compliant.yaml")], /invalid policy pack config:\n {2}- test\/fixtures\/manifests\/compliant.yaml: not valid JSON/],
            [["--config", fixture("missing.json"), fixture("compliant.yaml")], /unreadable input: test\/fixtures\/manifests\/missing.json: no such file/],
            [["--config", badConfig, fixture("compliant.yaml")], /bad.json: prod-sampling-range\.max: 500 is greater than the maximum 100/],
            [["--config", ghostConfig, fixture("compliant.yaml")], /ghost.json: ghost: not a policy of this pack, so it needs an enforcementLevel/],
            [[], /no manifest files given/],
        ];
        for (const [args, pattern] of cases) {
            const r = await check(args);
            assert.strictEqual(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
            assert.match(r.stderr, pattern);
        }
    });
});

describe("npm run policy:check: inputs that must not pass silently", function () {
    this.timeout(30_000);
    const CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n";

    it("--help prints the usage and exits 0", async () => {
        const r = await check(["--help"]);
        assert.deepStrictEqual([r.code, r.stdout, r.stderr], [0, `${r.lines[0]}\n`, ""]);
        assert.match(r.stdout, /^usage: npm run policy:check -- /);
    });

    it("empty input, or only document separators: exit 2, no objects", async () => {
        for (const input of ["", "---\n", "---\n---\n# nothing\n"]) {
            const r = await check(["-"], input);
            assert.strictEqual(r.code, 2, JSON.stringify(input));
            assert.strictEqual(r.stderr, "error: no objects in <stdin>; allowed: YAML documents that are Kubernetes objects\n");
            assert.strictEqual(r.stdout, "");
        }
    });

    it("a CRD kind ending in List is an object; only List kinds with items are lists", async () => {
        const crd = "apiVersion: networking.example.com/v1\nkind: IPAllowList\nmetadata: {name: office, namespace: x}\nspec: {cidrs: " +
            "[10.0.0.0/8]}\n";
        const list = `apiVersion: v1\nkind: ConfigMapList\nitems:\n  - ${CONFIG_MAP.trim().split("\n").join("\n    ")}\n`;
        const r = await check(["-"], `${crd}---\n${list}`);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.lines.at(-1)!, /^policy-check: 2 object\(s\) from 1 file\(s\)/);
        const bare = await check(["-"], "apiVersion: v1\nkind: List\n");
        assert.match(bare.stderr, /<stdin>: document 1 is a List without items/);
    });

    it("a metadata.name that is not a string: exit 2 naming the file and the document", async () => {
        const r = await check(["-"], `${CONFIG_MAP}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: 123, namespace: x}\n`);
        assert.strictEqual(r.code, 2);
        assert.strictEqual(r.stderr, "error: unreadable input: <stdin>: document 2 (ConfigMap) has metadata.name 123; Kubernetes names " +
            "are strings (quote it in YAML)\n");
    });

    it("a parser failure (an alias bomb) names the file", async () => {
        const levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
        for (let i = 1; i < 8; i++) levels.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]`);
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-")), "bomb.yaml");
        fs.writeFileSync(file, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n${levels.map((l) => `  ${l}\n`).join("")}`);
        const r = await check([file]);
        assert.strictEqual(r.code, 2);
        assert.strictEqual(r.stderr, `error: unreadable input: ${file}: document 1: Excessive alias count indicates a resource ` +
            `exhaustion attack\n`);
    });

    it("the same object twice: a warning naming both places, both checked", async () => {
        const r = await check(["-", fixture("compliant.yaml")], `${CONFIG_MAP}---\n${CONFIG_MAP}`);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(r.stderr, "warning: ConfigMap/x/c is declared 2 times (<stdin> document 1, <stdin> document 2); each copy is " +
            "checked\n");
        assert.match(r.lines.at(-1)!, /^policy-check: 11 object\(s\) from 2 file\(s\)/);
    });
});
