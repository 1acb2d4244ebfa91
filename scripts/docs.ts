/** `npm run docs`: regenerates the README's config reference from the schema (test/readme.test.ts checks it). */
import * as fs from "fs";
import * as path from "path";
import { withConfigReference } from "../lib/config-docs";

const readme = path.resolve(__dirname, "..", "..", "README.md");
fs.writeFileSync(readme, withConfigReference(fs.readFileSync(readme, "utf8")));
console.log(`updated the config reference in ${readme}`);
