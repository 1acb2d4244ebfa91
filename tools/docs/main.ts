/** `npm run docs`: regenerates the README's config reference from the schema (test/tools/docs/readme.test.ts checks it). */
import * as fs from "fs";
import * as path from "path";
import { CommandIO, PROCESS_IO, runWhenMain } from "../../toolchain/kit/command";
import { PROJECT_DIR } from "../../toolchain/kit/paths";
import { configKeys, withConfigReference } from "./config-docs";

const USAGE = "usage: npm run docs   (rewrites the config reference in README.md from the config schema)";

export async function main(argv: string[], io: CommandIO = PROCESS_IO): Promise<number> {
    if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h")) {
        io.out(USAGE);
        return 0;
    }
    if (argv.length > 0) {
        io.err(`unexpected arguments: ${argv.join(" ")}\n${USAGE}`);
        return 2;
    }
    // Also what a stale compiled schema under bin/ looks like (npm test removes those): refuse rather than blank the column.
    const undescribed = configKeys().filter((k) => !k.description?.trim()).map((k) => k.path);
    if (undescribed.length > 0) {
        io.err(`config keys without a description (add .describe() in components/config/schema/): ${undescribed.join(", ")}`);
        return 1;
    }
    const readme = path.join(PROJECT_DIR, "README.md");
    fs.writeFileSync(readme, withConfigReference(fs.readFileSync(readme, "utf8")));
    io.out(`updated the config reference in ${readme}`);
    return 0;
}

runWhenMain(module, "docs", main);
