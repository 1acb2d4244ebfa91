/** The config rule sizing the in-memory store (run by rules.ts); the figures are components/foundation/memory.ts. */
import type { RawConfig, RuleContext } from "./schema";
import { GOMEMLIMIT_SHARE, JAEGER_MEMORY, maxTracesFor, memoryLimitFor } from "../foundation/memory";

/**
 * `jaeger.memory.maxTraces` must fit the container: a full store over the limit is OOM-killed, taking every trace of
 * the only replica with it. Without a memory limit there is nothing to size against.
 */
export function memoryRules(c: Partial<RawConfig>, { add, reported }: RuleContext): void {
    const j = c.jaeger;
    const limit = j?.resources?.limits?.memory;
    const maxTraces = j?.memory?.maxTraces;
    if (j?.mode !== "allInOne" || limit === undefined || maxTraces === undefined || reported(["jaeger", "resources"])) return;
    const bound = maxTracesFor(limit);
    if (maxTraces > bound) {
        add(["jaeger", "memory", "maxTraces"], `a full in-memory store needs ${JAEGER_MEMORY.bytesPerTrace / 1024} KiB per trace plus ` +
            `${JAEGER_MEMORY.baselineBytes / 2 ** 20} MiB (measured by test/e2e/jaeger-memory.e2e.ts) within GOMEMLIMIT, ` +
            `${GOMEMLIMIT_SHARE * 100} % of resources.limits.memory ${limit}; allowed: at most ${bound}, or resources.limits.memory ` +
            `${memoryLimitFor(maxTraces)} or more`);
    }
}
