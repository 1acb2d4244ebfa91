/**
 * The values handed to the official jaeger chart (4.x, Jaeger v2), generated from stack config. Pure: no Pulumi.
 *
 * Facts taken from the chart's templates at jaeger-4.11.1 (templates/jaeger/jaeger-deploy.yaml, jaeger-user-config.yaml):
 * - `userconfig` is the only place storage and receivers are configured; the chart renders it with `toYaml` into the
 *   ConfigMap `user-config` and passes it as `--config`, replacing Jaeger's built-in config entirely. It must be a map:
 *   a YAML string would be rendered as a block scalar and Jaeger would fail to parse its config.
 * - The liveness/readiness probes GET `/status` on 13133, so the healthcheckv2 extension must serve exactly that.
 * - `jaeger.{replicas,resources,extraEnv,podLabels,podSecurityContext,securityContext,extraVolumes,extraVolumeMounts,
 *   strategy,service.type,serviceAccount.automountServiceAccountToken}` are read by the templates.
 * - The pod template carries no checksum of the ConfigMap, so a config change alone would not restart Jaeger.
 */
import { createHash } from "crypto";
import type { JaegerConfig } from "./config";
import { PORTS } from "./jaeger-topology";
import { deepMerge, isPlainObject, sortKeys, Values } from "./objects";

/** The chart's probes (jaeger-deploy.yaml): httpGet /status on 13133. */
export const HEALTH_CHECK = Object.freeze({ port: 13133, path: "/status" });
/** The chart annotates pods with prometheus.io/port 8888. */
export const METRICS_PORT = 8888;
/** The one storage backend name used by the exporter and the query extension. */
export const PRIMARY_STORE = "primary_store";
/** Container env var carrying the storage password; userconfig only holds a `${env:...}` reference to it. */
export const STORAGE_PASSWORD_ENV = "STORAGE_PASSWORD";
/** Pod label holding a hash of the userconfig, so a config change rolls the pods. */
export const CONFIG_HASH_LABEL = "eco2-tracing/userconfig-hash";
/** The image runs as this user; the chart's default podSecurityContext uses it too. */
const JAEGER_UID = 10001;

export interface SecretKeyRef {
    name: string;
    key: string;
}


/** The Secret this program creates when the password comes from the Pulumi secret `jaegerStoragePassword`. */
export function storageSecretName(releaseName: string): string {
    return `${releaseName}-storage-credentials`;
}
export const STORAGE_SECRET_KEY = "password";

/** Every listener binds all interfaces: the OTel defaults are localhost, unreachable from the Services and probes. */
const listen = (port: number) => `0.0.0.0:${port}`;

function storageBackend(j: JaegerConfig, hasPassword: boolean): Values {
    if (j.mode === "allInOne" || !j.storage) return { memory: { max_traces: j.memory.maxTraces } };
    const s = j.storage;
    const basic: Values = {};
    if (s.username) basic.username = s.username;
    if (hasPassword) basic.password = `\${env:${STORAGE_PASSWORD_ENV}}`;
    return {
        [s.type]: {
            server_urls: [...s.serverUrls],
            indices: { index_prefix: s.indexPrefix },
            ...(Object.keys(basic).length > 0 ? { auth: { basic } } : {}),
            ...(s.tlsInsecureSkipVerify ? { tls: { insecure_skip_verify: true } } : {}),
        },
    };
}

/**
 * Jaeger v2 (OpenTelemetry collector) config: OTLP gRPC/HTTP and Zipkin in, one storage backend out, the query UI and
 * the health check the chart's probes use. The upstream Elasticsearch/OpenSearch examples receive OTLP only; Envoy
 * reports Zipkin, so the zipkin receiver is kept in every mode.
 */
export function jaegerUserConfig(j: JaegerConfig, hasPassword: boolean): Values {
    return {
        extensions: {
            healthcheckv2: { use_v2: true, http: { endpoint: listen(HEALTH_CHECK.port), status: { enabled: true, path: HEALTH_CHECK.path } } },
            jaeger_query: { http: { endpoint: listen(PORTS.query) }, storage: { traces: PRIMARY_STORE } },
            jaeger_storage: { backends: { [PRIMARY_STORE]: storageBackend(j, hasPassword) } },
        },
        receivers: {
            otlp: { protocols: { grpc: { endpoint: listen(PORTS.otlpGrpc) }, http: { endpoint: listen(PORTS.otlpHttp) } } },
            zipkin: { endpoint: listen(PORTS.zipkin) },
        },
        // `{}` rather than null: Helm deletes null-valued keys, which would drop the processor the pipeline names.
        processors: { batch: {} },
        exporters: { jaeger_storage_exporter: { trace_storage: PRIMARY_STORE } },
        service: {
            extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            pipelines: { traces: { receivers: ["otlp", "zipkin"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] } },
            telemetry: {
                resource: { "service.name": "jaeger" },
                metrics: { level: "detailed", readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: METRICS_PORT } } } }] },
                logs: { level: "info" },
            },
        },
    };
}

export function configHash(userconfig: unknown): string {
    return createHash("sha256").update(JSON.stringify(sortKeys(userconfig))).digest("hex").slice(0, 16);
}

/**
 * All chart values: generated from config, `jaeger.helmValues` merged over them, then the config-hash pod label
 * computed from the final userconfig. `password` is where the storage password lives (an existing Secret or the one
 * this program creates); the values only ever reference it.
 */
export function jaegerChartValues(j: JaegerConfig, password?: SecretKeyRef): Values {
    // Only production has a storage backend to authenticate to.
    const ref = j.mode === "production" ? password : undefined;
    const generated: Values = {
        jaeger: {
            replicas: j.replicas,
            resources: j.resources,
            // Stateless collectors on shared storage roll one at a time; the chart's default Recreate (kept for the
            // in-memory store, whose traces die with the pod anyway) would drop every span during an upgrade.
            ...(j.mode === "production" ? { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } : {}),
            extraEnv: ref ? [{ name: STORAGE_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } }] : [],
            // The tracing backend takes no sidecar: Envoy would trace Jaeger's own traffic, and sidecar-less pods
            // accept the mesh's plaintext span traffic even under STRICT mTLS elsewhere.
            podLabels: { "sidecar.istio.io/inject": "false" },
            podSecurityContext: { runAsNonRoot: true, runAsUser: JAEGER_UID, runAsGroup: JAEGER_UID, fsGroup: JAEGER_UID, seccompProfile: { type: "RuntimeDefault" } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true },
            // The image declares VOLUME /tmp; with a read-only root it gets an explicit, bounded emptyDir.
            extraVolumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
            extraVolumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            service: { type: "ClusterIP" },
            // Jaeger never calls the Kubernetes API.
            serviceAccount: { automountServiceAccountToken: false },
        },
        userconfig: jaegerUserConfig(j, ref !== undefined),
    };
    const merged = deepMerge(generated, j.helmValues as Values);
    const chartJaeger = isPlainObject(merged.jaeger) ? merged.jaeger : {};
    const podLabels = isPlainObject(chartJaeger.podLabels) ? chartJaeger.podLabels : {};
    merged.jaeger = { ...chartJaeger, podLabels: { ...podLabels, [CONFIG_HASH_LABEL]: configHash(merged.userconfig) } };
    return sortKeys(merged);
}
