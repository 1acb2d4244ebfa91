/**
 * This pack's config as the commands judge it (policy:check, synth), beyond the CLI's own reconciliation.
 */
import { Policies } from "@pulumi/policy";
import { CONFIG_CHECKS } from "../../policy-pack/policies";
import { suggest } from "../../components/config/schema";
import { PolicyConfigError, PolicyPackConfig, resolvePolicyConfig } from "./pack-config";
import { policyMetadata } from "./analyzer";

/**
 * A policy pack config as the commands accept it (policy:check, synth): what the CLI would accept, without what it
 * silently lets through — a policy name the pack does not have (its settings would apply to nothing: refused with
 * the closest name) and properties that contradict each other (CONFIG_CHECKS). Throws PolicyConfigError.
 */
export function checkPolicyPackConfig(policies: Policies, given: PolicyPackConfig, source: string): PolicyPackConfig {
    const { config, unknown, problems } = resolvePolicyConfig(policyMetadata(policies), given);
    const names = policies.map((p) => p.name).sort();
    for (const name of unknown) {
        const meant = suggest(name, names);
        problems.push(`"${name}" is not a policy of this pack${meant ? ` (did you mean "${meant}"?)` : ""}; allowed: ${names.join(", ")}`);
    }
    for (const [name, check] of Object.entries(CONFIG_CHECKS)) {
        const problem = check(config[name]?.properties ?? {});
        if (problem) problems.push(`${name}: ${problem}`);
    }
    if (problems.length > 0) throw new PolicyConfigError(problems, source);
    return config;
}
