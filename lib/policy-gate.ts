/**
 * Runs a Node.js policy pack over a stack's resources the way `pulumi preview --policy-pack DIR` does, speaking
 * Pulumi's analyzer gRPC protocol to the pack in its own process:
 *
 *   engine (this module)                                   pack process (node run-policy-pack <engine> .)
 *   Engine gRPC server (Log, root resource) ◄────────────  @pulumi/policy's serve(): prints its port on stdout
 *   Handshake → ConfigureStack → GetAnalyzerInfo → Configure → per resource: Remediate, Analyze → AnalyzeStack
 *
 * Launch (cwd = pack dir, args `<engine address> .` plus PulumiPolicy.yaml runtime options, env PULUMI_CONFIG and
 * PULUMI_[NODEJS_]PROJECT/STACK/DRY_RUN), policy config reconciliation and diagnostic handling follow the CLI's
 * plugin host (sdk/go/common/resource/plugin/analyzer_plugin.go) and step generator. The pack's own enforcement
 * levels, config schema defaults and "not applicable" logic run inside the pack, untouched.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as YAML from "yaml";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as enginepb from "@pulumi/pulumi/proto/engine_pb";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import { EnforcementLevel, ENFORCEMENT_LEVELS, PolicyMetadata, PolicyPackConfig, resolvePolicyConfig } from "./policy-config";
import { toWire } from "./analyzer-wire";
import type { ProjectFile, StackResource } from "./synth-run";

export interface PolicyGateOptions {
    packDir: string;
    project: ProjectFile;
    stack: string;
    /** Full keys to raw values, and the secret ones: what the engine hands the pack. */
    config: Record<string, string>;
    secretKeys: readonly string[];
    /** The parsed `--policy-pack-config` file (see policy-config.ts); the pack's defaults apply when absent. */
    policyConfig?: PolicyPackConfig;
    resources: readonly StackResource[];
    /** How long the pack may take to start and to answer one call. */
    timeoutMs?: number;
}

export interface PolicyViolation {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    enforcementLevel: EnforcementLevel;
    /** The resource the engine attributes it to (empty for a stack policy that named none). */
    urn: string;
    message: string;
}

export interface PolicyGateResult {
    packName: string;
    packVersion: string;
    policies: { name: string; enforcementLevel: EnforcementLevel }[];
    /** The reconciled config sent with Configure. */
    config: PolicyPackConfig;
    violations: PolicyViolation[];
    /** Remediations the pack applied (the analyzed properties include them; the manifests do not). */
    remediations: { policyName: string; urn: string }[];
    /** What the pack printed (stdout after the port, stderr) and logged to the engine. */
    output: string[];
}

export class PolicyGateError extends Error {
    constructor(message: string, readonly output: string[]) {
        super(output.length ? `${message}\n${output.map((l) => `  | ${l}`).join("\n")}` : message);
        this.name = "PolicyGateError";
    }
}

const LEVEL_BY_WIRE = Object.fromEntries(Object.entries(analyzerpb.EnforcementLevel).map(([k, v]) => [v, k.toLowerCase() as EnforcementLevel]));
const WIRE_BY_LEVEL = Object.fromEntries(ENFORCEMENT_LEVELS.map((l) => [l, analyzerpb.EnforcementLevel[l.toUpperCase() as keyof typeof analyzerpb.EnforcementLevel]]));
const LOG_SEVERITY = Object.fromEntries(Object.entries(enginepb.LogSeverity).map(([k, v]) => [v, k.toLowerCase()]));

interface PackManifest {
    runtime: string;
    options: Record<string, unknown>;
    version?: string;
}

function readPackManifest(packDir: string): PackManifest {
    const file = path.join(packDir, "PulumiPolicy.yaml");
    if (!fs.existsSync(file)) throw new PolicyGateError(`policy pack not found: ${file} does not exist`, []);
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    const runtime = typeof doc.runtime === "string" ? doc.runtime : doc.runtime?.name;
    const options = (typeof doc.runtime === "object" && doc.runtime?.options) || {};
    return { runtime, options, version: typeof doc.version === "string" ? doc.version : undefined };
}

/**
 * google.protobuf.Empty exactly as the stubs know it: their serializers check `instanceof` against the
 * google-protobuf copy @pulumi/pulumi loads, so take the class from the method definition.
 */
function emptyType(method: object, which: "requestType" | "responseType"): new () => never {
    return (method as Record<string, new () => never>)[which];
}

