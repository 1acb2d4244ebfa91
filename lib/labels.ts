/** Kubernetes name and label syntax, and the label every object this program creates carries. */

/** A DNS-1123 label: namespace, Service and port names, host name parts (at most 63 characters, checked apart). */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A label key: optional DNS-subdomain prefix and `/`, then a name (also keeps out selector wildcards). */
export const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** A label value (may be empty; at most 63 characters, checked apart). */
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Carried by every object this program creates, so `kubectl get -l` finds the tracing plane. */
export const PART_OF = Object.freeze({ "app.kubernetes.io/part-of": "eco2-tracing" });
