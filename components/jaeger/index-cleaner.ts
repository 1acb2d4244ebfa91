/**
 * Retention for mode `production`: the chart's `esIndexCleaner` CronJob (jaeger-4.11.1
 * templates/es-maintenance/es-index-cleaner-cronjob.yaml) deletes the daily span and service indices older than
 * `storage.retentionDays`; without it they grow until the cluster goes read-only. Pure: no Pulumi.
 *
 * The cleaner is Jaeger's `es-index-cleaner` of the same release as the collector (cmd/es-index-cleaner in the Jaeger
 * module), reading its flags from the environment (viper, `.`/`-` → `_`): INDEX_PREFIX, ES_USERNAME, ES_PASSWORD,
 * ES_TLS_ENABLED, ES_TLS_CA, ES_TLS_SKIP_HOST_VERIFY. The chart passes `storage.elasticsearch.url` as its argument
 * and sets credentials only from clear-text values, so the password and the CA come in as our own env and mount.
 */
import type { JaegerArgs, SecretKeyRef } from "./args";
import type { Values } from "../foundation/k8s";

/** Where the cleaner's pod mounts the backend's CA Secret. */
const CLEANER_CA_DIR = "/etc/jaeger/storage-ca";
/** Nightly, before the day's index rolls over (the chart's own default time). */
export const CLEANER_SCHEDULE = "55 23 * * *";

/** The pod and container security contexts of the Jaeger pods, which the cleaner's pod takes over unchanged. */
export interface SecurityContexts {
    readonly podSecurityContext: Values;
    readonly securityContext: Values;
}

/**
 * The chart values of the cleaner, or none without an Elasticsearch/OpenSearch backend. Its image is Jaeger's own
 * release (`jaegertracing/jaeger-es-index-cleaner`, same tag, same user 10001), so it runs under Jaeger's contexts.
 */
export function indexCleanerValues(j: JaegerArgs, security: SecurityContexts, password?: SecretKeyRef): Values {
    const s = j.storage;
    if (j.mode !== "production" || !s) return {};
    const ca = s.caSecretRef;
    const tls = s.serverUrls.some((u) => /^https:/i.test(u));
    const env = [
        { name: "INDEX_PREFIX", value: s.indexPrefix },
        ...(s.username ? [{ name: "ES_USERNAME", value: s.username }] : []),
        ...(password ? [{ name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: password.name, key: password.key } } }] : []),
        ...(tls ? [{ name: "ES_TLS_ENABLED", value: "true" }] : []),
        ...(ca ? [{ name: "ES_TLS_CA", value: `${CLEANER_CA_DIR}/${ca.key}` }] : []),
        ...(s.tlsInsecureSkipVerify ? [{ name: "ES_TLS_SKIP_HOST_VERIFY", value: "true" }] : []),
    ];
    return {
        // The chart's maintenance jobs read the backend from here (its `elasticsearch` type covers OpenSearch too);
        // any node of the cluster answers the index API, so the first URL is enough.
        storage: { type: "elasticsearch", elasticsearch: { url: s.serverUrls[0] } },
        esIndexCleaner: {
            enabled: true,
            numberOfDays: s.retentionDays,
            schedule: CLEANER_SCHEDULE,
            image: { tag: j.image.tag },
            extraEnv: env,
            extraSecretMounts: ca ? [{ name: "storage-ca", secretName: ca.name, mountPath: CLEANER_CA_DIR, readOnly: true }] : [],
            podSecurityContext: security.podSecurityContext,
            securityContext: security.securityContext,
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        },
    };
}