/** The engine side the pack may call back into: Log and the root resource. */
async function startEngine(output: string[], rootUrn: string): Promise<{ address: string; stop(): void }> {
    const server = new grpc.Server();
    const empty = () => new (emptyType(enginerpc.EngineService.log, "responseType"))();
    server.addService(enginerpc.EngineService, {
        log: (call: grpc.ServerUnaryCall<enginepb.LogRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => {
            const r = call.request;
            output.push(`[engine ${LOG_SEVERITY[r.getSeverity()]}] ${r.getUrn() ? `${r.getUrn()}: ` : ""}${r.getMessage()}`);
            cb(null, empty());
        },
        getRootResource: (_: unknown, cb: grpc.sendUnaryData<enginepb.GetRootResourceResponse>) => cb(null, new enginepb.GetRootResourceResponse().setUrn(rootUrn)),
        setRootResource: (_: unknown, cb: grpc.sendUnaryData<enginepb.SetRootResourceResponse>) => cb(null, new enginepb.SetRootResourceResponse()),
        startDebugging: (_: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, empty()),
        requirePulumiVersion: (_: unknown, cb: grpc.sendUnaryData<enginepb.RequirePulumiVersionResponse>) => cb(null, new enginepb.RequirePulumiVersionResponse()),
    });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    return { address: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

/** Starts the pack like the `pulumi-analyzer-policy` shim: node <@pulumi/pulumi/cmd/run-policy-pack> <engine> . */
function startPack(packDir: string, args: string[], env: NodeJS.ProcessEnv, output: string[], timeoutMs: number): Promise<{ child: ChildProcess; port: number }> {
    let entry: string;
    try {
        entry = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    } catch {
        throw new PolicyGateError(`it looks like the policy pack's dependencies are not installed: @pulumi/pulumi/cmd/run-policy-pack cannot be resolved from ${packDir}`, []);
    }
    const child = spawn(process.execPath, [entry, ...args], { cwd: packDir, env, stdio: ["ignore", "pipe", "pipe"] });
    return new Promise((resolve, reject) => {
        let stdout = "";
        let port: number | undefined;
        const lines = (chunk: string, sink: (line: string) => void) => chunk.split(/\r?\n/).filter((l) => l.trim() !== "").forEach(sink);
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new PolicyGateError(`policy pack ${packDir} did not report its port within ${timeoutMs} ms`, output));
        }, timeoutMs);
        child.stderr!.setEncoding("utf8").on("data", (d: string) => lines(d, (l) => output.push(l)));
        child.stdout!.setEncoding("utf8").on("data", (d: string) => {
            if (port !== undefined) return lines(d, (l) => output.push(l));
            stdout += d;
            const nl = stdout.indexOf("\n");
            if (nl < 0) return;
            const first = stdout.slice(0, nl).trim();
            lines(stdout.slice(nl + 1), (l) => output.push(l));
            clearTimeout(timer);
            if (!/^\d+$/.test(first)) {
                child.kill("SIGKILL");
                reject(new PolicyGateError(`policy pack ${packDir} printed "${first}" instead of its gRPC port`, output));
                return;
            }
            port = Number(first);
            resolve({ child, port });
        });
        child.on("error", (e) => {
            clearTimeout(timer);
            reject(new PolicyGateError(`policy pack ${packDir} failed to start: ${e.message}`, output));
        });
        child.on("exit", (code, signal) => {
            if (port !== undefined) return;
            clearTimeout(timer);
            reject(new PolicyGateError(`policy pack ${packDir} exited (${signal ?? `code ${code}`}) before reporting its port`, output));
        });
    });
}

function stopPack(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
        const force = setTimeout(() => child.kill("SIGKILL"), 5000);
        child.once("exit", () => {
            clearTimeout(force);
            resolve();
        });
        child.kill("SIGTERM");
    });
}

type Unary<Req, Res> = (req: Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, cb: (e: grpc.ServiceError | null, res: Res) => void) => unknown;

function call<Req, Res>(client: analyzerrpc.AnalyzerClient, method: Unary<Req, Res>, req: Req, timeoutMs: number): Promise<Res> {
    return new Promise((resolve, reject) => {
        method.call(client, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (e, res) => (e ? reject(e) : resolve(res)));
    });
}

function options(r: StackResource): analyzerpb.AnalyzerResourceOptions {
    return new analyzerpb.AnalyzerResourceOptions().setParent(r.parentUrn ?? "").setCustomtimeouts(new analyzerpb.AnalyzerResourceOptions.CustomTimeouts());
}

function providerOf(r: StackResource, byUrn: Map<string, StackResource>): analyzerpb.AnalyzerProviderResource | undefined {
    const p = r.providerUrn ? byUrn.get(r.providerUrn) : undefined;
    if (!p) return undefined;
    return new analyzerpb.AnalyzerProviderResource().setUrn(p.urn).setType(p.type).setName(p.name).setProperties(Struct.fromJavaScript(toWire(p.inputs) as never));
}

