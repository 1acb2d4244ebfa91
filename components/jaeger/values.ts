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
import type { JaegerArgs, SecretKeyRef } from "./args";
import { jaegerPodLabels, PORTS, STORAGE_PASSWORD_ENV } from "../foundation/topology";
import { GOMEMLIMIT_SHARE } from "../foundation/memory";
import { deepMerge, isPlainObject, sortKeys, Values, parseQuantity } from "../foundation/k8s";
import { SpanPipeline, spanProcessors } from "./span-pipeline";
import { indexCleanerValues } from "./index-cleaner";

/** The chart's probes (jaeger-deploy.yaml): httpGet /status on 13133. */
export const HEALTH_CHECK = Object.freeze({ port: 13133, path: "/status" });
/** The one storage backend name used by the exporter and the query extension. */
export const PRIMARY_STORE = "primary_store";
/** Pod label holding a hash of the userconfig, so a config change rolls the pods. */
export const CONFIG_HASH_LABEL = "eco2-tracing/userconfig-hash";
/** The image runs as this user; the chart's default podSecurityContext uses it too. */
const JAEGER_UID = 10001;

/** The Secret this program creates when the password comes from the Pulumi secret `jaegerStoragePassword`. */
export function storageSecretName(releaseName: string): string {
    return `${releaseName}-storage-credentials`;
}
export const STORAGE_SECRET_KEY = "password";

/**
 * GOMEMLIMIT for a container memory limit (`512Mi` → `409MiB`, whole MiB rounded down), or undefined without one.
 * Without it Go's GC only paces on heap growth and never sees the cgroup limit, so a full in-memory store is
 * OOM-killed instead of collecting harder.
 */
export function goMemLimit(memoryLimit: string | undefined): string | undefined {
    if (memoryLimit === undefined) return undefined;
    const bytes = Math.floor(parseQuantity(memoryLimit) * GOMEMLIMIT_SHARE);
    const mib = Math.floor(bytes / 2 ** 20);
    return mib >= 1 ? `${mib}MiB` : `${bytes}`;
}

/** Volume, directory and file name of the backend's CA certificate (`jaeger.storage.caSecretRef`) in the pod. */
export const STORAGE_CA = Object.freeze({ volume: "storage-ca", dir: "/etc/jaeger/storage-ca", file: "ca.crt" });
const STORAGE_CA_FILE = `${STORAGE_CA.dir}/${STORAGE_CA.file}`;

/** Every listener binds all interfaces: the OTel defaults are localhost, unreachable from the Services and probes. */
const listen = (port: number) => `0.0.0.0:${port}`;

function storageBackend(j: JaegerArgs, hasPassword: boolean): Values {
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
            // OTel configtls: with neither key (config: tlsSystemCAs) Jaeger verifies against the system CAs.
            ...(s.tlsInsecureSkipVerify ? { tls: { insecure_skip_verify: true } } : {}),
            ...(s.caSecretRef ? { tls: { ca_file: STORAGE_CA_FILE } } : {}),
        },
    };
}

/**
 * Jaeger v2 (OpenTelemetry collector) config: OTLP gRPC/HTTP and Zipkin in, one storage backend out, the query UI and
 * the health check the chart's probes use. The upstream Elasticsearch/OpenSearch examples receive OTLP only; Envoy
 * reports Zipkin, so the zipkin receiver is kept in every mode.
 */
export function jaegerUserConfig(j: JaegerArgs, hasPassword: boolean, pipeline: SpanPipeline): Values {
    const { processors, order } = spanProcessors(pipeline);
    return {
        extensions: {
            healthcheckv2: { use_v2: true, http: { endpoint: listen(HEALTH_CHECK.port), status: { enabled: true, path: HEALTH_CHECK.path } } },
            jaeger_query: { grpc: { endpoint: listen(PORTS.queryGrpc) }, http: { endpoint: listen(PORTS.query) }, storage: { traces: PRIMARY_STORE } },
            jaeger_storage: { backends: { [PRIMARY_STORE]: storageBackend(j, hasPassword) } },
        },
        receivers: {
            otlp: { protocols: { grpc: { endpoint: listen(PORTS.otlpGrpc) }, http: { endpoint: listen(PORTS.otlpHttp) } } },
            zipkin: { endpoint: listen(PORTS.zipkin) },
        },
        processors,
        exporters: { jaeger_storage_exporter: { trace_storage: PRIMARY_STORE } },
        service: {
            extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            pipelines: { traces: { receivers: ["otlp", "zipkin"], processors: order, exporters: ["jaeger_storage_exporter"] } },
            telemetry: {
                resource: { "service.name": "jaeger" },
                metrics: { level: "detailed", readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: PORTS.metrics } } } }] },
                logs: { level: "info" },
            },
        },
    };
}

