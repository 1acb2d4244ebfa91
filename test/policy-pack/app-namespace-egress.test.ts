/** app-namespace-zipkin-egress (mandatory, TCP 9411) and app-namespace-otlp-egress (advisory, TCP 4317). */
import * as assert from "assert";
import { assertCompliant, assertViolation, run, violations, yaml } from "./helpers";

const ZIPKIN = "app-namespace-zipkin-egress";
const OTLP = "app-namespace-otlp-egress";

const ns = (name: string, labels = "istio-injection: enabled") => `
apiVersion: v1
kind: Namespace
metadata: {name: ${name}, labels: {${labels}}}
---`;

const DENY_ALL = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-egress, namespace: shop}
spec: {podSelector: {}, policyTypes: [Egress]}
---`;

/** An egress NetworkPolicy in namespace shop with the given rule (YAML flow). */
const allow = (name: string, rule: string, extra = "policyTypes: [Egress]") => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  podSelector: {}
  ${extra}
  egress: [${rule}]
---`;

const TO_COLLECTOR = `{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: istio-system}}, podSelector: {matchLabels: {app.kubernetes.io/name: jaeger, app.kubernetes.io/instance: jaeger}}}`;

describe("policy app-namespace-zipkin-egress / app-namespace-otlp-egress", () => {
    it("a namespace without egress-restricting policies is compliant", async () => {
        await assertCompliant(ZIPKIN, yaml(ns("shop")));
        await assertCompliant(ZIPKIN, yaml(ns("shop") + allow("ingress-only", "{}", "policyTypes: [Ingress]")));
    });

    it("default deny with no allow: violation naming the namespace and the missing port, on the Namespace", async () => {
        const resources = yaml(ns("shop") + DENY_ALL);
        const result = await run(ZIPKIN, resources);
        assert.strictEqual(result.diagnostics.length, 1);
        const [d] = result.diagnostics;
        assert.strictEqual(d.enforcementLevel, "mandatory");
        assert.strictEqual(d.urn, resources[0].urn, "reported on the Namespace");
        assert.match(d.detail, /namespace "shop"/);
        assert.match(d.detail, /TCP 9411/);
        assert.match(d.detail, /NetworkPolicy "default-deny-egress" denies all egress of all pods/);
        // The CLI shows the description first, then the message.
        assert.match(d.message, /^Every app namespace allows egress to the Jaeger collector on TCP 9411 .*\nnamespace "shop"/);
    });

    it("two policies together allow: default deny plus an allow for the same pods", async () => {
        await assertCompliant(ZIPKIN, yaml(ns("shop") + DENY_ALL + allow("allow-zipkin", `{ports: [{protocol: TCP, port: 9411}], to: [${TO_COLLECTOR}]}`)));
    });

    it("port ranges: endPort covering 9411 allows, one stopping short does not", async () => {
        await assertCompliant(ZIPKIN, yaml(ns("shop") + DENY_ALL + allow("range", `{ports: [{port: 9000, endPort: 9500}], to: [${TO_COLLECTOR}]}`)));
        await assertViolation(ZIPKIN, yaml(ns("shop") + DENY_ALL + allow("range", `{ports: [{port: 9000, endPort: 9410}], to: [${TO_COLLECTOR}]}`)), [/TCP 9411/]);
    });

    it("omitted ports allow every port; omitted protocol is TCP", async () => {
        await assertCompliant(ZIPKIN, yaml(ns("shop") + DENY_ALL + allow("any-port", `{to: [${TO_COLLECTOR}]}`)));
        await assertCompliant(ZIPKIN, yaml(ns("shop") + DENY_ALL + allow("tcp-default", `{ports: [{port: 9411}], to: [${TO_COLLECTOR}]}`)));
    });

    it("UDP 9411 does not allow Zipkin over TCP", async () => {
        await assertViolation(ZIPKIN, yaml(ns("shop") + allow("udp", `{ports: [{protocol: UDP, port: 9411}], to: [${TO_COLLECTOR}]}`)), [/"udp" restricts egress/, /TCP 9411/]);
    });

    it("a named port cannot be proven", async () => {
        await assertViolation(ZIPKIN, yaml(ns("shop") + allow("named", `{ports: [{protocol: TCP, port: http-zipkin}], to: [${TO_COLLECTOR}]}`)), [/TCP 9411/]);
    });

    it("a namespaceSelector for the wrong namespace, or a podSelector for other pods, does not allow", async () => {
        await assertViolation(ZIPKIN, yaml(ns("shop") + allow("wrong-ns", `{ports: [{port: 9411}], to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]}`)), [/namespace "shop"/]);
        await assertViolation(ZIPKIN, yaml(ns("shop") + allow("wrong-pods", `{ports: [{port: 9411}], to: [{namespaceSelector: {}, podSelector: {matchLabels: {app: jaeger-collector}}}]}`)), [/namespace "shop"/]);
        // A podSelector without namespaceSelector means pods of shop itself.
        await assertViolation(ZIPKIN, yaml(ns("shop") + allow("same-ns", `{ports: [{port: 9411}], to: [{podSelector: {matchLabels: {app.kubernetes.io/name: jaeger}}}]}`)), [/namespace "shop"/]);
    });

    it("matchExpressions on the namespace, and omitted or empty to, allow", async () => {
        await assertCompliant(ZIPKIN, yaml(ns("shop") + allow("in", `{ports: [{port: 9411}], to: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [istio-system, monitoring]}]}}]}`)));
        await assertCompliant(ZIPKIN, yaml(ns("shop") + allow("anywhere", `{ports: [{port: 9411}]}`)));
        await assertCompliant(ZIPKIN, yaml(ns("shop") + allow("anywhere", `{ports: [{port: 9411}], to: []}`)));
    });

    it("ipBlock does not prove the collector is reachable", async () => {
        await assertViolation(ZIPKIN, yaml(ns("shop") + allow("cidr", `{ports: [{port: 9411}], to: [{ipBlock: {cidr: 0.0.0.0/0}}]}`)), [/namespace "shop"/]);
    });

    it("an allow for some pods leaves the rest of a default deny blocked", async () => {
        const webOnly = allow("allow-web", `{ports: [{port: 9411}], to: [${TO_COLLECTOR}]}`).replace("podSelector: {}", "podSelector: {matchLabels: {app: web}}");
        await assertViolation(ZIPKIN, yaml(ns("shop") + DENY_ALL + webOnly), [/"default-deny-egress" denies all egress of all pods/]);
    });

    it("policy types: egress rules without policyTypes restrict; Ingress-only policyTypes ignore egress rules", async () => {
        await assertViolation(ZIPKIN, yaml(ns("shop") + allow("dns-only", `{ports: [{protocol: UDP, port: 53}]}`, "")), [/"dns-only" restricts egress/]);
        await assertCompliant(ZIPKIN, yaml(ns("shop") + allow("dns-only", `{ports: [{protocol: UDP, port: 53}]}`, "policyTypes: [Ingress]")));
    });

    it("app namespaces: injection labels, the config list, and namespaces running the stack's workloads", async () => {
        const deny = (namespace: string) => DENY_ALL.replace("namespace: shop", `namespace: ${namespace}`);
        // istio.io/rev counts; istio-injection=disabled wins over it; unlabelled namespaces do not count.
        await assertViolation(ZIPKIN, yaml(ns("shop", "istio.io/rev: stable") + DENY_ALL), [/namespace "shop" \(sidecar injection label\)/]);
        await assertCompliant(ZIPKIN, yaml(ns("shop", "istio.io/rev: stable, istio-injection: disabled") + DENY_ALL));
        assert.strictEqual((await run(ZIPKIN, yaml(ns("shop", "team: a") + DENY_ALL))).notApplicable.length, 1);
        // Listed in the config though not in the stack: reported on the blocking NetworkPolicy.
        const listed = yaml(deny("billing"));
        const d = (await run(ZIPKIN, listed, { config: { appNamespaces: ["billing"] } })).diagnostics;
        assert.deepStrictEqual(d.map((x) => [x.urn, /namespace "billing" \(policy config\)/.test(x.detail)]), [[listed[0].urn, true]]);
        // Workloads of the stack; the collector's own namespace is not an app namespace.
        const workload = (namespace: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: ${namespace}}
spec: {selector: {matchLabels: {app: api}}, template: {metadata: {labels: {app: api}}, spec: {containers: [{name: api, image: api:1}]}}}
---`;
        await assertViolation(ZIPKIN, yaml(workload("orders") + deny("orders")), [/namespace "orders" \(runs workloads of this stack\)/]);
        assert.strictEqual((await run(ZIPKIN, yaml(workload("istio-system") + deny("istio-system")))).notApplicable.length, 1);
    });

    it("no app namespace at all: not applicable", async () => {
        const result = await run(ZIPKIN, yaml(DENY_ALL));
        assert.deepStrictEqual(result.diagnostics, []);
        assert.match(result.notApplicable[0]?.reason ?? "", /no app namespaces/);
    });

    it("collector location comes from config (namespace labels and pod labels)", async () => {
        const toObservability = `{ports: [{port: 9411}], to: [{namespaceSelector: {matchLabels: {team: observability}}, podSelector: {matchLabels: {app: tempo}}}]}`;
        const resources = yaml(ns("shop") + allow("to-tempo", toObservability));
        await assertViolation(ZIPKIN, resources, [/pods \{app.kubernetes.io\/component=all-in-one/]);
        await assertCompliant(ZIPKIN, resources, {
            config: { collectorNamespace: "observability", collectorNamespaceLabels: { team: "observability" }, collectorPodLabels: { app: "tempo" } },
        });
        // A Namespace of the collector in the stack contributes its labels.
        await assertCompliant(ZIPKIN, yaml(ns("istio-system", "team: observability") + ns("shop") + allow("to-team", `{ports: [{port: 9411}], to: [{namespaceSelector: {matchLabels: {team: observability}}}]}`)));
    });

    it("a stack that installs the jaeger chart itself: the collector is that release's namespace and pods, not the config's", async () => {
        const toTraces = `{ports: [{port: 9411}], to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: tracing}}, podSelector: {matchLabels: {app.kubernetes.io/instance: traces}}}]}`;
        const resources = yaml(ns("shop") + allow("to-traces", toTraces));
        const type = "kubernetes:helm.sh/v3:Release";
        const release = { type, name: "jaeger-release", urn: `urn:pulumi:t::p::${type}::jaeger-release`, props: { chart: "jaeger", name: "traces", namespace: "tracing" } };
        await assertViolation(ZIPKIN, resources, [/in namespace "istio-system"/]);
        await assertCompliant(ZIPKIN, [...resources, release], { config: { collectorNamespace: "istio-system" } });
        // Two installs say nothing certain: the config applies again.
        await assertViolation(ZIPKIN, [...resources, release, { ...release, name: "other", urn: `${release.urn}-2`, props: { ...release.props, name: "other" } }], [/in namespace "istio-system"/]);
    });

    it("with the router tier (a load_balancing opentelemetry-collector install beside Jaeger) the routers are the collector", async () => {
        const to = (labels: string) => "{ports: [{port: 9411}], to: [{namespaceSelector: " +
            `{matchLabels: {kubernetes.io/metadata.name: tracing}}, podSelector: {matchLabels: {${labels}}}}]}`;
        const type = "kubernetes:helm.sh/v3:Release";
        const jaeger = {
            type, name: "jaeger-release", urn: `urn:pulumi:t::p::${type}::jaeger-release`,
            props: { chart: "jaeger", name: "traces", namespace: "tracing" },
        };
        const routers = {
            type, name: "collector-tier-release", urn: `urn:pulumi:t::p::${type}::collector-tier-release`,
            props: {
                chart: "../shared/charts/opentelemetry-collector-0.170.0.tgz", name: "traces-router", namespace: "tracing",
                values: { alternateConfig: { exporters: { load_balancing: {} } } },
            },
        };
        const routerLabels = "app.kubernetes.io/instance: traces-router, app.kubernetes.io/name: opentelemetry-collector";
        const toRouters = yaml(ns("shop") + allow("to-routers", to(routerLabels)));
        const toJaeger = yaml(ns("shop") + allow("to-jaeger", to("app.kubernetes.io/instance: traces")));
        await assertCompliant(ZIPKIN, [...toRouters, jaeger, routers]);
        await assertViolation(ZIPKIN, [...toJaeger, jaeger, routers], [/admits pods .*opentelemetry-collector/]);
        await assertCompliant(ZIPKIN, [...toJaeger, jaeger]);
    });

    it("OTLP is the same analysis on TCP 4317, advisory", async () => {
        const zipkinOnly = yaml(ns("shop") + allow("zipkin-only", `{ports: [{port: 9411}], to: [${TO_COLLECTOR}]}`));
        await assertCompliant(ZIPKIN, zipkinOnly);
        const result = await run(OTLP, zipkinOnly);
        assert.deepStrictEqual(result.diagnostics.map((d) => d.enforcementLevel), ["advisory"]);
        assert.match(result.diagnostics[0].detail, /TCP 4317/);
        await assertCompliant(OTLP, yaml(ns("shop") + allow("otlp", `{ports: [{port: 4317, endPort: 4318}], to: [${TO_COLLECTOR}]}`)));
    });

    it("one violation per namespace, sorted, independent of the order of resources", async () => {
        const resources = yaml(ns("zeta") + ns("alpha") + DENY_ALL.replace("shop", "zeta") + DENY_ALL.replace("shop", "alpha"));
        const forward = await violations(ZIPKIN, resources);
        assert.deepStrictEqual(forward.map((m) => /namespace "(\w+)"/.exec(m)?.[1]), ["alpha", "zeta"]);
        assert.deepStrictEqual(await violations(ZIPKIN, [...resources].reverse()), forward);
    });
});
