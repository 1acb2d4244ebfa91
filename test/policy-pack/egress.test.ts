/** NetworkPolicy semantics (policy-pack/lib/egress.ts, selectors.ts), unit by unit. */
import * as assert from "assert";
import { Destination, namespaceEgress, peerAdmits, PolicyInNamespace, portsCover, restrictsEgress, ruleAllows } from "../../policy-pack/lib/egress";
import { implies, matches } from "../../policy-pack/lib/selectors";

const COLLECTOR: Destination = {
    namespace: "istio-system",
    namespaceLabels: { "kubernetes.io/metadata.name": "istio-system", "topology.istio.io/network": "main" },
    podLabels: { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/component": "all-in-one" },
    port: 9411,
    protocol: "TCP",
};
const toCollector = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } } }];

const np = (name: string, spec: PolicyInNamespace["spec"], namespace = "shop"): PolicyInNamespace => ({ name, namespace, spec });
const denyAll = np("deny-all", { podSelector: {}, policyTypes: ["Egress"] });
const allowZipkin = np("allow-zipkin", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "TCP", port: 9411 }], to: toCollector }] });

describe("policy-pack egress semantics", () => {
    describe("label selectors", () => {
        it("matchLabels and every matchExpressions operator", () => {
            const labels = { app: "web", tier: "front" };
            assert.ok(matches({}, labels), "empty selector selects everything");
            assert.ok(matches({ matchLabels: { app: "web" } }, labels));
            assert.ok(!matches({ matchLabels: { app: "api" } }, labels));
            assert.ok(matches({ matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] }, labels));
            assert.ok(!matches({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["web"] }] }, labels));
            assert.ok(matches({ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, labels), "NotIn matches an absent key");
            assert.ok(matches({ matchExpressions: [{ key: "tier", operator: "Exists" }] }, labels));
            assert.ok(!matches({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, labels));
            assert.ok(!matches({ matchExpressions: [{ key: "app", operator: "Bogus", values: ["web"] }] }, labels), "unknown operators select nothing");
        });

        it("implication is sound: a narrower selector implies a broader one, never the reverse", () => {
            assert.ok(implies({ matchLabels: { app: "web" } }, {}));
            assert.ok(implies({ matchLabels: { app: "web", tier: "front" } }, { matchLabels: { app: "web" } }));
            assert.ok(!implies({}, { matchLabels: { app: "web" } }));
            assert.ok(implies({ matchLabels: { app: "web" } }, { matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] }));
            assert.ok(implies({ matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] }, { matchExpressions: [{ key: "app", operator: "Exists" }] }));
            assert.ok(!implies({ matchExpressions: [{ key: "app", operator: "Exists" }] }, { matchLabels: { app: "web" } }));
            assert.ok(implies({ matchLabels: { app: "web" } }, { matchExpressions: [{ key: "app", operator: "NotIn", values: ["api"] }] }));
            assert.ok(implies({ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, { matchExpressions: [{ key: "app", operator: "NotIn", values: ["api"] }] }));
            assert.ok(!implies({ matchLabels: { tier: "front" } }, { matchExpressions: [{ key: "app", operator: "NotIn", values: ["api"] }] }), "app may be api");
        });
    });

    describe("policy types", () => {
        it("policyTypes decides; without it (or empty) egress rules make a policy restrict egress", () => {
            assert.ok(restrictsEgress({ policyTypes: ["Egress"] }), "Egress with no rules: deny all");
            assert.ok(restrictsEgress({ policyTypes: ["Ingress", "Egress"], egress: [] }));
            assert.ok(!restrictsEgress({ policyTypes: ["Ingress"], egress: [{}] }), "Ingress-only ignores egress rules");
            assert.ok(!restrictsEgress({}), "an ingress-only policy without policyTypes");
            assert.ok(restrictsEgress({ egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] }));
            assert.ok(!restrictsEgress({ policyTypes: [], egress: [] }));
        });
    });

    describe("ports", () => {
        it("omitted or empty ports cover every port", () => {
            assert.ok(portsCover(undefined, 9411, "TCP"));
            assert.ok(portsCover([], 9411, "TCP"));
        });
        it("protocol defaults to TCP; UDP/SCTP 9411 do not cover TCP 9411", () => {
            assert.ok(portsCover([{ port: 9411 }], 9411, "TCP"));
            assert.ok(!portsCover([{ port: 9411, protocol: "UDP" }], 9411, "TCP"));
            assert.ok(!portsCover([{ port: 9411, protocol: "SCTP" }], 9411, "TCP"));
        });
        it("endPort ranges are inclusive", () => {
            assert.ok(portsCover([{ port: 9000, endPort: 9411 }], 9411, "TCP"));
            assert.ok(portsCover([{ port: 9411, endPort: 9500 }], 9411, "TCP"));
            assert.ok(!portsCover([{ port: 9000, endPort: 9410 }], 9411, "TCP"));
            assert.ok(!portsCover([{ port: 4317, endPort: 4318 }], 9411, "TCP"));
        });
        it("a port entry without a port covers every port of its protocol", () => {
            assert.ok(portsCover([{ protocol: "TCP" }], 9411, "TCP"));
            assert.ok(!portsCover([{ protocol: "UDP" }], 9411, "TCP"));
        });
        it("named ports prove nothing", () => {
            assert.ok(!portsCover([{ port: "http-zipkin", protocol: "TCP" }], 9411, "TCP"));
        });
    });

    describe("peers", () => {
        it("namespaceSelector and podSelector must both match the collector", () => {
            assert.ok(peerAdmits(toCollector[0], "shop", COLLECTOR));
            assert.ok(peerAdmits({ namespaceSelector: {} }, "shop", COLLECTOR), "all namespaces, all pods");
            assert.ok(!peerAdmits({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }, "shop", COLLECTOR), "wrong namespace");
            assert.ok(!peerAdmits({ namespaceSelector: {}, podSelector: { matchLabels: { app: "jaeger-collector" } } }, "shop", COLLECTOR), "wrong pods");
            assert.ok(peerAdmits({ namespaceSelector: { matchExpressions: [{ key: "topology.istio.io/network", operator: "Exists" }] } }, "shop", COLLECTOR));
        });
        it("a podSelector alone means the policy's own namespace", () => {
            assert.ok(!peerAdmits({ podSelector: {} }, "shop", COLLECTOR));
            assert.ok(peerAdmits({ podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } } }, "istio-system", COLLECTOR));
        });
        it("ipBlock and empty peers prove nothing", () => {
            assert.ok(!peerAdmits({ ipBlock: { cidr: "0.0.0.0/0" } }, "shop", COLLECTOR));
            assert.ok(!peerAdmits({}, "shop", COLLECTOR));
        });
        it("a rule needs its ports and its to together; omitted/empty to is every destination", () => {
            assert.ok(ruleAllows({ ports: [{ port: 9411 }] }, "shop", COLLECTOR));
            assert.ok(ruleAllows({ ports: [{ port: 9411 }], to: [] }, "shop", COLLECTOR));
            assert.ok(!ruleAllows({ ports: [{ port: 53 }], to: toCollector }, "shop", COLLECTOR));
            assert.ok(ruleAllows({}, "shop", COLLECTOR), "an empty rule allows everything");
        });
    });

    describe("namespace verdict", () => {
        it("no restricting policy: unrestricted", () => {
            const v = namespaceEgress([np("ingress-only", { podSelector: {}, policyTypes: ["Ingress"] })], COLLECTOR);
            assert.deepStrictEqual([v.restricted, v.allowed], [false, true]);
        });
        it("default deny alone blocks; with an allow policy for the same pods, the two together allow", () => {
            const denied = namespaceEgress([denyAll], COLLECTOR);
            assert.deepStrictEqual([denied.restricted, denied.allowed, denied.blocking.map((p) => p.name)], [true, false, ["deny-all"]]);
            assert.ok(namespaceEgress([denyAll, allowZipkin], COLLECTOR).allowed);
        });
        it("an allow policy for some pods leaves the others of a namespace-wide deny blocked", () => {
            const webOnly = np("allow-web", { ...allowZipkin.spec, podSelector: { matchLabels: { app: "web" } } });
            const v = namespaceEgress([denyAll, webOnly], COLLECTOR);
            assert.deepStrictEqual(v.blocking.map((p) => p.name), ["deny-all"]);
        });
        it("a deny for some pods is covered by an allow for all pods", () => {
            const denyWeb = np("deny-web", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] });
            assert.ok(namespaceEgress([denyWeb, allowZipkin], COLLECTOR).allowed);
        });
        it("the allow must be for the right port", () => {
            const v = namespaceEgress([denyAll, allowZipkin], { ...COLLECTOR, port: 4317 });
            assert.deepStrictEqual(v.blocking.map((p) => p.name).sort(), ["allow-zipkin", "deny-all"]);
        });
    });
});
