/**
 * Retirements in the real catalog agree with the price blocks: an offering whose prices end does so
 * the day before a retirement on its provider, which compare then gives as the reason it is out,
 * and a retirement is never priced past. Claude Sonnet 4.5 retires on Claude Platform on AWS on
 * 2026-11-30 as on the Claude API: the deprecations page's dates "apply to Anthropic-operated
 * platforms: the Claude API, Claude Platform on AWS, and Microsoft Foundry"
 * (platform.claude.com/docs/en/about-claude/model-deprecations).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compareOfferings } from "../../src/pricing/compare.js";
import { catalog } from "../helpers/catalog.js";

function dayAfter(day: string): string {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

test("an offering's prices end the day before its model retires on that provider, and never run past it", () => {
  const problems: string[] = [];
  for (const offering of catalog().offerings) {
    const last = offering.prices.at(-1);
    const retired = offering.model.retired[offering.provider];
    if (last?.to !== undefined && retired !== dayAfter(last.to)) problems.push(`${offering.key}: prices end ${last.to}, retired ${retired ?? "(none)"}`);
    if (retired !== undefined && (last?.to === undefined || last.to >= retired)) problems.push(`${offering.key}: retired ${retired}, priced until ${last?.to ?? "no end"}`);
  }
  assert.deepEqual(problems, []);
});

test("Claude Sonnet 4.5 on Claude Platform on AWS: retired 2026-11-30, as on the Claude API", () => {
  const model = catalog().resolve("claude-sonnet-4-5").model;
  assert.equal(model.retired["claude-platform-aws"], "2026-11-30");
  const offerings = catalog().offeringsOf("claude-sonnet-4-5").filter((offering) => offering.provider === "claude-platform-aws");
  const [option] = compareOfferings(catalog(), offerings, { input: 1000, output: 100 }, undefined, "2026-11-29");
  assert.equal(option?.feasible, true);
  const after = compareOfferings(catalog(), offerings, { input: 1000, output: 100 }, undefined, "2026-11-30");
  assert.equal(after[0]?.feasible, false);
});
