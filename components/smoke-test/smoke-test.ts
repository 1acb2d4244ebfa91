/**
 * Optional end-to-end check: an instrumented Deployment that sends one Zipkin span and one OTLP span (its child)
 * to the collector when it starts, then idles. It is Ready only once both were accepted, so `pulumi up` waits for
 * the result; the pod log prints the trace id to open in the Jaeger UI.
 *
 * A Deployment rather than a Job: the helper the app teams use is exercised as is. No Istio sidecar: the check is
 * about the collector path (NetworkPolicies, DNS, receivers), its POSTs should not add Envoy spans of their own, and
 * the script must not race the proxy's startup.
 */
import * as pulumi from "@pulumi/pulumi";
import { JaegerEndpoints } from "../foundation/topology";
import { PART_OF } from "../foundation/k8s";
import { otlpTraces, SMOKE_MARKER, smokeScript, zipkinSpans } from "./smoke-spans";
import { SMOKE_SERVICE } from "../foundation/attributes";
import { Container, instrumentedDeployment } from "../app-namespace";

export interface SmokeTestArgs {
    namespace: string;
    image: string;
    endpoints: JaegerEndpoints;
    otelConfigMapName: string;
}

export class SmokeTest extends pulumi.ComponentResource {
    readonly deploymentName: string;

    constructor(name: string, args: SmokeTestArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eco2:tracing:SmokeTest", name, {}, opts);
        // The marker's directory: the root filesystem is read-only.
        const tmp = { volume: { name: "tmp", emptyDir: { sizeLimit: "1Mi" } }, destPath: "/tmp" };
        const container: Container = {
            name: "smoke",
            image: args.image,
            command: ["/bin/sh", "-c", smokeScript()],
            env: {
                SMOKE_MARKER,
                SMOKE_OTLP_TRACES: otlpTraces(SMOKE_SERVICE),
                SMOKE_OTLP_URL: `${args.endpoints.otlpHttp}/v1/traces`,
                SMOKE_ZIPKIN_SPANS: zipkinSpans(SMOKE_SERVICE, args.namespace),
                SMOKE_ZIPKIN_URL: args.endpoints.zipkin,
            },
            readinessProbe: { exec: { command: ["/bin/sh", "-c", `test -f ${SMOKE_MARKER}`] }, periodSeconds: 5 },
            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
            // Fits Pod Security "restricted"; an explicit uid because the image's user is named, not numeric.
            securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: 65534,
                runAsGroup: 65534,
                seccompProfile: { type: "RuntimeDefault" },
            },
            volumeMounts: [tmp],
        };
        const deployment = instrumentedDeployment(`${name}-deployment`, {
            namespace: args.namespace,
            serviceName: SMOKE_SERVICE,
            version: "v1",
            container,
            otelConfigMapName: args.otelConfigMapName,
            podLabels: { ...PART_OF, "sidecar.istio.io/inject": "false" },
        }, { parent: this, customTimeouts: { create: "5m", update: "5m" } });
        this.deploymentName = SMOKE_SERVICE;
        this.registerOutputs({ deploymentName: this.deploymentName, deployment: deployment.metadata.name });
    }
}
