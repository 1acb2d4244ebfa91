/**
 * For app teams: a kubernetesx Deployment whose containers load the namespace's OTEL ConfigMap, name their service
 * (OTEL_SERVICE_NAME) and carry the `app`/`version` labels Istio and Jaeger expect.
 *
 *   import { instrumentedDeployment } from "<eco2-tracing checkout>/components/app-namespace";
 *   instrumentedDeployment("auth-api", { namespace: "auth", serviceName: "auth-api", version: "v1",
 *       container: { image: "ghcr.io/eco2/auth-api:1.4.0", ports: { http: 8000 } } });
 *
 * The image brings the SDK that reads those variables; the helper sets no language-specific env and changes no command.
 * Python (docs/app-sdks.md): the image needs `opentelemetry-distro`, `opentelemetry-sdk`,
 * `opentelemetry-exporter-otlp-proto-grpc` (the ConfigMap says OTLP over gRPC), `opentelemetry-propagator-b3` (the
 * ConfigMap's `b3multi`: without it `opentelemetry-instrument` exits 1 at start, `Propagator b3multi not found`) and
 * the framework's instrumentations (`opentelemetry-instrumentation-fastapi`, `-httpx`, one contrib release), and its
 * command runs under `opentelemetry-instrument` (`opentelemetry-instrument uvicorn app:app`); set it in
 * `container.command`/`args` or in the image. Health paths are excluded through the ConfigMap's
 * OTEL_PYTHON_EXCLUDED_URLS. A uvicorn image should say `STOPSIGNAL SIGINT`: on the kubelet's SIGTERM uvicorn dies of
 * the re-raised signal before the SDK flushes, losing the last batch (python-apps.e2e.ts shows it). Node and Java need
 * no extra propagator package (docs/app-sdks.md).
 *
 * kx's `PodBuilder.asDeploymentSpec` is not used: it forces `app: <container name>` as the only pod label and
 * selector, which would drop `version`. `kx.Deployment` still builds the pod spec (env/port maps, mounts).
 */
import * as k8s from "@pulumi/kubernetes";
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../foundation/topology";
import { DNS1123_LABEL, LABEL_VALUE, sortKeys } from "../foundation/k8s";
import { OTEL_CONFIG_MAP_NAME, OTEL_ENV_CHECKSUM_ANNOTATION } from "./otel-env";

export interface InstrumentedDeploymentArgs {
    namespace: string;
    /** OTEL_SERVICE_NAME, the `app` label, the Deployment's name and (by default) the container's name. */
    serviceName: string;
    /** The `version` label (Istio's canonical revision). */
    version: string;
    /** The app container; its `env` and `envFrom` are kept (they override the ConfigMap's values). */
    container: Container;
    otelConfigMapName?: string;
    replicas?: number;
    /** Extra pod labels (e.g. `sidecar.istio.io/inject`); `app` and `version` always come from the args. */
    podLabels?: Record<string, string>;
    /** Extra pod annotations; ports in a given EXCLUDE_OUTBOUND_PORTS are kept next to the collector's. */
    podAnnotations?: Record<string, string>;
    /**
     * The namespace's environment checksum (this stack's `otelEnvChecksums` output, through a StackReference): set as
     * a pod annotation, so a sampler change rolls the pods. Without it they pick the change up on their next restart.
     */
    otelEnvChecksum?: pulumi.Input<string>;
}

/** Istio's pod annotation: outbound traffic to these ports bypasses the sidecar. */
export const EXCLUDE_OUTBOUND_PORTS = "traffic.sidecar.istio.io/excludeOutboundPorts";

/**
 * The app's OTLP exports skip its sidecar: through Envoy each export request becomes a trace of its own (it carries
 * no trace context), which is noise and, in dev, memory. Nothing is lost by the bypass: the Jaeger pods run without a
 * sidecar, so the connection is plaintext either way, and `allow-jaeger-egress` admits it.
 */
