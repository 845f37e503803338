/**
 * The choices a --help lists are the ones the flag takes and the catalog holds, not a copy that can
 * drift: compare's residencies, price's Bedrock routes and profile prefixes. catalog list checks its
 * --residency as compare does.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { catalogCommand } from "../../src/cli/catalog.js";
import { compareCommand } from "../../src/cli/compare.js";
import { priceCommand } from "../../src/cli/price.js";
import { UsageError } from "../../src/cli/usage-error.js";
import { PROVIDERS, RESIDENCIES } from "../../src/catalog/schema.js";
import { catalog } from "../helpers/catalog.js";

/** The text after `flag` on its line of the help. */
const flagLine = (help: string, flag: string) => new RegExp(`^ {2}${flag} +(.*)$`, "m").exec(help)?.[1] ?? "";

test("compare --help lists every residency and provider", () => {
  assert.equal(flagLine(compareCommand.help, "--residency R"), `only deployments whose data stays in R: ${RESIDENCIES.join("|")}`);
  assert.match(flagLine(compareCommand.help, "--provider P"), new RegExp(`: ${PROVIDERS.join("\\|")}$`));
});

test("price --help lists the Bedrock routes and profile prefixes the catalog has", () => {
  const bedrockRoutes = [...new Set(catalog().offerings.filter((offering) => offering.provider === "bedrock").map((offering) => offering.route))].sort();
  const listed = /\(bedrock: ([^)]*)\)/.exec(flagLine(priceCommand.help, "--route R"))?.[1]?.split(", ");
  assert.deepEqual(listed, bedrockRoutes);
  const prefixes = bedrockRoutes.filter((route) => route !== "in-region").map((route) => `${route}.`);
  assert.match(priceCommand.help, new RegExp(` ${prefixes.join("/").replaceAll(".", "\\.")} profile ids,`));
});

test("catalog list --residency takes the residencies its help lists; another is bad input, not an empty list", async () => {
  assert.match(catalogCommand.help, new RegExp(`--residency R +where the data stays: ${RESIDENCIES.join("\\|")} \\(list[;)]`));
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const list = (residency: string) => catalogCommand.run({ argv: ["list", "--residency", residency], stdout: discard, stderr: discard, stdin: process.stdin, env: {} });
  assert.equal(await list("eu"), 0);
  await assert.rejects(list("europe"), (error) => error instanceof UsageError && /^--residency must be one of global, us, /.test(error.message));
});
