/**
 * The real-engine bench's plain baseline program: registers the plan named by the stack's `plan` config (a JSON PlainItem[]
 * that bench/real-engine.ts writes from the program's mock plan) as plain @pulumi/kubernetes resources.
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import type { PlainItem } from "../plain-baseline-plan";
import { registerPlain } from "../plain-register";

registerPlain(JSON.parse(fs.readFileSync(new pulumi.Config().require("plan"), "utf8")) as PlainItem[]);