export function podAnnotations(extra: Record<string, string> = {}): Record<string, string> {
    const given = (extra[EXCLUDE_OUTBOUND_PORTS] ?? "").split(",").map((p) => p.trim()).filter(Boolean);
    const ports = [...new Set([String(PORTS.otlpGrpc), String(PORTS.otlpHttp), ...given])];
    return sortKeys({ ...extra, [EXCLUDE_OUTBOUND_PORTS]: ports.join(",") });
}


/** An env var whose name is known when the program runs (its value may be an Output). */
export interface EnvVar {
    name: string;
    value?: pulumi.Input<string>;
    valueFrom?: pulumi.Input<k8s.types.input.core.v1.EnvVarSource>;
}

/** kx's container, with env names known up front so OTEL_SERVICE_NAME conflicts fail before anything registers. */
export type Container = Omit<kx.types.Container, "env"> & { env?: EnvVar[] | kx.types.EnvMap };

/** kx's env map form (`{NAME: value | EnvVarSource}`) as a list, in the map's order. */
function envList(env: Container["env"]): pulumi.Input<k8s.types.input.core.v1.EnvVar>[] {
    if (env === undefined) return [];
    if (Array.isArray(env)) return env;
    return Object.entries(env).map(([name, value]) =>
        pulumi.output(value).apply((v) => (typeof v === "string" ? { name, value: v } : { name, valueFrom: v })));
}

const envNames = (env: Container["env"]): string[] => (env === undefined ? [] : Array.isArray(env) ? env.map((v) => v.name) : Object.keys(env));

function check(what: string, value: string, pattern: RegExp, allowed: string): void {
    if (value.length === 0 || value.length > 63 || !pattern.test(value)) throw new Error(`instrumentedDeployment: ${what} ${JSON.stringify(value)} is invalid; allowed: ${allowed}`);
}

function annotations(args: InstrumentedDeploymentArgs): pulumi.Input<Record<string, string>> {
    const given = podAnnotations(args.podAnnotations);
    if (args.otelEnvChecksum === undefined) return given;
    return pulumi.output(args.otelEnvChecksum).apply((sum) => sortKeys({ ...given, [OTEL_ENV_CHECKSUM_ANNOTATION]: sum }));
}

export function instrumentedDeployment(name: string, args: InstrumentedDeploymentArgs, opts?: pulumi.CustomResourceOptions): kx.Deployment {
    check("serviceName", args.serviceName, DNS1123_LABEL, "a DNS-1123 label (it names the Deployment and the app label)");
    check("version", args.version, LABEL_VALUE, "a label value of at most 63 characters");
    const selector = { app: args.serviceName };
    const labels = { app: args.serviceName, version: args.version };
    const configMap = args.otelConfigMapName ?? OTEL_CONFIG_MAP_NAME;

    // OTEL_SERVICE_NAME first, so the app's own env can reference it as $(OTEL_SERVICE_NAME).
    if (envNames(args.container.env).includes("OTEL_SERVICE_NAME")) {
        throw new Error(`instrumentedDeployment ${name}: the container sets OTEL_SERVICE_NAME; it comes from serviceName "${args.serviceName}"`);
    }
    const env = [{ name: "OTEL_SERVICE_NAME", value: args.serviceName }, ...envList(args.container.env)];
    // The ConfigMap comes first: for a key in several sources the last one wins, so the app's own envFrom overrides it.
    const envFrom = pulumi.output(args.container.envFrom).apply((sources) => [{ configMapRef: { name: configMap } }, ...(sources ?? [])]);

    const container: kx.types.Container = { ...args.container, name: args.container.name ?? args.serviceName, env, envFrom };
    return new kx.Deployment(name, {
        metadata: { name: args.serviceName, namespace: args.namespace, labels },
        spec: {
            replicas: args.replicas ?? 1,
            // Only `app`: the selector is immutable, so a version bump must not change it.
            selector: { matchLabels: selector },
            template: {
                metadata: { labels: sortKeys({ ...args.podLabels, ...labels }), annotations: annotations(args) },
                spec: { containers: [container] },
            },
        },
    }, opts);
}
