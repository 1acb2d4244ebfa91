/**
 * OTEL_PYTHON_EXCLUDED_URLS excludes exactly the health, readiness and metrics paths. Python's instrumentations
 * (opentelemetry-util-http's ExcludeList) join the entries with `|` and `re.search` the full URL; the same is done here
 * with a JS RegExp, which means the same for the pattern subset otel-env.ts generates (`^ $ ( ) ? .* [^/]+` and
 * escaped punctuation). Where python3 is on the PATH the same URLs also go through Python's `re` itself.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import { configProblems } from "../../helpers";
import { DEFAULT_HEALTH_CHECK_PATHS } from "../../../components/foundation/health";
import { excludedUrlPattern, excludedUrls, otelEnv } from "../../../components/app-namespace/otel-env";

const env = (healthCheckPaths: readonly string[]) =>
    otelEnv({ environment: "dev", namespace: "auth", samplingPercent: 100, otlpGrpcEndpoint: "http://c:4317", healthCheckPaths });

/** ExcludeList.url_disabled: `re.search("|".join(entries), url)`, the entries split on ',' and stripped. */
const jsExcluded = (value: string) => {
    const regex = new RegExp(value.split(",").map((e) => e.trim()).join("|"));
    return (url: string) => regex.test(url);
};

const EXCLUDED = [
    "http://auth-api:8000/health", "http://auth-api:8000/ready", "http://auth-api:8000/metrics",
    "http://10.0.3.7:8000/health?full=1", "https://auth-api.auth.svc.cluster.local/metrics?name[]=up", "http://auth-api/ready?",
];
const TRACED = [
    "http://auth-api:8000/api/v1/already-done", "http://auth-api:8000/api/v1/user-metrics", "http://auth-api:8000/user-metrics",
    "http://auth-api:8000/healthz-report", "http://auth-api:8000/metrics-export", "http://auth-api:8000/health/",
    "http://auth-api:8000/v1/health",
    "http://auth-api:8000/api?next=/health", "http://auth-api:8000/", "http://health/api",
];

describe("OTEL_PYTHON_EXCLUDED_URLS", () => {
    const value = env(DEFAULT_HEALTH_CHECK_PATHS).OTEL_PYTHON_EXCLUDED_URLS;

    it("is one anchored pattern per default path: exact path, optional query string", () => {
        assert.strictEqual(value, [
            "^https?://[^/]+/health(\\?.*)?$", "^https?://[^/]+/ready(\\?.*)?$", "^https?://[^/]+/metrics(\\?.*)?$",
        ].join(","));
    });

    it("excludes the health, readiness and metrics paths (with a query string too)", () => {
        const excluded = jsExcluded(value);
        for (const url of EXCLUDED) assert.ok(excluded(url), `${url} should be excluded`);
    });

    it("keeps every other URL, however much it resembles one", () => {
        const excluded = jsExcluded(value);
        for (const url of TRACED) assert.ok(!excluded(url), `${url} should be traced`);
    });

    it("takes a path literally, with or without its leading '/'", () => {
        assert.strictEqual(excludedUrlPattern("/status.json"), excludedUrlPattern("status.json"));
        const excluded = jsExcluded(excludedUrls(["/status.json", "live+z", "a(b)"]));
        for (const url of ["http://h/status.json", "http://h/live+z?x", "http://h/a(b)"]) assert.ok(excluded(url), url);
        for (const url of ["http://h/statusXjson", "http://h/liveez", "http://h/ab"]) assert.ok(!excluded(url), url);
    });

    it("the config takes paths only: no query string, fragment, whitespace or comma", () => {
        const problems = configProblems({ environment: "dev", telemetry: { healthCheckPaths: ["ready?full", "a#b", "a b", "a,b", ""] } });
        for (let i = 0; i < 5; i++) {
            assert.ok(problems.some((p) => p.includes(`telemetry.healthCheckPaths[${i}]`)), `entry ${i} rejected:\n${problems.join("\n")}`);
        }
        assert.deepStrictEqual(configProblems({ environment: "dev", telemetry: { healthCheckPaths: ["/livez", "status.json"] } }), []);
    });

    it("Python's re agrees with the JS RegExp on every URL (skipped without python3)", function () {
        const script = "import json, re, sys\n" +
            "value, urls = json.load(sys.stdin)\n" +
            "regex = re.compile('|'.join(e.strip() for e in value.split(',')))\n" +
            "print(json.dumps([bool(regex.search(u)) for u in urls]))\n";
        const urls = [...EXCLUDED, ...TRACED];
        const py = spawnSync("python3", ["-c", script], { input: JSON.stringify([value, urls]), encoding: "utf8" });
        if (py.error) this.skip();
        assert.strictEqual(py.status, 0, py.stderr);
        assert.deepStrictEqual(JSON.parse(py.stdout), urls.map(jsExcluded(value)));
        assert.deepStrictEqual(JSON.parse(py.stdout), urls.map((u) => EXCLUDED.includes(u)));
    });
});
