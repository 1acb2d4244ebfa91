/**
 * The config rules about what gets sampled, in the two modes (run by components/config/rules.ts):
 * - head sampling (default): the mesh keeps `sampling` % of requests, decided where a trace starts;
 * - tail sampling (`tailSampling.enabled`): the mesh sends every request and Jaeger's tail_sampling processor keeps
 *   errors, slow traces, the listed services and `tailSampling.probabilisticPercent` % of the rest.
 * Each rule names the keys that disagree, so a stack file cannot mix the two.
 */
import type { RawConfig, RuleContext } from "./schema";
import { isPlainObject } from "../foundation/k8s";

/** What prod keeps of ordinary requests, in either mode (inclusive); the policy pack's prod.json says the same. */
export const PROD_SAMPLING_RANGE = Object.freeze({ min: 1, max: 10 });

/** The mesh rate a stack runs at: 100 in tail mode, else `sampling` or the environment's default. */
export function samplingPercentOf(c: Pick<Partial<RawConfig>, "environment" | "sampling" | "tailSampling">): number {
    if (c.tailSampling?.enabled) return 100;
    return c.sampling ?? (c.environment === "dev" ? 100 : PROD_SAMPLING_RANGE.min);
}

/** The percentage of ordinary traces kept in tail mode (`tailSampling.probabilisticPercent`): as configured, else the head-mode default of the environment. */
export function probabilisticPercentOf(c: Pick<Partial<RawConfig>, "environment" | "tailSampling">): number {
    return c.tailSampling?.probabilisticPercent ?? (c.environment === "dev" ? 100 : PROD_SAMPLING_RANGE.min);
}

const inProdRange = (v: number) => v >= PROD_SAMPLING_RANGE.min && v <= PROD_SAMPLING_RANGE.max;
const PROD_RANGE_TEXT = `${PROD_SAMPLING_RANGE.min}–${PROD_SAMPLING_RANGE.max} %`;
const TAIL_README = 'README "Sampling: head or tail"';

export function samplingRules(c: Partial<RawConfig>, ctx: RuleContext): void {
    if (c.tailSampling?.enabled) tailModeRules(c, ctx);
    else headModeRules(c, ctx);
}

function tailModeRules(c: Partial<RawConfig>, { add }: RuleContext): void {
    const prod = c.environment === "prod";
    if (c.sampling !== undefined && c.sampling !== 100) {
        add(["sampling"], `tail sampling needs every request from the mesh: the sampler only sees what the mesh samples, so at ${c.sampling} % it would keep ${c.sampling} % of the errors too; allowed: unset or 100 with tailSampling.enabled (the percentage of ordinary traces kept is tailSampling.probabilisticPercent)`);
    }
    const probabilisticPercent = c.tailSampling?.probabilisticPercent;
    if (prod && probabilisticPercent !== undefined && !inProdRange(probabilisticPercent)) add(["tailSampling", "probabilisticPercent"], `prod keeps ${PROD_RANGE_TEXT} of ordinary traces (inclusive)`);
    (c.telemetry?.workloadOverrides ?? []).forEach((w, i) => {
        if (!w) return;
        add(["telemetry", "workloadOverrides", i], `tail sampling: the mesh sends every request, and a workload rate below 100 % would drop that workload's errors before the sampler sees them; allowed: no workload overrides with tailSampling.enabled (keep a service's traces with tailSampling.alwaysSampleServices)`);
    });
    // Without the router tier, one sampler replica (README): each replica would decide on the part of a trace the
    // Service sent it. With it, the routers send every span of a trace to one replica, so replicas may grow.
    if (c.tailSampling?.routerReplicas !== undefined) return;
    const single = "tail sampling decides per trace in one process, and the collector Service spreads a trace's spans over the " +
        "replicas (one decision per fragment: split and lost traces); allowed: 1 with tailSampling.enabled, or more with " +
        `tailSampling.routerReplicas (the router tier sends a trace's spans to one replica) (${TAIL_README})`;
    if (c.jaeger?.replicas !== undefined && c.jaeger.replicas > 1) add(["jaeger", "replicas"], single);
    const chartJaeger = isPlainObject(c.jaeger?.helmValues?.jaeger) ? c.jaeger.helmValues.jaeger : {};
    if (chartJaeger.replicas !== undefined && chartJaeger.replicas !== 1) add(["jaeger", "helmValues", "jaeger", "replicas"], single);
}

function headModeRules(c: Partial<RawConfig>, { add, warn }: RuleContext): void {
    if (c.environment === "prod" && c.sampling !== undefined && !inProdRange(c.sampling)) {
        add(["sampling"], `prod samples ${PROD_RANGE_TEXT} of requests (inclusive)${c.sampling === 100 ? "; the mesh sends every request only for tail sampling (tailSampling.enabled: true)" : ""}`);
    }
    const onlyTail = "is only read with tailSampling.enabled: true (head sampling keeps `sampling` % of requests, decided where they start); allowed: unset, or tailSampling.enabled: true";
    if (c.tailSampling?.probabilisticPercent !== undefined) add(["tailSampling", "probabilisticPercent"], onlyTail);
    if ((c.tailSampling?.alwaysSampleServices ?? []).length > 0) add(["tailSampling", "alwaysSampleServices"], onlyTail);
    if (c.tailSampling?.routerReplicas !== undefined) {
        add(["tailSampling", "routerReplicas"], "routes spans by trace ID for tail sampling, which is off (head sampling needs no " +
            "router tier: any Jaeger replica can store any span); allowed: unset, or tailSampling.enabled: true");
    }
    // Envoy follows the decision a request carries (x-b3-sampled) and applies its own rate only where none was made,
    // so an override above the mesh rate on a workload reached through the gateway changes almost nothing.
    const mesh = samplingPercentOf(c);
    (c.telemetry?.workloadOverrides ?? []).forEach((w, i) => {
        if (!w || w.traceRoot || w.sampling <= mesh) return;
        warn(["telemetry", "workloadOverrides", i, "sampling"], `is above the mesh rate ${mesh} %, but a sidecar follows the sampling decision a request already carries (x-b3-sampled, made where the trace started), so requests reaching ${w.namespace}/${w.name} through a sampled hop are still traced at ${mesh} %; set traceRoot: true if this workload is where its traces start, or use tailSampling.alwaysSampleServices to keep its traces (${TAIL_README})`);
    });
}
