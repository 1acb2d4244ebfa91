/**
 * Just enough of an Elasticsearch for Jaeger's startup (version probe, index templates) behind TLS with a
 * certificate from a throwaway CA, like the Elastic chart's self-signed one. It records the Authorization headers it
 * receives, so a test can see the password Jaeger sent. Kept only for TLS and basic auth, which the real OpenSearch
 * here cannot serve (its security plugin is not on Maven Central); storage itself is tested on the real node
 * (jaeger-opensearch.e2e.ts).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import type { AddressInfo } from "net";
import * as path from "path";

export interface Pki {
    /** PEM of the CA that signed the server certificate. */
    caFile: string;
    /** PEM of another CA, which did not. */
    otherCaFile: string;
    key: string;
    cert: string;
}

/** A CA, a second unrelated CA, and a `localhost` server certificate signed by the first (openssl). */
export function makePki(dir: string): Pki {
    const f = (name: string) => path.join(dir, name);
    const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
    for (const ca of ["ca", "other-ca"]) {
        ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=e2e ${ca}`, "-keyout", f(`${ca}.key`), "-out", f(`${ca}.crt`));
    }
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", f("server.key"), "-out", f("server.csr"));
    fs.writeFileSync(f("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    ssl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-days", "1", "-extfile", f("san.ext"), "-out", f("server.crt"));
    return { caFile: f("ca.crt"), otherCaFile: f("other-ca.crt"), key: fs.readFileSync(f("server.key"), "utf8"), cert: fs.readFileSync(f("server.crt"), "utf8") };
}

export interface FakeElasticsearch {
    url: string;
    authorizations: string[];
    close(): Promise<void>;
}

export async function startFakeElasticsearch(pki: Pki): Promise<FakeElasticsearch> {
    const authorizations: string[] = [];
    const server = https.createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
        authorizations.push(req.headers.authorization ?? "");
        req.resume();
        res.setHeader("content-type", "application/json");
        res.setHeader("x-elastic-product", "Elasticsearch");
        if (req.method === "GET" && (req.url === "/" || req.url?.startsWith("/?"))) {
            res.end(JSON.stringify({ name: "es-0", cluster_name: "e2e", version: { number: "8.15.0", build_flavor: "default" }, tagline: "You Know, for Search" }));
        } else {
            res.end(JSON.stringify({ acknowledged: true }));
        }
    });
    server.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `https://localhost:${port}`, authorizations, close: () => new Promise((r) => server.close(() => r())) };
}
