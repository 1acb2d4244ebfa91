/**
 * The tail-mode traffic the e2e suites send (tail-sampling.e2e.ts to one Jaeger, collector-tier.e2e.ts through the
 * routers): 1,000 Eco²-shaped traces with a known mix of kinds, and the binomial band the kept ordinary ones must fall in.
 */
import { createHash } from "crypto";
import { eco2Trace, Eco2Trace, otlpBody, post, str } from "./eco2-trace";

export const TAIL = {
    enabled: true, probabilisticPercent: 10, latencyThresholdMs: 1000, alwaysSampleServices: ["payment.my"], decisionWaitSeconds: 2,
};
export const MIX = { error: 100, slow: 100, payment: 100, ordinary: 700 } as const;
export type Kind = keyof typeof MIX;
export const PAYMENT = { name: "payment", namespace: "my" };
export const AUTHORIZATION = "http.request.header.authorization";
export const STATEMENT = "db.statement";
const BATCH = 250;

export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
/** Binomial n·p ± 4σ: the chance that a correct sampler falls outside is about 6 in 100,000. */
export function binomialBand(n: number, percent: number): { low: number; high: number; mean: number; sigma: number } {
    const p = percent / 100;
    const mean = n * p;
    const sigma = Math.sqrt(n * p * (1 - p));
    return { low: Math.ceil(mean - 4 * sigma), high: Math.floor(mean + 4 * sigma), mean, sigma };
}

export interface Sent extends Eco2Trace {
    kind: Kind;
    secrets: { authorization: string; statement: string };
}

export function traffic(environment: string): Sent[] {
    const now = Date.now() * 1000;
    const kinds = (Object.keys(MIX) as Kind[]).flatMap((k) => Array<Kind>(MIX[k]).fill(k));
    // Interleaved, so every batch mixes kinds as real traffic would.
    const order = kinds.map((k, i) => ({ k, key: (i * 7919) % kinds.length })).sort((a, b) => a.key - b.key).map((x) => x.k);
    return order.map((kind, i) => {
        const secrets = {
            authorization: `Bearer eyJhbGciOiJIUzI1NiJ9.user-${i}.sig`,
            statement: `SELECT id, name FROM users WHERE id = ${i}`,
        };
        const trace = eco2Trace(i, now + i, environment, {
            app: kind === "payment" ? PAYMENT : undefined,
            error: kind === "error",
            durationMicros: kind === "slow" ? 1_500_000 : undefined,
            appAttributes: [str(AUTHORIZATION, secrets.authorization), str(STATEMENT, secrets.statement)],
        });
        return { ...trace, kind, secrets };
    });
}

/** Per batch: the sidecars' Zipkin spans to one address, the apps' OTLP spans (one request per app) to another. */
export async function send(to: { zipkin: string; otlpHttp: string }, traces: Sent[], env: Record<string, string>): Promise<void> {
    for (let n = 0; n < traces.length; n += BATCH) {
        const batch = traces.slice(n, n + BATCH);
        await post(`${to.zipkin}/api/v2/spans`, batch.flatMap((t) => t.zipkin), 202);
        for (const app of ["auth-api", PAYMENT.name]) {
            const spans = batch.filter((t) => (t.kind === "payment") === (app === PAYMENT.name)).flatMap((t) => t.otlp);
            if (spans.length > 0) await post(`${to.otlpHttp}/v1/traces`, otlpBody(spans, env, app), 200);
        }
    }
}