function violation(d: analyzerpb.AnalyzeDiagnostic, urn: string, versionOverride: string | undefined): PolicyViolation {
    let level = LEVEL_BY_WIRE[d.getEnforcementlevel()];
    // The step generator reports a violation of a remediate-level policy as mandatory.
    if (level === "remediate") level = "mandatory";
    return {
        policyName: d.getPolicyname(),
        policyPackName: d.getPolicypackname(),
        policyPackVersion: versionOverride ?? d.getPolicypackversion(),
        enforcementLevel: level,
        urn,
        message: d.getMessage(),
    };
}

/** Older packs (or SDKs) lack some calls; the engine carries on without them, and so does this. */
function unlessUnimplemented<T>(promise: Promise<T>): Promise<T | undefined> {
    return promise.catch((e: grpc.ServiceError) => {
        if (e.code === grpc.status.UNIMPLEMENTED) return undefined;
        throw e;
    });
}

function stackConfigureRequest(o: PolicyGateOptions): analyzerpb.AnalyzerStackConfigureRequest {
    const req = new analyzerpb.AnalyzerStackConfigureRequest().setStack(o.stack).setProject(o.project.name).setOrganization("").setDryRun(true);
    for (const [k, v] of Object.entries(o.config).sort()) req.getConfigMap().set(k, v);
    req.setConfigSecretKeysList([...o.secretKeys].sort());
    // The tags the CLI derives from Pulumi.yaml for every stack.
    const tags: Record<string, string | undefined> = { "pulumi:project": o.project.name, "pulumi:runtime": o.project.runtime, "pulumi:description": o.project.description };
    for (const [k, v] of Object.entries(tags)) if (v) req.getTagsMap().set(k, v);
    return req;
}

type SchemaProperties = NonNullable<PolicyMetadata["configSchema"]>["properties"];

/** GetAnalyzerInfo, then the CLI's reconciliation and schema check (policy-config.ts), then Configure. */
async function configurePolicies(c: analyzerrpc.AnalyzerClient, o: PolicyGateOptions, output: string[], timeoutMs: number) {
    const EmptyRequest = emptyType(analyzerrpc.AnalyzerService.getAnalyzerInfo, "requestType");
    const info = await call(c, c.getAnalyzerInfo, new EmptyRequest(), timeoutMs);
    const policies: PolicyMetadata[] = info.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        return {
            name: p.getName(),
            enforcementLevel: LEVEL_BY_WIRE[p.getEnforcementlevel()],
            ...(schema ? { configSchema: { properties: schema.getProperties()?.toJavaScript() as SchemaProperties, required: schema.getRequiredList() } } : {}),
        };
    });
    const initial: PolicyPackConfig = {};
    info.getInitialconfigMap().forEach((v, k) => {
        const props = v.getProperties()?.toJavaScript();
        initial[k] = { enforcementLevel: LEVEL_BY_WIRE[v.getEnforcementlevel()], ...(props && Object.keys(props).length ? { properties: props } : {}) };
    });
    const { config, problems } = resolvePolicyConfig(policies, o.policyConfig ?? {}, initial);
    if (problems.length) throw new PolicyGateError(`policy pack config is invalid for ${info.getName()}:\n${problems.map((p) => `  - ${p}`).join("\n")}`, output);

    const req = new analyzerpb.ConfigureAnalyzerRequest();
    for (const [name, entry] of Object.entries(config).sort(([a], [b]) => (a < b ? -1 : 1))) {
        // Every entry has a level here: resolvePolicyConfig reports one without as a problem.
        const pc = new analyzerpb.PolicyConfig().setEnforcementlevel(WIRE_BY_LEVEL[entry.enforcementLevel!]);
        req.getPolicyconfigMap().set(name, pc.setProperties(Struct.fromJavaScript((entry.properties ?? {}) as never)));
    }
    if (req.getPolicyconfigMap().getLength() > 0) await call(c, c.configure, req, timeoutMs);
    return { info, policies, config };
}

/**
 * Resources in flight at once. Each resource's calls are independent of the others', so keeping several in flight
 * hides the round-trip latency (one at a time, the two processes mostly wait on each other: 10,000 resources took
 * ~18 s, ~13 s with 16 in flight; see the README's performance section). Results keep the resources' order.
 */
const ANALYZE_CONCURRENCY = 16;

