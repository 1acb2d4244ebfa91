/**
 * Span and resource attribute names and values the plane agrees on: the mesh's span tags, the apps' OTEL
 * environment, the collector's sampler and the smoke workload all use these, so one Jaeger tag search finds both
 * sidecar and app spans.
 */

/**
 * The environment attribute of OTel semantic conventions 1.27+ (`deployment.environment` is deprecated): the apps'
 * resource attribute and the sidecars' span tag (Telemetry customTags) use this one key.
 */
export const ENVIRONMENT_ATTRIBUTE = "deployment.environment.name";

/** The resource attribute Jaeger shows as the service; the tail sampler's always-sampled services are matched on it. */
export const SERVICE_NAME_ATTRIBUTE = "service.name";

/** The smoke workload's service name: its spans carry it, and tail sampling always keeps its trace. */
export const SMOKE_SERVICE = "tracing-smoke-test";
