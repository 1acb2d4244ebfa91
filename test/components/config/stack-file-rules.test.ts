/**
 * The cross-key config rules, each through a stack file (`--config-file` as synth and the CLI take it) read like
 * the engine hands it over and the real program run under the mock runtime: the config module's message (the one
 * `npm run synth` extracts from the CLI and exits 2 with, test/e2e/synth.e2e.ts), with the key path, the value as
 * written and what is allowed. Fast and offline; the real engine's run of one such file is in the e2e suite.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, PROJECT } from "../../../components/config";
import { ProgramError, runUnderMocks } from "../../../tools/mock-runtime";
import { readmePlatform } from "../../../tools/mock-plan";
import { readStackFile } from "../../../tools/stack-file";
import { writeStackFile } from "../../helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-rules-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const PROD_STORAGE = { type: "elasticsearch", serverUrls: ["https://es:9200"], username: "jaeger", passwordSecretRef: { name: "es", key: "password" }, tlsSystemCAs: true };
const prodJaeger = (storage: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ mode: "production", replicas: 2, storage: { ...PROD_STORAGE, ...storage }, ...extra });

/** The program's outcome for a stack file: the ConfigError message, or "" when the config is accepted. */
async function programWith(stack: string, file: string): Promise<string> {
    const { config, secretKeys } = readStackFile(file, PROJECT);
    try {
        const program = require("../../../index") as () => unknown;
        await runUnderMocks(program, { project: PROJECT, stack, config, secretKeys, live: readmePlatform });
        return "";
    } catch (e) {
        if (e instanceof ProgramError && e.cause instanceof ConfigError) return e.cause.message;
        throw e;
    }
}

let counter = 0;
/** The committed stack file with `set` replacing top-level keys, through the program. */
const synthWith = (stack: string, set: Record<string, unknown>) => programWith(stack, writeStackFile(tmp, stack, `case-${++counter}.yaml`, set));

