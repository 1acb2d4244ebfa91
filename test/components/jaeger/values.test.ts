/** The Jaeger chart values: release name and selectors, helmValues merging, config changes, GOMEMLIMIT. */
import * as assert from "assert";
import { ConfigError, parseConfig } from "../../../components/config";
import { CONFIG_HASH_LABEL, goMemLimit, mergeByName } from "../../../components/jaeger/values";
import { parseQuantity, deepMerge } from "../../../components/foundation/k8s";
import { JAEGER_VERSION } from "../../../components/foundation/topology";
import { COMPONENTS } from "../../../toolchain/build/components";
import { ofType, runStack } from "../../helpers";
import { SERVICE, chartPodLabels, PROD_JAEGER, release, values, userconfigFile, assertServices, podFromValues } from "./jaeger-helpers";

describe("jaeger values", () => {
    describe("release name and selectors", () => {
        it("a custom release name is used verbatim and the selectors follow it", async () => {
            const run = await runStack("dev", { set: { jaeger: { releaseName: "tracing", memory: { maxTraces: 20000 } } } });
            assert.strictEqual(release(run).inputs.name, "tracing");
            assertServices(run, "tracing");
            // The chart appends podLabels after its selector labels: they must not redefine them.
            for (const key of Object.keys(chartPodLabels("tracing"))) assert.ok(!(key in values(run).jaeger.podLabels), key);
            assert.strictEqual(values(run).nameOverride, undefined);
        });

        it("emitted Services and the pod built from the values pass the Kubernetes schemas", async () => {
            const [{ Service }, { Pod }] = await Promise.all([import("kubernetes-models/v1/Service"), import("kubernetes-models/v1/Pod")]);
            for (const stack of ["dev", "prod"]) {
                const run = await runStack(stack);
                for (const svc of ofType(run, SERVICE)) new Service(svc.inputs as any).validate();
                new Pod(podFromValues(values(run))).validate();
            }
            assert.throws(() => new Service({ spec: { ports: [{ port: "x" as any }] } }).validate());
        });

        it("nothing is exposed through LoadBalancer or NodePort", async () => {
            for (const stack of ["dev", "prod"]) {
                const run = await runStack(stack);
                for (const svc of ofType(run, SERVICE)) assert.strictEqual(svc.inputs.spec.type, "ClusterIP", svc.name);
                assert.strictEqual(values(run).jaeger.service.type, "ClusterIP");
            }
        });
    });

    describe("the image", () => {
        it("both stacks deploy the Jaeger release the toolchain builds and the suites run, not the chart's appVersion", async () => {
            const built = COMPONENTS.find((c) => c.module === "jaeger")!.version;
            assert.strictEqual(`v${JAEGER_VERSION}`, built);
            for (const stack of ["dev", "prod"]) {
                const run = await runStack(stack);
                assert.deepStrictEqual(values(run).jaeger.image, { tag: JAEGER_VERSION }, stack);
                assert.strictEqual(podFromValues(values(run)).spec!.containers[0].image, `jaegertracing/jaeger:${JAEGER_VERSION}`, stack);
            }
        });

        it("another tag deploys with a warning that names the key, the tag and the tested release; the tested one warns not", () => {
            const jaeger = (tag?: string) => ({ environment: "dev", jaeger: tag === undefined ? {} : { image: { tag } } });
            const [warning, ...more] = parseConfig(jaeger("2.19.0"), { stack: "dev" }).warnings;
            assert.deepStrictEqual(more, []);
            assert.match(warning, /jaeger\.image\.tag/);
            assert.match(warning, /2\.19\.0/);
            assert.ok(warning.includes(`the suites run Jaeger ${JAEGER_VERSION}`), warning);
            assert.deepStrictEqual(parseConfig(jaeger(JAEGER_VERSION), { stack: "dev" }).warnings, []);
            assert.deepStrictEqual(parseConfig(jaeger(), { stack: "dev" }).warnings, []);
        });

        it("a tag that is no image tag is refused, naming the key", () => {
            assert.throws(() => parseConfig({ environment: "dev", jaeger: { image: { tag: "2.12.0 latest" } } }, { stack: "dev" }),
                (e: unknown) => e instanceof ConfigError && /jaeger\.image\.tag/.test(e.message) && /image tag such as/.test(e.message));
        });
    });

    describe("helmValues and config changes", () => {
        it("helmValues are deep-merged: maps merge, other lists replace, null removes", async () => {
            const helmValues = {
                jaeger: { nodeSelector: { pool: "observability" }, serviceAccount: null },
                userconfig: { service: { telemetry: { logs: { level: "debug" } }, pipelines: { traces: { receivers: ["otlp"] } } } },
            };
            const run = await runStack("dev", { set: { jaeger: { helmValues } } });
            const v = values(run);
            assert.deepStrictEqual(v.jaeger.nodeSelector, { pool: "observability" });
            assert.strictEqual(v.jaeger.serviceAccount, undefined);
            assert.strictEqual(v.userconfig.service.telemetry.logs.level, "debug");
            assert.deepStrictEqual(v.userconfig.service.pipelines.traces.receivers, ["otlp"]);
            assert.deepStrictEqual(v.userconfig.service.telemetry.metrics.readers[0].pull.exporter.prometheus, { host: "0.0.0.0", port: 8888 });
            assert.deepStrictEqual(v.jaeger.securityContext.capabilities, { drop: ["ALL"] });
        });

        it("prod: a user's extraEnv merges by name, so the password env userconfig references is kept", async () => {
            const extraEnv = [{ name: "GOMEMLIMIT", value: "700MiB" }, { name: "HTTPS_PROXY", value: "http://proxy:3128" }];
            const run = await runStack("prod", { set: { jaeger: { ...PROD_JAEGER, storage: { ...PROD_JAEGER.storage, passwordSecretRef: { name: "es", key: "pw" } }, helmValues: { jaeger: { extraEnv } } } } });
            assert.deepStrictEqual(values(run).jaeger.extraEnv, [
                { name: "GOMEMLIMIT", value: "700MiB" },
                { name: "STORAGE_PASSWORD", valueFrom: { secretKeyRef: { key: "pw", name: "es" } } },
                { name: "HTTPS_PROXY", value: "http://proxy:3128" },
            ]);
            assert.strictEqual(userconfigFile(run).extensions.jaeger_storage.backends.primary_store.elasticsearch.auth.basic.password, "${env:STORAGE_PASSWORD}");
        });

        it("dev: a user's extra volumes merge by name, so the tmp volume behind the /tmp mount is kept", async () => {
            const helmValues = {
                jaeger: {
                    extraVolumes: [{ name: "ui-config", configMap: { name: "jaeger-ui" } }],
                    extraVolumeMounts: [{ name: "ui-config", mountPath: "/etc/jaeger-ui", readOnly: true }],
                },
            };
            const run = await runStack("dev", { set: { jaeger: { helmValues } } });
            const v = values(run);
            assert.deepStrictEqual(v.jaeger.extraVolumes, [{ emptyDir: { sizeLimit: "64Mi" }, name: "tmp" }, { configMap: { name: "jaeger-ui" }, name: "ui-config" }]);
            assert.deepStrictEqual(v.jaeger.extraVolumeMounts, [{ mountPath: "/tmp", name: "tmp" }, { mountPath: "/etc/jaeger-ui", name: "ui-config", readOnly: true }]);
            const { Pod } = await import("kubernetes-models/v1/Pod");
            new Pod(podFromValues(v)).validate();
            // Same name: the user's entry takes the generated one's place.
            const bigger = await runStack("dev", { set: { jaeger: { helmValues: { jaeger: { extraVolumes: [{ name: "tmp", emptyDir: { sizeLimit: "1Gi" } }] } } } } });
            assert.deepStrictEqual(values(bigger).jaeger.extraVolumes, [{ emptyDir: { sizeLimit: "1Gi" }, name: "tmp" }]);
        });

        it("mergeByName keeps generated entries in order, replaces by name, appends the rest", () => {
            assert.deepStrictEqual(mergeByName([{ name: "a", v: 1 }, { name: "b", v: 1 }], [{ name: "c" }, { name: "a", v: 2 }, { x: 1 }]), [{ name: "a", v: 2 }, { name: "b", v: 1 }, { name: "c" }, { x: 1 }]);
        });

        it("deepMerge does not mutate its inputs", () => {
            const base = Object.freeze({ a: Object.freeze({ b: 1, c: [1, 2] }) });
            assert.deepStrictEqual(deepMerge(base, { a: { c: [3] }, d: 4 }), { a: { b: 1, c: [3] }, d: 4 });
            assert.deepStrictEqual(base, { a: { b: 1, c: [1, 2] } });
        });

        it("two runs give identical values; a userconfig change changes the pod's config-hash label", async () => {
            const [a, b] = [await runStack("dev"), await runStack("dev")];
            assert.strictEqual(JSON.stringify(values(a)), JSON.stringify(values(b)));
            const bigger = await runStack("dev", { set: { jaeger: { memory: { maxTraces: 21000 } } } });
            assert.strictEqual(userconfigFile(bigger).extensions.jaeger_storage.backends.primary_store.memory.max_traces, 21000);
            assert.notStrictEqual(values(bigger).jaeger.podLabels[CONFIG_HASH_LABEL], values(a).jaeger.podLabels[CONFIG_HASH_LABEL]);
        });

        it("config rejects helmValues that break the selectors or expose Jaeger", () => {
            const problems = (helmValues: unknown) => {
                try {
                    parseConfig({ environment: "dev", jaeger: { helmValues } }, { stack: "dev" });
                } catch (e) {
                    assert.ok(e instanceof ConfigError);
                    return e.problems.join("\n");
                }
                return "";
            };
            assert.match(problems({ nameOverride: "tracing" }), /stack "dev": eco2-tracing:jaeger\.helmValues\.nameOverride = "tracing": .*allowed: unset/);
            for (const type of ["LoadBalancer", "NodePort"]) {
                assert.match(problems({ jaeger: { service: { type } } }), new RegExp(`eco2-tracing:jaeger\\.helmValues\\.jaeger\\.service\\.type = "${type}": .*allowed: ClusterIP`));
            }
            assert.strictEqual(problems({ jaeger: { service: { type: "ClusterIP" }, nodeSelector: { a: "b" } } }), "");
        });
    });
});


describe("GOMEMLIMIT", () => {
    it("parses Kubernetes quantities", () => {
        assert.deepStrictEqual(
            ["512Mi", "1Gi", "1.5Gi", "64Ki", "1k", "1M", "1G", "2048", "500m"].map(parseQuantity),
            [512 * 2 ** 20, 2 ** 30, 1.5 * 2 ** 30, 64 * 1024, 1000, 1e6, 1e9, 2048, 0.5],
        );
        assert.throws(() => parseQuantity("1GB"), /not a Kubernetes quantity/);
    });

    it("is 80 % of the memory limit in whole MiB (Go's own unit syntax), absent without a limit", async () => {
        assert.deepStrictEqual(["512Mi", "1Gi", "2G", "1000M", "1024"].map(goMemLimit), ["409MiB", "819MiB", "1525MiB", "762MiB", "819"]);
        assert.strictEqual(goMemLimit(undefined), undefined);
        const run = await runStack("dev", { set: { jaeger: { resources: { limits: { cpu: "1" } } } } });
        assert.deepStrictEqual(values(run).jaeger.extraEnv, []);
    });
});
