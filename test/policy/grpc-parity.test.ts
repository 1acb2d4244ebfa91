/**
 * The pack as the engine meets it: `new PolicyPack(...)` serving the analyzer gRPC protocol in its own process
 * (cwd = policy-pack, as the CLI starts it), driven with real GetAnalyzerInfo / Configure / Analyze / AnalyzeStack
 * calls. Its diagnostics must equal what lib/policy-engine.ts produces in-process for the same resources and
 * config — the proof that the policy tests and `policy:check` exercise the engine path.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { policies } from "../../policy-pack/policies";
import { parseManifests } from "../../lib/manifest-files";
import { analyze, EngineResource, reconcileConfig } from "../../lib/policy-engine";
import { readPolicyPackConfig } from "../../lib/policy-config";
import { ROOT } from "../helpers";

const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

const LEVEL_NAMES: Record<number, string> = {
    [analyzerpb.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerpb.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerpb.EnforcementLevel.DISABLED]: "disabled",
    [analyzerpb.EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVELS: Record<string, analyzerpb.EnforcementLevel> = Object.fromEntries(Object.entries(LEVEL_NAMES).map(([k, v]) => [v, Number(k)]));

function call<Req, Res>(fn: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => fn(req, (e, r) => (e ? reject(e) : resolve(r))));
}

function options(): analyzerpb.AnalyzerResourceOptions {
    const o = new analyzerpb.AnalyzerResourceOptions();
    o.setCustomtimeouts(new analyzerpb.AnalyzerResourceOptions.CustomTimeouts());
    return o;
}

type Row = [policy: string, level: string, message: string, urn: string];

describe("policy pack over the analyzer gRPC protocol", function () {
    this.timeout(60_000);
    let pack: ChildProcess;
    let client: analyzerrpc.AnalyzerClient;

    before(async () => {
        const entry = path.join(ROOT, "bin", "policy-pack", "index.js");
        pack = spawn(process.execPath, [entry], { cwd: path.join(ROOT, "policy-pack"), stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        pack.stderr!.on("data", (d) => (stderr += d));
        const port = await new Promise<string>((resolve, reject) => {
            pack.stdout!.once("data", (d) => resolve(String(d).trim()));
            pack.once("exit", (code) => reject(new Error(`the pack exited (${code}) before serving: ${stderr}`)));
        });
        client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        pack?.kill();
    });

    it("describes the pack: name, version from package.json, the eight policies with their levels and config schemas", async () => {
        const info = await call<any, analyzerpb.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
        const version = JSON.parse(fs.readFileSync(path.join(ROOT, "policy-pack", "package.json"), "utf8")).version;
        assert.deepStrictEqual([info.getName(), info.getVersion(), info.getSupportsconfig()], ["eco2-tracing", version, true]);
        const described = info.getPoliciesList().map((p) => [p.getName(), LEVEL_NAMES[p.getEnforcementlevel()], p.hasConfigschema()]);
        assert.deepStrictEqual(described, [
            ["app-namespace-zipkin-egress", "mandatory", true],
            ["app-namespace-otlp-egress", "advisory", true],
            ["telemetry-provider-known", "mandatory", true],
            ["prod-sampling-range", "mandatory", true],
            ["service-entry-wildcard-resolution", "mandatory", false],
            ["jaeger-collector-not-headless", "mandatory", true],
            ["jaeger-ui-not-public", "mandatory", true],
            ["jaeger-resources-bounded", "mandatory", true],
        ]);
    });

    it("Configure + Analyze + AnalyzeStack give the same diagnostics as the in-process engine", async () => {
        const packConfig = readPolicyPackConfig(path.join(ROOT, "policy-pack", "config", "prod.json"));
        const fixtures = ["violating.yaml", "compliant.yaml", "prod-sampling.yaml"].map((f) => path.join(ROOT, "test", "fixtures", "manifests", f));
        const seen = new Map<string, number>();
        const resources: EngineResource[] = fixtures.flatMap((f) => parseManifests(fs.readFileSync(f, "utf8"), f, seen));

        // What the CLI sends after reconciling the --policy-pack-config file.
        const { config } = reconcileConfig(policies, packConfig);
        const configure = new analyzerpb.ConfigureAnalyzerRequest();
        for (const [name, c] of Object.entries(config)) {
            const pc = new analyzerpb.PolicyConfig();
            pc.setEnforcementlevel(LEVELS[c.enforcementLevel!]);
            pc.setProperties(Struct.fromJavaScript(c.properties ?? {}));
            configure.getPolicyconfigMap().set(name, pc);
        }
        await call(client.configure.bind(client), configure);

        const overGrpc: Row[] = [];
        // The engine attributes an Analyze diagnostic to the resource it sent (the pack leaves the URN empty).
        const collect = (res: analyzerpb.AnalyzeResponse, analyzed = "") => {
            for (const d of res.getDiagnosticsList()) overGrpc.push([d.getPolicyname(), LEVEL_NAMES[d.getEnforcementlevel()], d.getMessage(), d.getUrn() || analyzed]);
        };
        // AnalyzeRequest and AnalyzerResource share these setters.
        const fill = <T extends analyzerpb.AnalyzeRequest | analyzerpb.AnalyzerResource>(msg: T, r: (typeof resources)[number]): T => {
            msg.setType(r.type);
            msg.setName(r.name);
            msg.setUrn(r.urn);
            msg.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(r.props))));
            msg.setOptions(options());
            return msg;
        };
        for (const r of resources) collect(await call(client.analyze.bind(client), fill(new analyzerpb.AnalyzeRequest(), r)), r.urn);
        const stackReq = new analyzerpb.AnalyzeStackRequest();
        stackReq.setResourcesList(resources.map((r) => fill(new analyzerpb.AnalyzerResource(), r)));
        collect(await call(client.analyzeStack.bind(client), stackReq));

        const inProcess: Row[] = (await analyze(policies, resources, { config: packConfig })).diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.message, d.urn ?? ""]);
        assert.ok(overGrpc.length >= 8, `the fixtures violate every policy (got ${overGrpc.length})`);
        assert.deepStrictEqual(inProcess, overGrpc);
    });
});
