/** Kubernetes name and label syntax, and the label every object this program creates carries. */

/** A DNS-1123 label: namespace, Service and port names, host name parts (at most 63 characters, checked apart). */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A label key: optional DNS-subdomain prefix and `/`, then a name (also keeps out selector wildcards). */
export const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** A label value (may be empty; at most 63 characters, checked apart). */
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Why a string is not a label key (Kubernetes: prefix at most 253, name at most 63), or undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
    const slash = key.indexOf("/");
    if (LABEL_KEY.test(key) && slash <= 253 && key.length - slash - 1 <= 63) return undefined;
    return `"${key}" is not a label key (Kubernetes); allowed: [DNS prefix (at most 253)/]name (at most 63: alphanumerics, '-', '_', '.')`;
}

/** Why a value is not a label value (Kubernetes), or undefined when it is one. */
export function labelValueProblem(value: unknown): string | undefined {
    if (typeof value === "string" && value.length <= 63 && LABEL_VALUE.test(value)) return undefined;
    return "must be a label value (Kubernetes: at most 63 characters, alphanumerics, '-', '_', '.', starting and ending with an alphanumeric)";
}

/** Carried by every object this program creates, so `kubectl get -l` finds the tracing plane. */
export const PART_OF = Object.freeze({ "app.kubernetes.io/part-of": "eco2-tracing" });