/** Rejected, and for each expected problem one line with the key path, the value and the text. */
function rejected(message: string, ...problems: [key: string, value: string, ...text: string[]][]): void {
    assert.match(message, /^invalid configuration for stack "/);
    const lines = message.split("\n");
    for (const [key, value, ...text] of problems) {
        const prefix = `eco2-tracing:${key} = ${value}: `;
        assert.ok(lines.some((l) => l.includes(prefix) && text.every((t) => l.includes(t))), `expected ${prefix}… ${JSON.stringify(text)} in:\n${message}`);
    }
}

describe("config rules through a stack file and the program", function () {
    this.timeout(60_000);

    it("system namespaces, the Istio root and the Jaeger namespace are not app namespaces", async () => {
        const run = await synthWith("dev", { appNamespaces: ["auth", "kube-system", "kube-public", "kube-node-lease", "istio-system", "tracing"], jaeger: { namespace: "tracing" }, smokeTest: { enabled: false } });
        const allowed = 'allowed: an application namespace other than "kube-system", "kube-public", "kube-node-lease", "tracing", "istio-system"';
        rejected(run,
            ["appNamespaces[1].name", '"kube-system"', "a Kubernetes system namespace", "podSelector: {}", allowed],
            ["appNamespaces[2].name", '"kube-public"', "a Kubernetes system namespace"],
            ["appNamespaces[3].name", '"kube-node-lease"', "a Kubernetes system namespace"],
            ["appNamespaces[4].name", '"istio-system"', "the Istio root namespace (istio.rootNamespace)"],
            ["appNamespaces[5].name", '"tracing"', "the Jaeger namespace (jaeger.namespace)"],
        );
        assert.match(run, /\(5 problems\)/);
    });

    it("prod on the in-memory store", async () => {
        rejected(await synthWith("prod", { jaeger: { mode: "allInOne" } }), ["jaeger.mode", '"allInOne"', "prod keeps its traces in an existing Elasticsearch/OpenSearch", "allowed: production"]);
    });

    it("prod: basic auth over http://", async () => {
        const run = await synthWith("prod", { jaeger: prodJaeger({ serverUrls: ["http://es:9200"], tlsSystemCAs: false }) });
        rejected(run, ["jaeger.storage.serverUrls[0]", '"http://es:9200"', "in clear over http://", "allowed: an https:// URL"]);
    });

    it("prod: tlsInsecureSkipVerify needs the acknowledgement, which only it may carry", async () => {
        const unverified = { tlsSystemCAs: false, tlsInsecureSkipVerify: true };
        rejected(await synthWith("prod", { jaeger: prodJaeger(unverified) }),
            ["jaeger.storage.tlsInsecureSkipVerify", "true", "pose as the backend", "tlsInsecureSkipVerifyAcknowledged: true"]);
        rejected(await synthWith("prod", { jaeger: prodJaeger({ tlsInsecureSkipVerifyAcknowledged: true }) }),
            ["jaeger.storage.tlsInsecureSkipVerifyAcknowledged", "true", "which is off"]);
        assert.strictEqual(await synthWith("prod", { jaeger: prodJaeger({ ...unverified, tlsInsecureSkipVerifyAcknowledged: true }) }), "");
    });

    it("helmValues: a secret-looking extraEnv value or a literal password, redacted in the message", async () => {
        const helmValues = {
            jaeger: { extraEnv: [{ name: "STORAGE_PASSWORD", value: "hunter2" }, { name: "LOG_LEVEL", value: "debug" }, { name: "UPSTREAM", value: "https://svc:s3cr3t@es:9200" }] },
            userconfig: { extensions: { jaeger_storage: { backends: { primary_store: { elasticsearch: { auth: { basic: { password: "hunter3" } } } } } } } },
        };
        const run = await synthWith("prod", { jaeger: prodJaeger({}, { helmValues }) });
        rejected(run,
            ["jaeger.helmValues.jaeger.extraEnv[0].value", "(redacted)", "STORAGE_PASSWORD looks like a credential", "allowed: jaeger.storage.passwordSecretRef or the Pulumi secret jaegerStoragePassword"],
            ["jaeger.helmValues.jaeger.extraEnv[2].value", "(redacted)", "UPSTREAM looks like a credential", "valueFrom.secretKeyRef"],
            ["jaeger.helmValues.userconfig.extensions.jaeger_storage.backends.primary_store.elasticsearch.auth.basic.password", "(redacted)", "a literal password", "${env:STORAGE_PASSWORD}"],
        );
        assert.match(run, /\(3 problems\)/, "LOG_LEVEL is no credential");
        for (const secret of ["hunter2", "hunter3", "s3cr3t"]) assert.ok(!run.includes(secret), secret);
    });

    it("helmValues: turning the Jaeger workload off, or overriding the labels the Services select on", async () => {
        const helmValues = { allInOne: { enabled: false }, jaeger: { podLabels: { "app.kubernetes.io/instance": "other", team: "obs", "bad key": "x" } } };
        rejected(await synthWith("dev", { jaeger: { helmValues } }),
            ["jaeger.helmValues.allInOne.enabled", "false", "select no pod", "allowed: unset or true"],
            ["jaeger.helmValues.jaeger.podLabels.app.kubernetes.io/instance", '"other"', "the jaeger-*-clusterip Services select on", "allowed: other label keys"],
            ["jaeger.helmValues.jaeger.podLabels.bad key", '"x"', '"bad key" is not a label key (Kubernetes)'],
        );
    });

    it("the same ServiceEntry host in two entries, also with a trailing dot, names both entries", async () => {
        const externalServices = [{ name: "openai-external", hosts: ["api.openai.com"] }, { name: "openai-fqdn", hosts: ["api.openai.com."] }, { name: "dup", hosts: ["a.example.com", "a.example.com."] }];
        rejected(await synthWith("dev", { externalServices }),
            ["externalServices[1].hosts[0]", '"api.openai.com."', '"openai-fqdn" and "openai-external" (externalServices[0].hosts[0]) both declare host api.openai.com', "Istio merges or drops"],
            ["externalServices[2].hosts[1]", '"a.example.com."', 'duplicate host "a.example.com." (also at hosts[0])'],
        );
    });

    it("a Helm release name over 53 characters", async () => {
        const releaseName = "j".repeat(54);
        rejected(await synthWith("dev", { jaeger: { releaseName } }), ["jaeger.releaseName", `"${releaseName}"`, "at most 53 characters (Helm's limit for release names)"]);
    });

    it("Kubernetes label syntax in every labels map", async () => {
        const run = await synthWith("dev", {
            appNamespaces: [{ name: "auth", create: true, labels: { team: "-obs" } }],
            networkPolicy: { defaultDenyEgress: true, dnsPodLabels: { "k8s-app": "kube dns" }, queryIngressFrom: [{ namespace: "istio-system", podLabels: { "a/b/c": "kiali" } }] },
        });
        rejected(run,
            ["appNamespaces[0].labels.team", '"-obs"', "must be a label value (Kubernetes"],
            ["networkPolicy.dnsPodLabels.k8s-app", '"kube dns"', "must be a label value (Kubernetes"],
            ["networkPolicy.queryIngressFrom[0].podLabels.a/b/c", '"kiali"', '"a/b/c" is not a label key (Kubernetes)'],
        );
    });

    it("resource requests above their limits", async () => {
        const resources = { requests: { cpu: "2", memory: "1Gi" }, limits: { cpu: "500m", memory: "512Mi" } };
        rejected(await synthWith("dev", { jaeger: { resources } }),
            ["jaeger.resources.requests.cpu", '"2"', "is above limits.cpu 500m (Kubernetes rejects a request above its limit)"],
            ["jaeger.resources.requests.memory", '"1Gi"', "is above limits.memory 512Mi", "allowed: at most 512Mi"],
        );
    });

    it("an empty chart name, a chart repository that is not http(s)/oci", async () => {
        rejected(await synthWith("dev", { jaeger: { chart: { name: "", repo: "file:///charts", version: "4.11.1" } } }),
            ["jaeger.chart.name", '""', "must not be empty (Helm needs a chart name)"],
            ["jaeger.chart.repo", '"file:///charts"', "http://, https:// or oci://", "jaeger.chart.path"],
        );
        const oci = await synthWith("dev", { jaeger: { chart: { name: "jaeger", repo: "oci://registry.example.com/charts", version: "4.11.1" } } });
        assert.ok(!/jaeger\.chart\.repo/.test(oci), oci);
    });

    it("every problem at once: production without storage next to another error", async () => {
        const run = await synthWith("prod", { jaeger: { mode: "production", replicas: 50 } });
        rejected(run, ["jaeger.replicas", "50", "must be at most 20"], ["jaeger.storage", "(unset)", "mode production needs storage"]);
        assert.match(run, /\(2 problems\)/);
    });

    it("numbers as written: huge exponents and integers, .inf and .nan with the allowed range", async () => {
        const file = path.join(tmp, "numbers.yaml");
        fs.writeFileSync(file, "config:\n  eco2-tracing:environment: dev\n  eco2-tracing:sampling: 1e999\n  eco2-tracing:jaeger:\n    replicas: .nan\n    memory: {maxTraces: -.inf}\n  eco2-tracing:istio: {maxPathTagLength: 1e3}\n" +
            "  eco2-tracing:tailSampling: {numTraces: 99999999999999999999999}\n");
        const run = await programWith("dev", file);
        rejected(run,
            ["sampling", '"1e999"', "must be a percentage from 0 to 100"],
            ["jaeger.replicas", '".nan"', "is not a number; allowed: at least 1 and at most 20"],
            ["jaeger.memory.maxTraces", '"-.inf"', "must be at least 1000"],
            ["tailSampling.numTraces", '"99999999999999999999999"', "must be at most 10000000"],
        );
        assert.match(run, /\(4 problems\)/, "1e3 is a valid maxPathTagLength");
    });
});
