/** The label every object this program creates carries, so `kubectl get -l` finds the tracing plane. */
export const PART_OF = Object.freeze({ "app.kubernetes.io/part-of": "eco2-tracing" });
