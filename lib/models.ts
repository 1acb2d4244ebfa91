/**
 * Loads the ESM-only schema models (kubernetes-models, @kubernetes-models/istio) from this CommonJS program.
 *
 * Both packages export only an `import` condition, so `require()` cannot resolve them even on Node versions with
 * require(esm). With `module: nodenext` TypeScript keeps `import()` as a real dynamic import in the CommonJS output,
 * which works from the compiled program, from Pulumi's ts-node runtime and from the tests alike.
 */
import type { Telemetry } from "@kubernetes-models/istio/telemetry.istio.io/v1/Telemetry" with { "resolution-mode": "import" };
import type { ServiceEntry } from "@kubernetes-models/istio/networking.istio.io/v1/ServiceEntry" with { "resolution-mode": "import" };

export type { ITelemetry } from "@kubernetes-models/istio/telemetry.istio.io/v1/Telemetry" with { "resolution-mode": "import" };
export type { IServiceEntry } from "@kubernetes-models/istio/networking.istio.io/v1/ServiceEntry" with { "resolution-mode": "import" };

export interface Models {
    Telemetry: typeof Telemetry;
    ServiceEntry: typeof ServiceEntry;
}

let cached: Promise<Models> | undefined;

export function loadModels(): Promise<Models> {
    cached ??= (async () => {
        const [telemetry, serviceEntry] = await Promise.all([
            import("@kubernetes-models/istio/telemetry.istio.io/v1/Telemetry"),
            import("@kubernetes-models/istio/networking.istio.io/v1/ServiceEntry"),
        ]);
        return { Telemetry: telemetry.Telemetry, ServiceEntry: serviceEntry.ServiceEntry };
    })();
    return cached;
}
