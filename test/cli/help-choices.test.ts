/**
 * The choices a --help lists are the ones the flag takes and the catalog holds, not a copy that can
 * drift: compare's residencies, price's Bedrock routes and profile prefixes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compareCommand } from "../../src/cli/compare.js";
import { priceCommand } from "../../src/cli/price.js";
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
