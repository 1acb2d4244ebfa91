/** Retention in prod: the chart's esIndexCleaner values read the backend, prefix, credentials and CA Jaeger uses. */
import * as assert from "assert";
import { ConfigError, parseConfig } from "../../../components/config";
import { JAEGER_VERSION } from "../../../components/foundation/topology";
import { CLEANER_SCHEDULE } from "../../../components/jaeger/index-cleaner";
import { runStack } from "../../helpers";
import { PROD_JAEGER, values } from "./jaeger-helpers";

const envOf = (v: any) => Object.fromEntries(v.esIndexCleaner.extraEnv.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe("jaeger index cleaner (retention)", () => {
    it("prod: nightly, 7 days, the userconfig's first URL and prefix, the password's Secret and the mounted CA", async () => {
        const v = values(await runStack("prod"));
        const backend = v.userconfig.extensions.jaeger_storage.backends.primary_store.elasticsearch;
        assert.deepStrictEqual(v.storage, { type: "elasticsearch", elasticsearch: { url: backend.server_urls[0] } });
        const c = v.esIndexCleaner;
        assert.strictEqual(c.enabled, true);
        assert.strictEqual(c.numberOfDays, 7);
        assert.strictEqual(c.schedule, CLEANER_SCHEDULE);
        assert.deepStrictEqual(c.image, { tag: JAEGER_VERSION });
        assert.deepStrictEqual(envOf(v), {
            INDEX_PREFIX: backend.indices.index_prefix,
            ES_USERNAME: backend.auth.basic.username,
            ES_PASSWORD: { secretKeyRef: { name: "jaeger-es-credentials", key: "password" } },
            ES_TLS_ENABLED: "true",
            ES_TLS_CA: "/etc/jaeger/storage-ca/ca.crt",
        });
        const mount = { name: "storage-ca", secretName: "jaeger-es-ca", mountPath: "/etc/jaeger/storage-ca", readOnly: true };
        assert.deepStrictEqual(c.extraSecretMounts, [mount]);
        // The same user and restrictions as the Jaeger pods, not the chart's default runAsUser 1000.
        assert.deepStrictEqual(c.podSecurityContext, v.jaeger.podSecurityContext);
        assert.deepStrictEqual(c.securityContext, v.jaeger.securityContext);
    });

    it("retentionDays, the image tag and a Pulumi-secret password follow the config; http takes no TLS env", async () => {
        const serverUrls = ["http://os.logging:9200", "http://os2.logging:9200"];
        const storage = { ...PROD_JAEGER.storage, serverUrls, tlsSystemCAs: false, retentionDays: 30 };
        const run = await runStack("prod", {
            set: { jaegerStoragePassword: "s3cret-pass", jaeger: { ...PROD_JAEGER, image: { tag: "2.11.0" }, storage } },
            secretKeys: ["jaegerStoragePassword"],
        }).catch((e) => e);
        // prod refuses basic auth over http: drop the user for this shape.
        assert.ok(run instanceof Error && /http/.test(String(run)), String(run));
        const open = { ...storage, username: undefined };
        const v = values(await runStack("prod", { set: { jaeger: { ...PROD_JAEGER, image: { tag: "2.11.0" }, storage: open } } }));
        assert.strictEqual(v.esIndexCleaner.numberOfDays, 30);
        assert.deepStrictEqual(v.esIndexCleaner.image, { tag: "2.11.0" });
        assert.strictEqual(v.storage.elasticsearch.url, "http://os.logging:9200");
        assert.deepStrictEqual(envOf(v), { INDEX_PREFIX: "eco2-jaeger" });
        assert.deepStrictEqual(v.esIndexCleaner.extraSecretMounts, []);
    });

    it("the in-memory store has no cleaner", async () => {
        const v = values(await runStack("dev"));
        assert.strictEqual(v.esIndexCleaner, undefined);
        assert.strictEqual(v.storage, undefined);
    });

    it("retentionDays below 1 or fractional fails naming the key", () => {
        for (const retentionDays of [0, 1.5, -3]) {
            const jaeger = { ...PROD_JAEGER, storage: { ...PROD_JAEGER.storage, retentionDays } };
            assert.throws(() => parseConfig({ environment: "prod", jaeger }, { stack: "prod" }), (e: unknown) =>
                e instanceof ConfigError && /jaeger\.storage\.retentionDays/.test(e.message) && /at least 1|whole/.test(e.message));
        }
    });
});
