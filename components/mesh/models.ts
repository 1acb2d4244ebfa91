/**
 * Loads the ESM-only schema models (kubernetes-models, @kubernetes-models/istio) from this CommonJS program.
 *
 * Both packages export only an `import` condition, so `require()` cannot resolve them even on Node versions with
 * require(esm). With `module: nodenext` TypeScript keeps `import()` as a real dynamic import in the CommonJS output,
 * which works from the compiled program, from Pulumi's ts-node runtime and from the tests alike.
 */
import type { Telemetry } from "@kubernetes-models/istio/telemetry.istio.io/v1/Telemetry" with { "resolution-mode": "import" };
import type { ServiceEntry } from "@kubernetes-models/istio/networking.istio.io/v1/ServiceEntry" with { "resolution-mode": "import" };
import type { EnvoyFilter } from "@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter" with { "resolution-mode": "import" };

export type { ITelemetry } from "@kubernetes-models/istio/telemetry.istio.io/v1/Telemetry" with { "resolution-mode": "import" };
export type { IServiceEntry } from "@kubernetes-models/istio/networking.istio.io/v1/ServiceEntry" with { "resolution-mode": "import" };

export interface Models {
    Telemetry: typeof Telemetry;
    ServiceEntry: typeof ServiceEntry;
    EnvoyFilter: typeof EnvoyFilter;
}

let cached: Promise<Models> | undefined;

export function loadModels(): Promise<Models> {
    cached ??= (async () => {
        const [telemetry, serviceEntry, envoyFilter] = await Promise.all([
            import("@kubernetes-models/istio/telemetry.istio.io/v1/Telemetry"),
            import("@kubernetes-models/istio/networking.istio.io/v1/ServiceEntry"),
            import("@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter"),
        ]);
        return { Telemetry: telemetry.Telemetry, ServiceEntry: serviceEntry.ServiceEntry, EnvoyFilter: envoyFilter.EnvoyFilter };
    })();
    return cached;
}

interface ValidatableModel {
    apiVersion: string;
    kind: string;
    metadata?: { name?: string; namespace?: string };
    validate(): void;
}

/**
 * Validates a model against its CRD's OpenAPI schema (not its CEL rules: those are checked in components/config/) and
 * returns one message naming the object and the JSON path of each problem, or undefined when it is valid.
 */
export function schemaError(model: ValidatableModel): string | undefined {
    const problems = schemaProblems(model);
    if (problems.length === 0) return undefined;
    const m = model.metadata ?? {};
    return `${model.kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name ?? "(unnamed)"} does not match the ${model.apiVersion} schema:\n` + problems.map((p) => `  - ${p}`).join("\n");
}

function schemaProblems(model: ValidatableModel): string[] {
    try {
        model.validate();
        return [];
    } catch (e) {
        const errors = (e as { errors?: AjvError[] }).errors;
        if (!Array.isArray(errors)) throw e;
        return errors.map((err) => {
            const allowed = err.params?.allowedValues;
            return `${jsonPath(err.instancePath ?? "")}: ${err.message ?? "is invalid"}${Array.isArray(allowed) ? ` (${allowed.join(", ")})` : ""}`;
        });
    }
}

/** What ajv reports per problem (the models validate with ajv). */
export interface AjvError {
    instancePath?: string;
    keyword?: string;
    message?: string;
    params?: Record<string, unknown> & { allowedValues?: unknown[] };
}

/**
 * ajv's JSON pointer as a path: `/spec/tracing/0/customTags/app.version` → `spec.tracing[0].customTags["app.version"]`;
 * `extra` appends a key (the missing or unknown property ajv names in its params).
 */
export function jsonPath(pointer: string, extra?: string): string {
    const parts = pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (extra !== undefined) parts.push(extra);
    if (parts.length === 0) return "(root)";
    return parts.reduce((out, p, i) => {
        if (/^\d+$/.test(p)) return `${out}[${p}]`;
        if (!/^[A-Za-z_$][\w$]*$/.test(p)) return `${out}[${JSON.stringify(p)}]`;
        return i === 0 ? p : `${out}.${p}`;
    }, "");
}
