/** What the Jaeger tests share: the chart's own labels, the expected userconfig sections, readers of the release's values. */
import * as assert from "assert";
import * as YAML from "yaml";
import { MockRun } from "../../../tools/mock-runtime";
import { CONFIG_HASH_LABEL } from "../../../components/jaeger/values";
import { one } from "../../helpers";

export const RELEASE = "kubernetes:helm.sh/v3:Release";
export const SERVICE = "kubernetes:core/v1:Service";
export const SECRET = "kubernetes:core/v1:Secret";

/**
 * The labels chart 4.11.1 puts on its pods, written out from its templates (_helpers.tpl `jaeger.selectorLabels`
 * plus `app.kubernetes.io/component: all-in-one` in jaeger-deploy.yaml; the same Deployment in every mode), kept
 * independent of components/foundation/topology.ts so a drift there fails here.
 */
export const chartPodLabels = (release: string) => ({
    "app.kubernetes.io/component": "all-in-one",
    "app.kubernetes.io/instance": release,
    "app.kubernetes.io/name": "jaeger",
});

export const PROD_JAEGER = {
    mode: "production",
    replicas: 2,
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
    storage: { type: "elasticsearch", serverUrls: ["https://elasticsearch-master.logging.svc.cluster.local:9200"], username: "jaeger", indexPrefix: "eco2-jaeger", tlsSystemCAs: true },
};

export const release = (run: MockRun) => one(run, RELEASE, "jaeger-release");
export const values = (run: MockRun) => release(run).inputs.values;
/** What the chart does with `userconfig` (toYaml into the ConfigMap), and what Jaeger reads back. */
export const userconfigFile = (run: MockRun) => YAML.parse(YAML.stringify(values(run).userconfig));

export const HEALTH = { use_v2: true, http: { endpoint: "0.0.0.0:13133", status: { enabled: true, path: "/status" } } };
export const RECEIVERS = {
    otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } } },
    zipkin: { endpoint: "0.0.0.0:9411" },
};
export const SERVICE_SECTION = {
    extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
    pipelines: { traces: { exporters: ["jaeger_storage_exporter"], processors: ["memory_limiter", "attributes/scrub", "batch"], receivers: ["otlp", "zipkin"] } },
    telemetry: {
        logs: { level: "info" },
        metrics: { level: "detailed", readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: 8888 } } } }] },
        resource: { "service.name": "jaeger" },
    },
};
export const userconfigWith = (backend: unknown) => ({
    exporters: { jaeger_storage_exporter: { trace_storage: "primary_store" } },
    extensions: {
        healthcheckv2: HEALTH,
        jaeger_query: { grpc: { endpoint: "0.0.0.0:16685" }, http: { endpoint: "0.0.0.0:16686" }, storage: { traces: "primary_store" } },
        jaeger_storage: { backends: { primary_store: backend } },
    },
    // The default scrubbing (config scrubAttributes), in head mode too.
    processors: {
        "attributes/scrub": SCRUB,
        batch: {},
        memory_limiter: MEMORY_LIMITER,
    },
    receivers: RECEIVERS,
    service: SERVICE_SECTION,
});

/** Refuses spans above 80 % of the container limit (GOMEMLIMIT's share), in every mode. */
/** The default scrubbing as the attributes processor runs it: stripQuery is extract, update from it, drop the holder. */
const stripQuery = (key: string) => [
    { action: "extract", key, pattern: "^(?P<eco2_scrub_without_query>[^?#]*)" },
    { action: "update", from_attribute: "eco2_scrub_without_query", key },
    { action: "delete", key: "eco2_scrub_without_query" },
];
export const SCRUB = {
    actions: [
        { action: "hash", key: "db.query.text" },
        { action: "hash", key: "db.statement" },
        { action: "delete", key: "http.request.header.authorization" },
        ...stripQuery("http.url"),
        ...stripQuery("url.full"),
        { action: "delete", key: "url.query" },
    ],
};