/** Per resource, as the step generator does: Remediate first, then Analyze the (possibly remediated) properties. */
async function analyzeResources(c: analyzerrpc.AnalyzerClient, resources: readonly StackResource[], version: string | undefined, timeoutMs: number) {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const perResource: { violations: PolicyViolation[]; remediations: { policyName: string; urn: string }[] }[] = [];
    const analyzeOne = async (r: StackResource) => {
        const violations: PolicyViolation[] = [];
        const remediations: { policyName: string; urn: string }[] = [];
        let properties = Struct.fromJavaScript(toWire(r.inputs) as never);
        const request = () => new analyzerpb.AnalyzeRequest().setUrn(r.urn).setType(r.type).setName(r.name).setProperties(properties).setOptions(options(r)).setProvider(providerOf(r, byUrn));
        const remediated = await unlessUnimplemented(call(c, c.remediate, request(), timeoutMs));
        for (const rem of remediated?.getRemediationsList() ?? []) {
            if (rem.getDiagnostic()) {
                violations.push({ policyName: rem.getPolicyname(), policyPackName: rem.getPolicypackname(), policyPackVersion: version ?? rem.getPolicypackversion(), enforcementLevel: "advisory", urn: r.urn, message: rem.getDiagnostic() });
            } else if (rem.getProperties()) {
                properties = rem.getProperties()!;
                remediations.push({ policyName: rem.getPolicyname(), urn: r.urn });
            }
        }
        const analyzed = await call(c, c.analyze, request(), timeoutMs);
        // As the engine does, a per-resource diagnostic is attributed to the resource analyzed.
        for (const d of analyzed.getDiagnosticsList()) violations.push(violation(d, r.urn, version));
        return { violations, remediations };
    };
    let next = 0;
    const worker = async () => {
        while (next < resources.length) {
            const i = next++;
            perResource[i] = await analyzeOne(resources[i]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(ANALYZE_CONCURRENCY, resources.length) }, worker));
    const violations = perResource.flatMap((p) => p.violations);
    const remediations = perResource.flatMap((p) => p.remediations);

    const all = resources.map((r) =>
        new analyzerpb.AnalyzerResource().setUrn(r.urn).setType(r.type).setName(r.name).setProperties(Struct.fromJavaScript(toWire(r.inputs) as never))
            .setOptions(options(r)).setProvider(providerOf(r, byUrn)).setParent(r.parentUrn ?? ""));
    const stack = await unlessUnimplemented(call(c, c.analyzeStack, new analyzerpb.AnalyzeStackRequest().setResourcesList(all), timeoutMs));
    for (const d of stack?.getDiagnosticsList() ?? []) violations.push(violation(d, d.getUrn(), version));
    return { violations, remediations };
}

export async function runPolicyPack(o: PolicyGateOptions): Promise<PolicyGateResult> {
    const timeoutMs = o.timeoutMs ?? 60_000;
    const packDir = path.resolve(o.packDir);
    const manifest = readPackManifest(packDir);
    if (manifest.runtime !== "nodejs") throw new PolicyGateError(`policy pack ${packDir}: runtime "${manifest.runtime}" is not supported here (nodejs only)`, []);
    const output: string[] = [];
    const rootUrn = o.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";

    const engine = await startEngine(output, rootUrn);
    const args = [engine.address, ".", ...Object.entries(manifest.options).map(([k, v]) => `-${k}=${v}`)];
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PULUMI_CONFIG: JSON.stringify(o.config),
        PULUMI_NODEJS_PROJECT: o.project.name,
        PULUMI_NODEJS_STACK: o.stack,
        PULUMI_NODEJS_DRY_RUN: "true",
        PULUMI_PROJECT: o.project.name,
        PULUMI_STACK: o.stack,
        PULUMI_DRY_RUN: "true",
    };
    let pack: { child: ChildProcess; port: number } | undefined;
    let client: analyzerrpc.AnalyzerClient | undefined;
    try {
        pack = await startPack(packDir, args, env, output, timeoutMs);
        const c = (client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure(), { "grpc.max_receive_message_length": 400 * 1024 * 1024 }));
        const handshake = new analyzerpb.AnalyzerHandshakeRequest().setEngineAddress(engine.address).setRootDirectory(packDir).setProgramDirectory(packDir);
        await unlessUnimplemented(call(c, c.handshake, handshake, timeoutMs));
        await unlessUnimplemented(call(c, c.configureStack, stackConfigureRequest(o), timeoutMs));
        const { info, policies, config } = await configurePolicies(c, o, output, timeoutMs);
        // PulumiPolicy.yaml's version, when set, wins over the pack's, as in the CLI.
        const version = manifest.version;
        const { violations, remediations } = await analyzeResources(c, o.resources, version, timeoutMs);
        return {
            packName: info.getName(),
            packVersion: version ?? info.getVersion(),
            policies: policies.map(({ name, enforcementLevel }) => ({ name, enforcementLevel })).sort((a, b) => (a.name < b.name ? -1 : 1)),
            config,
            violations,
            remediations,
            output,
        };
    } catch (e) {
        if (e instanceof PolicyGateError) throw e;
        const details = (e as grpc.ServiceError).details ?? (e as Error).message;
        throw new PolicyGateError(`policy pack ${packDir} failed: ${details}`, output);
    } finally {
        client?.close();
        if (pack) await stopPack(pack.child);
        engine.stop();
    }
}
