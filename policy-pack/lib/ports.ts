/**
 * The Jaeger pods' ports the pack checks, written once here: the pack is self-contained (it never imports the
 * program), so these copy components/foundation/topology.ts's PORTS, and test/policy-pack/pack.test.ts keeps them equal.
 */
export const JAEGER_PORTS = Object.freeze({ zipkin: 9411, otlpGrpc: 4317, otlpHttp: 4318, queryGrpc: 16685, query: 16686 });
