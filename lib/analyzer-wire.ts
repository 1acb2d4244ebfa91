/**
 * Resource properties in the form the engine sends them to analyzers (MarshalProperties with KeepSecrets,
 * KeepUnknowns and SkipInternalKeys): secrets stay `{<sig>: <secret sig>, value}` objects for the pack to unwrap,
 * unknowns become the unknown sentinel, keys starting with `__` are dropped.
 */
import * as pulumi from "@pulumi/pulumi";
import { isSecretWrapper, SECRET_SIG, SIG_KEY } from "./manifests";

/** rpc.unknownValue of the Pulumi wire format. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Wire = null | boolean | number | string | Wire[] | { [key: string]: Wire };

export function toWire(value: unknown, at = "$"): Wire {
    if (isSecretWrapper(value)) return { [SIG_KEY]: SECRET_SIG, value: toWire(value.value, at) };
    if (pulumi.isUnknown(value)) return UNKNOWN_VALUE;
    if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
    if (Array.isArray(value)) return value.map((v, i) => (v === undefined ? null : toWire(v, `${at}[${i}]`)));
    if (pulumi.Resource.isInstance(value) || pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) {
        throw new Error(`${at}: resource references, assets and archives are not supported by the offline policy gate`);
    }
    if (typeof value === "object") {
        const out: { [key: string]: Wire } = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            if (v !== undefined && !k.startsWith("__")) out[k] = toWire(v, `${at}.${k}`);
        }
        return out;
    }
    throw new Error(`${at}: unexpected ${typeof value} value`);
}