/** Chart lists of named entries that the program fills and a user may extend through helmValues. */
const NAMED_LISTS = ["extraEnv", "extraVolumes", "extraVolumeMounts"] as const;

/** Generated entries first, in order; a user entry with the same `name` takes its place; the others are appended. */
export function mergeByName(generated: readonly Values[], user: readonly unknown[]): unknown[] {
    const out: unknown[] = [...generated];
    for (const entry of user) {
        const name = isPlainObject(entry) ? entry.name : undefined;
        const at = name === undefined ? -1 : out.findIndex((e) => isPlainObject(e) && e.name === name);
        if (at >= 0) out[at] = entry;
        else out.push(entry);
    }
    return out;
}

export function configHash(userconfig: unknown): string {
    return createHash("sha256").update(JSON.stringify(sortKeys(userconfig))).digest("hex").slice(0, 16);
}

/**
 * Replicas on different nodes where the scheduler can: one node drain or failure then takes one replica, not all
 * (preferred, so a small cluster still schedules them; the PodDisruptionBudget bounds voluntary disruptions).
 */
function spreadAcrossNodes(podLabels: Record<string, string>): Values {
    const podAffinityTerm = { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: podLabels } };
    return { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm }] } };
}

/**
 * All chart values: generated from config, `jaeger.helmValues` merged over them, then the config-hash pod label
 * computed from the final userconfig. `password` is where the storage password lives (an existing Secret or the one
 * this program creates); the values only ever reference it.
 */
export function jaegerChartValues(j: JaegerArgs, pipeline: SpanPipeline, password?: SecretKeyRef): Values {
    // Only production has a storage backend to authenticate to.
    const ref = j.mode === "production" ? password : undefined;
    const memLimit = goMemLimit(j.resources.limits.memory);
    const ca = j.mode === "production" ? j.storage?.caSecretRef : undefined;
    const security = {
        podSecurityContext: { runAsNonRoot: true, runAsUser: JAEGER_UID, runAsGroup: JAEGER_UID, fsGroup: JAEGER_UID, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true },
    };
    const generated = {
        // Retention (production): the chart's index-cleaner CronJob on the same backend, prefix and credentials.
        ...indexCleanerValues(j, security, ref),
        jaeger: {
            replicas: j.replicas,
            image: { tag: j.image.tag },
            resources: j.resources,
            // Stateless collectors on shared storage roll one at a time; the chart's default Recreate (kept for the
            // in-memory store, whose traces die with the pod anyway) would drop every span during an upgrade.
            ...(j.mode === "production" ? { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } : {}),
            ...(j.replicas > 1 ? { affinity: spreadAcrossNodes(jaegerPodLabels(j.releaseName)) } : {}),
            extraEnv: [
                ...(memLimit ? [{ name: "GOMEMLIMIT", value: memLimit }] : []),
                ...(ref ? [{ name: STORAGE_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } }] : []),
            ],
            // The tracing backend takes no sidecar: Envoy would trace Jaeger's own traffic, and sidecar-less pods
            // accept the mesh's plaintext span traffic even under STRICT mTLS elsewhere.
            podLabels: { "sidecar.istio.io/inject": "false" },
            ...security,
            // The image declares VOLUME /tmp; with a read-only root it gets an explicit, bounded emptyDir.
            extraVolumes: [
                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                ...(ca ? [{ name: STORAGE_CA.volume, secret: { secretName: ca.name, items: [{ key: ca.key, path: STORAGE_CA.file }] } }] : []),
            ],
            extraVolumeMounts: [
                { name: "tmp", mountPath: "/tmp" },
                ...(ca ? [{ name: STORAGE_CA.volume, mountPath: STORAGE_CA.dir, readOnly: true }] : []),
            ],
            service: { type: "ClusterIP" },
            // Jaeger never calls the Kubernetes API.
            serviceAccount: { automountServiceAccountToken: false },
        },
        userconfig: jaegerUserConfig(j, ref !== undefined, pipeline),
    };
    const merged = deepMerge(generated, j.helmValues as Values);
    const chartJaeger: Values = isPlainObject(merged.jaeger) ? { ...merged.jaeger } : {};
    // Lists the program fills merge by entry name: a user's GOMEMLIMIT or extra volume must not drop the password env
    // (userconfig still references it) or the tmp volume (its mount would remain: an invalid pod).
    const userJaeger = isPlainObject(j.helmValues.jaeger) ? j.helmValues.jaeger : {};
    for (const key of NAMED_LISTS) {
        const user = userJaeger[key];
        if (Array.isArray(user)) chartJaeger[key] = mergeByName(generated.jaeger[key], user);
    }
    const podLabels = isPlainObject(chartJaeger.podLabels) ? chartJaeger.podLabels : {};
    merged.jaeger = { ...chartJaeger, podLabels: { ...podLabels, [CONFIG_HASH_LABEL]: configHash(merged.userconfig) } };
    return sortKeys(merged);
}
