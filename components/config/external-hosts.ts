/**
 * What Istio's ServiceEntry validation enforces (istio/istio 1.28 pkg/config/validation ValidateServiceEntry and the
 * CRD's schema/CEL rules), checked at config time so a bad entry fails `pulumi preview` instead of being rejected by
 * the API server or the validating webhook mid-update. Pure: no Pulumi.
 */
import { DNS1123_LABEL } from "../foundation/k8s";

/**
 * Port protocols Istio accepts (pkg/config/protocol Parse, which ignores case; written here in upper case).
 * Istio's sniffing default (no protocol) is left out: this program always sets one.
 */
export const ISTIO_PORT_PROTOCOLS = ["GRPC", "GRPC-WEB", "HTTP", "HTTP2", "HTTPS", "HTTP_PROXY", "MONGO", "MYSQL", "REDIS", "TCP", "TLS", "UDP"] as const;

/** Protocols where Envoy tells several hosts on one port apart by Host/:authority or SNI (Istio: IsHTTP || IsTLS). */
const DIFFERENTIABLE = new Set<string>(["GRPC", "GRPC-WEB", "HTTP", "HTTP2", "HTTP_PROXY", "HTTPS", "TLS"]);

/** CRD limits (maxItems). */
const MAX_HOSTS = 256;
const MAX_PORTS = 256;

export const isWildcardHost = (host: string): boolean => host.startsWith("*");

/** The name a host stands for: `api.openai.com.` (fully qualified) and `api.openai.com` are one host to Istio. */
export const hostKey = (host: string): string => host.replace(/\.$/, "");

/**
 * Istio's ValidateWildcardDomain (DNS-1123 labels of at most 63 characters, at most 255 in all, no all-numeric
 * top-level label, so no IP addresses) plus its partial-wildcard rule: Istio only warns about `*foo.com`, but such a
 * host never matches as intended, so it is an error here. Lower case only, like Kubernetes names.
 */
function hostProblem(host: string): string | undefined {
    if (host === "*") return "a bare '*' host is not allowed (Istio: hostname cannot be wildcard); allowed: a name or '*.domain'";
    if (host.length > 255) return "is longer than 255 characters";
    const labels = (host.startsWith("*.") ? host.slice(2) : host).replace(/\.$/, "").split(".");
    const bad = labels.find((l) => !DNS1123_LABEL.test(l) || l.length > 63);
    if (bad !== undefined) {
        return host.includes("*", host.startsWith("*.") ? 1 : 0)
            ? "a wildcard is only allowed as a whole leading label ('*.domain')"
            : `label "${bad}" is not a lower-case DNS-1123 label of at most 63 characters; allowed: a DNS name, optionally with a leading '*.'`;
    }
    if (/^[0-9]+$/.test(labels[labels.length - 1])) return "the top-level label cannot be all-numeric (IP addresses are not hosts)";
    return undefined;
}

export interface ServiceEntryInput {
    hosts: string[];
    ports: { number: number; name: string; protocol: string }[];
    resolution?: "DNS" | "NONE";
}

export interface Problem {
    path: PropertyKey[];
    message: string;
}

export function serviceEntryProblems(svc: ServiceEntryInput): Problem[] {
    const problems: Problem[] = [];
    const wildcard = svc.hosts.some(isWildcardHost);
    if (svc.hosts.length > MAX_HOSTS) problems.push({ path: ["hosts"], message: `has ${svc.hosts.length} hosts; allowed: at most ${MAX_HOSTS}` });
    if (svc.ports.length > MAX_PORTS) problems.push({ path: ["ports"], message: `has ${svc.ports.length} ports; allowed: at most ${MAX_PORTS}` });
    const firstHost = new Map<string, number>();
    svc.hosts.forEach((host, i) => {
        const problem = hostProblem(host);
        if (problem) problems.push({ path: ["hosts", i], message: problem });
        const key = hostKey(host);
        if (firstHost.has(key)) problems.push({ path: ["hosts", i], message: `duplicate host "${host}" (also at hosts[${firstHost.get(key)}])` });
        else firstHost.set(key, i);
    });
    // Istio: with DNS resolution and no endpoints every host must be an FQDN.
    if (wildcard && svc.resolution === "DNS") {
        problems.push({ path: ["resolution"], message: "wildcard hosts cannot be resolved by DNS (Istio rejects it); allowed: NONE (or leave unset)" });
    }
    const numbers = new Map<number, number>();
    const names = new Map<string, number>();
    svc.ports.forEach((p, i) => {
        if (numbers.has(p.number)) problems.push({ path: ["ports", i, "number"], message: `duplicate port number ${p.number} (also at ports[${numbers.get(p.number)}])` });
        else numbers.set(p.number, i);
        if (names.has(p.name)) problems.push({ path: ["ports", i, "name"], message: `duplicate port name "${p.name}" (also at ports[${names.get(p.name)}])` });
        else names.set(p.name, i);
    });
    // Istio: "multiple hosts provided with non-HTTP, non-TLS ports" unless resolution is NONE (hosts are then ignored).
    const resolution = svc.resolution ?? (wildcard ? "NONE" : "DNS");
    if (svc.hosts.length > 1 && resolution !== "NONE") {
        svc.ports.forEach((p, i) => {
            if (!DIFFERENTIABLE.has(p.protocol.toUpperCase())) {
                problems.push({ path: ["ports", i, "protocol"], message: `${p.protocol} cannot tell ${svc.hosts.length} hosts apart; allowed: an HTTP/gRPC/TLS protocol, one host, or resolution NONE` });
            }
        });
    }
    return problems;
}
