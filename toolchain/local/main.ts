/**
 * npm run local -- <pulumi arguments>
 *
 * The real `pulumi` CLI on the embedded cluster with local state (toolchain/local/local.ts): e.g.
 * `npm run local -- up -s dev --yes`. `preview` and `up` get the policy pack and its per-stack config unless a
 * `--policy-pack` is given. The exit code is the CLI's; 2 for a stack name, stack file or config that is wrong (judged first).
 */
import { judgeStack, parsePulumiArgs, runLocal } from "./local";
import { PROJECT_DIR } from "../kit/paths";
import { CommandIO, failingWith, PROCESS_IO, runWhenMain } from "../kit/command";
import { StackFileError, StackKeysError } from "../../tools/stack-file";
import { StackNameError } from "../kit/stack-name";
import { ConfigError } from "../../components/config";

const BAD_INPUT = [StackNameError, StackFileError, StackKeysError, ConfigError];

const USAGE = "usage: npm run local -- <pulumi arguments>   e.g. npm run local -- up -s dev --yes";

export async function main(argv: string[], io: CommandIO = PROCESS_IO): Promise<number> {
    if (!argv.length || (argv[0] === "--help" && argv.length === 1)) {
        (argv.length ? io.out : io.err)(USAGE);
        return argv.length ? 0 : 2;
    }
    try {
        const { stack, command } = parsePulumiArgs(argv);
        // Callers of runLocal (synth's engine run, the e2e suite) judge their own stack files; a user's is judged here.
        const args = stack === undefined ? argv : judgeStack(argv, stack, PROJECT_DIR, command);
        return await failingWith("local", io, async () => (await runLocal(args, { log: (line) => io.err(`[local] ${line}`) })).code);
    } catch (e) {
        // The stack's name, file or config is wrong (judged before the CLI or the cluster runs): exit 2.
        if (!BAD_INPUT.some((type) => e instanceof type)) throw e;
        io.err(`local: ${(e as Error).message}`);
        return 2;
    }
}

runWhenMain(module, "local", main);
