/**
 * What the Jaeger component is given: the chart install, the pods and the store it configures, and the traces
 * pipeline. Owned here, mirroring what the component creates (index.ts maps the stack config onto it); `helmValues`
 * is the one escape hatch, chart values merged over the generated ones.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Values } from "../foundation/k8s";
import type { SpanPipeline } from "./span-pipeline";

/** A key of a Kubernetes Secret in the Jaeger namespace. */
export interface SecretKeyRef {
    readonly name: string;
    readonly key: string;
}

/** The existing Elasticsearch/OpenSearch cluster mode `production` stores traces in. */
export interface JaegerStorageArgs {
    readonly type: "elasticsearch" | "opensearch";
    readonly serverUrls: readonly string[];
    /** Basic-auth user; the password comes from `passwordSecretRef` or the component's `storagePassword`. */
    readonly username?: string;
    readonly passwordSecretRef?: SecretKeyRef;
    readonly indexPrefix: string;
    /** Daily indices older than this many days are deleted by the chart's index-cleaner CronJob. */
    readonly retentionDays: number;
    readonly tlsInsecureSkipVerify: boolean;
    /** The PEM CA of a privately signed backend, mounted read-only as the backend's `tls.ca_file`. */
    readonly caSecretRef?: SecretKeyRef;
}

/** Container resources as Kubernetes quantities. */
export interface ResourceArgs {
    readonly requests: { readonly cpu?: string; readonly memory?: string };
    readonly limits: { readonly cpu?: string; readonly memory?: string };
}

export interface JaegerArgs {
    /** The tracing namespace: the release, its pods and the ClusterIP Services. */
    readonly namespace: string;
    /** Helm release name; the chart derives the pod labels the Services select on from it. */
    readonly releaseName: string;
    /** The chart: from `repo`, or the local directory or archive `path`. */
    readonly chart: { readonly name: string; readonly version: string; readonly repo?: string; readonly path?: string };
    /** Tag of the chart's image `jaegertracing/jaeger`. */
    readonly image: { readonly tag: string };
    /** `allInOne`: the in-memory store, one replica. `production`: replicas on `storage`. */
    readonly mode: "allInOne" | "production";
    readonly replicas: number;
    /** The in-memory store's bound (sized against the memory limit by the config rules). */
    readonly memory: { readonly maxTraces: number };
    readonly resources: ResourceArgs;
    readonly storage?: JaegerStorageArgs;
    /** Storage password from a Pulumi secret, when not taken from an existing Kubernetes Secret. */
    readonly storagePassword?: pulumi.Input<string>;
    /** Scrubbing and, in tail mode, the sampler: the processors of the traces pipeline. */
    readonly pipeline: SpanPipeline;
    /** The provider renders YAML (GitOps): install with helm.v4.Chart, which can be rendered. */
    readonly renderYaml: boolean;
    /** The pods behind the stable collector Service: the routers with the tier (components/collector-tier), else Jaeger's. */
    readonly collectorPodLabels?: Record<string, string>;
    /** Escape hatch: chart values deep-merged over the generated ones (the config rules guard what they may change). */
    readonly helmValues: Values;
}
