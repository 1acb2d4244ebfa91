/**
 * The endpoints kubelet probes and Prometheus call on an app (health, readiness, metrics): the one default list of
 * paths the apps' OTEL environment excludes from their spans (`telemetry.healthCheckPaths`, overridable per
 * namespace), and the syntax of an entry.
 */

/** Paths without the leading `/`; an entry names one exact path (`health` is `/health`, not `/healthz-report`). */
export const DEFAULT_HEALTH_CHECK_PATHS: readonly string[] = Object.freeze(["health", "ready", "metrics"]);

/**
 * An entry: a URL path, the leading `/` optional, without query string or fragment (a request to it matches with any
 * query string), no whitespace, and no `,` (OTEL_PYTHON_EXCLUDED_URLS is a comma-separated list).
 */
export const HEALTH_PATH = /^\/?[^\s,?#]+$/;

/** The entry as a path with its leading `/`. */
export const healthUrlPath = (entry: string): string => (entry.startsWith("/") ? entry : `/${entry}`);
