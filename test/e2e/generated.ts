/**
 * What the program generates for a stack, taken from its own run (harness `plan`): Jaeger's userconfig and chart
 * values, and each app namespace's `otel-tracing-env` ConfigMap. `overrides` are stack config keys set on top of the
 * stack file (e.g. `{istio: {w3cPropagation: true}}`).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT } from "../../components/config";
import { OTEL_CONFIG_MAP_NAME } from "../../components/app-namespace/otel-env";
import { ROOT } from "../helpers";
import { plan, tmpDir } from "./harness";

export interface Generated {
    values: Record<string, any>;
    userconfig: Record<string, any>;
    otelEnv(namespace: string): Record<string, string>;
}

export async function generated(stack: string, overrides: Record<string, unknown> = {}): Promise<Generated> {
    let configFile: string | undefined;
    if (Object.keys(overrides).length > 0) {
        const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
        for (const [key, value] of Object.entries(overrides)) doc.config[`${PROJECT}:${key}`] = value;
        configFile = path.join(tmpDir(`stack-${stack}`), `Pulumi.${stack}.yaml`);
        fs.writeFileSync(configFile, YAML.stringify(doc));
    }
    const p = await plan(stack, configFile);
    assert.strictEqual(p.releases.length, 1, "one Helm release (Jaeger)");
    const values = p.releases[0].values as Record<string, any>;
    return {
        values,
        userconfig: values.userconfig,
        otelEnv: (namespace) => {
            const cm = p.objects.find((o) => o.kind === "ConfigMap" && o.name === OTEL_CONFIG_MAP_NAME && o.namespace === namespace);
            assert.ok(cm, `no ${OTEL_CONFIG_MAP_NAME} in ${namespace}`);
            return { ...(cm.body.data as Record<string, string>) };
        },
    };
}
