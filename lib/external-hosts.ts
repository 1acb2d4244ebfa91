/**
 * What Istio's ServiceEntry validation enforces (pilot/pkg/config/validation and the CRD's CEL rules), checked at
 * config time so a bad entry fails `pulumi preview` instead of being rejected by the API server mid-update.
 */

export const isWildcardHost = (host: string): boolean => host.startsWith("*");

const HOSTNAME = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Protocols whose requests Envoy can tell apart by Host/SNI, so several hosts may share a port. */
const DIFFERENTIABLE = new Set(["HTTP", "HTTPS", "GRPC", "HTTP2", "TLS"]);

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
    svc.hosts.forEach((host, i) => {
        if (host === "*") problems.push({ path: ["hosts", i], message: "a bare '*' host is not allowed (Istio: hostname cannot be wildcard); allowed: a name or '*.domain'" });
        else if (!HOSTNAME.test(host)) problems.push({ path: ["hosts", i], message: "must be a lower-case DNS name, optionally with a leading '*.' wildcard" });
    });
    const firstHost = new Map<string, number>();
    svc.hosts.forEach((host, i) => {
        if (firstHost.has(host)) problems.push({ path: ["hosts", i], message: `duplicate host "${host}"` });
        else firstHost.set(host, i);
    });
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
    const resolution = svc.resolution ?? (wildcard ? "NONE" : "DNS");
    if (svc.hosts.length > 1 && resolution !== "NONE") {
        svc.ports.forEach((p, i) => {
            if (!DIFFERENTIABLE.has(p.protocol)) {
                problems.push({ path: ["ports", i, "protocol"], message: `${p.protocol} cannot tell ${svc.hosts.length} hosts apart; allowed: HTTP/TLS protocols, one host, or resolution NONE` });
            }
        });
    }
    return problems;
}
