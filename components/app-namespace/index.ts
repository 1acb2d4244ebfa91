/**
 * What app teams import from this project: `instrumentedDeployment()` (a Deployment wired to the namespace's
 * `otel-tracing-env` ConfigMap, its OTLP exports kept out of the sidecar) and the names it relies on. The
 * `AppNamespace` component itself is this stack's (index.ts) and not part of this face.
 */
export { instrumentedDeployment, podAnnotations, EXCLUDE_OUTBOUND_PORTS } from "./instrumented-deployment";
export type { InstrumentedDeploymentArgs, Container, EnvVar } from "./instrumented-deployment";
export { OTEL_CONFIG_MAP_NAME, OTEL_ENV_CHECKSUM_ANNOTATION, OTEL_PROPAGATORS, otelEnvChecksum } from "./otel-env";
