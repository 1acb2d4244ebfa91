/**
 * Rules across config keys, run by `parseConfig` (components/config/index.ts) after each top-level section was parsed on its
 * own. A section that failed as a whole arrives with only its valid keys (objects, so any key may be missing) or
 * elements (lists, with holes), so these rules see every valid part and the user gets structural and cross-field
 * problems in one run; a rule about a missing key asks `reported` first, so an invalid key is not also called missing.
 */
import type { RawConfig, RuleContext } from "./schema";
import { hostKey, serviceEntryProblems } from "./external-hosts";
import { memoryRules } from "./memory-rules";
import { samplingRules } from "./sampling-rules";
import { JAEGER_VERSION } from "../foundation/topology";

/** Namespaces whose pods an app-namespace egress policy (podSelector: {}) must never select. */
const KUBERNETES_SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"];

export function crossFieldRules(c: Partial<RawConfig>, ctx: RuleContext): void {
    samplingRules(c, ctx);
    jaegerRules(c, ctx);
    memoryRules(c, ctx);
    namespaceRules(c, ctx);
    externalServiceRules(c, ctx);
    const { add, reported } = ctx;
    // Two actions on one key: the attributes processor would apply both in order (a hash of nothing, or a deleted hash).
    duplicates((c.scrubAttributes ?? []).map((a) => a?.key), (i) => ["scrubAttributes", i, "key"], "scrubbed attribute", add);
    if (c.kubernetes?.renderYamlToDirectory !== undefined && c.kubernetes.context !== undefined) {
        add(["kubernetes", "context"], "a provider that renders YAML talks to no cluster, and the provider rejects a context with it; allowed: unset with renderYamlToDirectory");
    }
    // An invalid entry may be the namespace meant: judge against the list only when all of it is valid.
    if (c.smokeTest?.enabled && c.smokeTest.namespace && c.appNamespaces && !reported(["appNamespaces"]) && !c.appNamespaces.some((n) => n.name === c.smokeTest!.namespace)) {
        add(["smokeTest", "namespace"], `needs the OTEL ConfigMap and egress policies of an app namespace; allowed: one of ${c.appNamespaces.map((n) => n.name).join(", ") || "(no appNamespaces configured)"}`);
    }
    if (c.smokeTest?.enabled && !c.smokeTest.namespace && c.appNamespaces?.length === 0) {
        add(["smokeTest", "namespace"], "the smoke test needs a namespace: set smokeTest.namespace or configure appNamespaces");
    }
}

function jaegerRules(c: Partial<RawConfig>, { add, warn, reported, secretKeys }: RuleContext): void {
    const j = c.jaeger;
    const prod = c.environment === "prod";
    if (j?.image && j.image.tag !== JAEGER_VERSION) {
        warn(["jaeger", "image", "tag"], `is not the tested release: the suites run Jaeger ${JAEGER_VERSION} ` +
            "with this program's userconfig " +
            "(a newer Jaeger may rename or drop a setting it reads, and the pods then fail to start); " +
            "deploy it on a non-production stack first");
    }
    if (!j) {
        // reported by the section's own parse
    } else if (j.mode === "allInOne") {
        if (prod) add(["jaeger", "mode"], "prod keeps its traces in an existing Elasticsearch/OpenSearch (the in-memory store loses every trace on a restart and keeps at most memory.maxTraces); allowed: production, with jaeger.storage");
        if (j.replicas > 1) add(["jaeger", "replicas"], "the in-memory store keeps each replica's own subset of traces; allowed: 1 with mode allInOne (use mode production for replicas)");
        if (j.storage) add(["jaeger", "storage"], "storage is only read in mode production; allowed: unset with mode allInOne");
        if (c.jaegerStoragePassword !== undefined) add(["jaegerStoragePassword"], "the in-memory store has no password; allowed: unset with mode allInOne");
    } else if (j.mode === "production" && !j.storage) {
        if (!reported(["jaeger", "storage"])) add(["jaeger", "storage"], "mode production needs storage {type, serverUrls} for an existing Elasticsearch/OpenSearch");
    } else if (j.storage) {
        const s = j.storage;
        const hasRef = !!s.passwordSecretRef;
        const hasSecret = c.jaegerStoragePassword !== undefined;
        if (hasRef && hasSecret) add(["jaegerStoragePassword"], "set either jaeger.storage.passwordSecretRef or the Pulumi secret jaegerStoragePassword, not both");
        if (!s.username && (hasRef || hasSecret)) add(["jaeger", "storage", "username"], "a password is set but no username; allowed: a username for basic auth");
        if (s.username && !hasRef && !hasSecret) add(["jaeger", "storage", "username"], "a username needs a password: jaeger.storage.passwordSecretRef {name, key} or `pulumi config set --secret jaegerStoragePassword`");
        if (prod && s.username) {
            (s.serverUrls ?? []).forEach((url, i) => {
                if (/^http:/i.test(url)) add(["jaeger", "storage", "serverUrls", i], "prod: the basic-auth username and password would cross the network in clear over http://; allowed: an https:// URL");
            });
        }
        if (prod && s.tlsInsecureSkipVerify && !s.tlsInsecureSkipVerifyAcknowledged) {
            add(["jaeger", "storage", "tlsInsecureSkipVerify"], "prod: without verification anyone on the network path can pose as the backend and receive every trace and the storage password; allowed: false (caSecretRef or tlsSystemCAs verify it), or accept the risk with jaeger.storage.tlsInsecureSkipVerifyAcknowledged: true");
        }
        if (s.tlsInsecureSkipVerifyAcknowledged && !s.tlsInsecureSkipVerify) {
            add(["jaeger", "storage", "tlsInsecureSkipVerifyAcknowledged"], "acknowledges tlsInsecureSkipVerify, which is off; allowed: unset (so turning verification off later needs a new acknowledgement)");
        }
    }
    if (c.jaegerStoragePassword !== undefined && secretKeys && !secretKeys.has("jaegerStoragePassword")) {
        add(["jaegerStoragePassword"], "is stored in plain text; allowed: a secret (`pulumi config set --secret jaegerStoragePassword ...`)");
    }
}

