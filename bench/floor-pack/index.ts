/**
 * The gate's floor (bench/run.ts): the same pack process, analyzer protocol and resources as the real gate, with
 * one resource policy and one stack policy that check nothing — what @pulumi/policy and gRPC cost by themselves.
 */
import { PolicyPack } from "@pulumi/policy";

new PolicyPack("bench-floor", {
    policies: [
        { name: "noop-resource", description: "Checks nothing.", enforcementLevel: "advisory", validateResource: () => undefined },
        { name: "noop-stack", description: "Checks nothing.", enforcementLevel: "advisory", validateStack: () => undefined },
    ],
});