export const MEMORY_LIMITER = { check_interval: "1s", limit_percentage: 90, spike_limit_percentage: 10 };

export const HARDENED = {
    extraVolumeMounts: [{ mountPath: "/tmp", name: "tmp" }],
    extraVolumes: [{ emptyDir: { sizeLimit: "64Mi" }, name: "tmp" }],
    podSecurityContext: { fsGroup: 10001, runAsGroup: 10001, runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true },
    service: { type: "ClusterIP" },
    serviceAccount: { automountServiceAccountToken: false },
};

/** `values.jaeger` without the config-hash label, which is checked on its own. */
export function chartJaeger(run: MockRun) {
    const { podLabels, ...rest } = values(run).jaeger;
    assert.match(podLabels[CONFIG_HASH_LABEL], /^[0-9a-f]{16}$/);
    const { [CONFIG_HASH_LABEL]: _hash, ...labels } = podLabels;
    return { ...rest, podLabels: labels };
}

export function assertServices(run: MockRun, releaseName: string) {
    const collector = one(run, SERVICE, "jaeger-collector-clusterip").inputs;
    const query = one(run, SERVICE, "jaeger-query-clusterip").inputs;
    assert.strictEqual(collector.metadata.name, "jaeger-collector-clusterip");
    assert.strictEqual(query.metadata.name, "jaeger-query-clusterip");
    for (const svc of [collector, query]) {
        assert.strictEqual(svc.metadata.namespace, "istio-system");
        assert.strictEqual(svc.spec.type, "ClusterIP");
        assert.strictEqual(svc.spec.clusterIP, undefined, "never headless");
        assert.deepStrictEqual(svc.spec.selector, chartPodLabels(releaseName));
    }
    assert.deepStrictEqual(collector.spec.ports, [
        { appProtocol: "http", name: "http-zipkin", port: 9411, protocol: "TCP", targetPort: 9411 },
        { appProtocol: "grpc", name: "grpc-otlp", port: 4317, protocol: "TCP", targetPort: 4317 },
        { appProtocol: "http", name: "http-otlp", port: 4318, protocol: "TCP", targetPort: 4318 },
    ]);
    assert.deepStrictEqual(query.spec.ports, [
        { appProtocol: "http", name: "http-query", port: 16686, protocol: "TCP", targetPort: 16686 },
        { appProtocol: "grpc", name: "grpc-query", port: 16685, protocol: "TCP", targetPort: 16685 },
    ]);
}

export function findNull(value: unknown, path = "values"): string | undefined {
    if (value === null) return path;
    if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            const found = findNull(v, `${path}.${k}`);
            if (found) return found;
        }
    }
    return undefined;
}

/** The Deployment's pod as chart 4.11.1 builds it from these values (jaeger-deploy.yaml), for schema validation. */
export function podFromValues(v: any) {
    return {
        apiVersion: "v1" as const,
        kind: "Pod" as const,
        metadata: { name: "jaeger", labels: { ...v.jaeger.podLabels, ...chartPodLabels("jaeger") } },
        spec: {
            securityContext: v.jaeger.podSecurityContext,
            automountServiceAccountToken: v.jaeger.serviceAccount.automountServiceAccountToken,
            containers: [{
                name: "jaeger",
                // _helpers.tpl "jaeger.image": the values' tag, else the chart's appVersion.
                image: `jaegertracing/jaeger:${v.jaeger.image?.tag || "2.19.0"}`,
                env: v.jaeger.extraEnv,
                securityContext: v.jaeger.securityContext,
                resources: v.jaeger.resources,
                volumeMounts: [{ name: "user-config", mountPath: "/etc/jaeger/user-config.yaml", subPath: "user-config.yaml" }, ...v.jaeger.extraVolumeMounts],
            }],
            volumes: [{ name: "user-config", configMap: { name: "user-config" } }, ...v.jaeger.extraVolumes],
        },
    };
}
