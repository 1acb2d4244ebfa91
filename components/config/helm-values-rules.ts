/**
 * What `jaeger.helmValues` (the escape hatch deep-merged over the generated chart values) must not do: break what
 * the typed keys guarantee — the Services' selectors, an in-cluster UI, a running Jaeger workload, and no
 * credential in clear. Problems are zod issues with the path under `helmValues`; `params.redact` keeps the value
 * out of the message (components/config/index.ts).
 */
import type { z } from "zod";
import { jaegerPodLabels, STORAGE_PASSWORD_ENV } from "../foundation/topology";
import { labelKeyProblem, labelValueProblem, isPlainObject, Values } from "../foundation/k8s";

/** The pod labels the jaeger-*-clusterip Services select on. */
const SELECTOR_KEYS = Object.keys(jaegerPodLabels("release"));
/** Env names that carry credentials. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|CREDENTIALS?|PRIVATE_?KEY)/i;
/** Values that are credentials whatever the name: a URL with user:password@, an Authorization header value. */
const SECRET_VALUE = [/:\/\/[^/\s:@]+:[^/\s@]+@/, /^(Bearer|Basic)\s+\S+/i];
/** Jaeger/OTel config references (`${env:X}`, `${file:...}`) are not values. */
const REFERENCE = /^\$\{[a-z]+:[^}]+\}$/;

const RELEASE_SECRET = "the value would be stored in clear in the Helm release, the Pulumi state and the pod spec";

type Path = (string | number)[];

function credentialPaths(value: unknown, path: Path, out: Path[]): void {
    if (Array.isArray(value)) value.forEach((v, i) => credentialPaths(v, [...path, i], out));
    else if (isPlainObject(value)) {
        for (const [k, v] of Object.entries(value)) {
            if (typeof v === "string" && /(password|passwd)$/i.test(k) && !REFERENCE.test(v)) out.push([...path, k]);
            else credentialPaths(v, [...path, k], out);
        }
    }
}

export function helmValuesGuardRails(values: Record<string, unknown>, ctx: z.RefinementCtx): void {
    const issue = (path: Path, message: string, redact = false) => ctx.addIssue({ code: "custom", path, message, ...(redact ? { params: { redact } } : {}) });
    if ("nameOverride" in values) {
        issue(["nameOverride"], "renames the chart's pod label app.kubernetes.io/name, so the jaeger-*-clusterip selectors would match " +
            "no pod; allowed: unset");
    }
    const allInOne = isPlainObject(values.allInOne) ? values.allInOne : {};
    if (allInOne.enabled !== undefined && allInOne.enabled !== true) {
        issue(["allInOne", "enabled"], "turns off the chart's Jaeger workload, so the jaeger-*-clusterip Services would select no pod; " +
            "allowed: unset or true (mode selects the deployment)");
    }
    const chartJaeger: Values = isPlainObject(values.jaeger) ? values.jaeger : {};
    const type = isPlainObject(chartJaeger.service) ? chartJaeger.service.type : undefined;
    if (type !== undefined && type !== "ClusterIP") {
        issue(["jaeger", "service", "type"], "the Jaeger UI and collector stay in-cluster; allowed: ClusterIP (never LoadBalancer or " +
            "NodePort)");
    }
    if (isPlainObject(chartJaeger.podLabels)) {
        for (const [key, v] of Object.entries(chartJaeger.podLabels)) {
            const path = ["jaeger", "podLabels", key];
            if (SELECTOR_KEYS.includes(key)) issue(path, `the jaeger-*-clusterip Services select on ${SELECTOR_KEYS.join(", ")}, which ` +
                `the chart sets; allowed: other label keys`);
            else {
                const problem = labelKeyProblem(key) ?? labelValueProblem(v);
                if (problem) issue(path, problem);
            }
        }
    }
    const env = Array.isArray(chartJaeger.extraEnv) ? chartJaeger.extraEnv : [];
    env.forEach((entry, i) => {
        if (!isPlainObject(entry) || typeof entry.value !== "string") return;
        const name = String(entry.name ?? "");
        const looksSecret = SECRET_NAME.test(name) || SECRET_VALUE.some((re) => re.test(entry.value as string));
        if (!looksSecret) return;
        const allowed = name === STORAGE_PASSWORD_ENV
            ? "jaeger.storage.passwordSecretRef or the Pulumi secret jaegerStoragePassword"
            : "valueFrom.secretKeyRef naming a Kubernetes Secret";
        issue(["jaeger", "extraEnv", i, "value"], `${name} looks like a credential and ${RELEASE_SECRET}; allowed: ${allowed}`, true);
    });
    const found: Path[] = [];
    credentialPaths(values, [], found);
    for (const path of found) issue(path, `a literal password: ${RELEASE_SECRET}; allowed: a \${env:${STORAGE_PASSWORD_ENV}} reference ` +
        `(jaeger.storage.passwordSecretRef or the Pulumi secret jaegerStoragePassword)`, true);
}