/** First index of each item; later ones are reported as duplicates. Lists may have holes (invalid elements). */
function duplicates(items: (string | undefined)[], path: (i: number) => PropertyKey[], what: string, add: RuleContext["add"]): void {
    const first = new Map<string, number>();
    items.forEach((item, i) => {
        if (item === undefined) return;
        if (first.has(item)) add(path(i), `duplicate ${what} "${item}" (also at index ${first.get(item)})`);
        else first.set(item, i);
    });
}

function namespaceRules(c: Partial<RawConfig>, { add }: RuleContext): void {
    const apps = c.appNamespaces ?? [];
    duplicates(apps.map((n) => n.name), (i) => ["appNamespaces", i], "namespace", add);
    const overrides = c.telemetry?.workloadOverrides ?? [];
    duplicates(overrides.map((w) => `${w.namespace}/${w.name}`), (i) => ["telemetry", "workloadOverrides", i], "workload override", add);

    const reserved = new Map<string, string>(KUBERNETES_SYSTEM_NAMESPACES.map((n) => [n, "a Kubernetes system namespace"]));
    if (c.jaeger?.namespace) reserved.set(c.jaeger.namespace, "the Jaeger namespace (jaeger.namespace)");
    if (c.istio?.rootNamespace) reserved.set(c.istio.rootNamespace, "the Istio root namespace (istio.rootNamespace)");
    const allowed = [...reserved.keys()].map((n) => `"${n}"`).join(", ");
    apps.forEach((n, i) => {
        const what = reserved.get(n.name);
        if (what) {
            add(["appNamespaces", i, "name"], `is ${what}: this stack's app-namespace egress policies select every pod of a namespace (podSelector: {}) and, with default-deny egress, would cut its system pods off; allowed: an application namespace other than ${allowed}`);
        }
    });
}

function externalServiceRules(c: Partial<RawConfig>, { add }: RuleContext): void {
    const services = c.externalServices ?? [];
    duplicates(services.map((s) => s.name), (i) => ["externalServices", i, "name"], "external service", add);
    const owner = new Map<string, { entry: number; host: number }>();
    services.forEach((svc, i) => {
        for (const p of serviceEntryProblems(svc)) add(["externalServices", i, ...p.path], p.message);
        svc.hosts.forEach((host, k) => {
            const key = hostKey(host);
            const first = owner.get(key);
            if (!first) owner.set(key, { entry: i, host: k });
            else if (first.entry !== i) {
                const other = services[first.entry];
                add(["externalServices", i, "hosts", k], `"${svc.name}" and "${other.name}" (externalServices[${first.entry}].hosts[${first.host}]) both declare host ${key}, and Istio merges or drops ServiceEntries that share a host unpredictably; allowed: each host in one entry`);
            }
        });
    });
}
