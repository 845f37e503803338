/**
 * compare --json gives each option the price fields scripts need, as price --json says them for the
 * same deployment: lines (the per-class breakdown), billing_units (CCUs on Claude Platform on AWS)
 * and warnings (the notes that do not rule it out), beside the older fields. --help lists every
 * usage flag compare takes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "./run-cli.js";

const USAGE = ["--input", "1234567", "--output", "7", "--at", "2026-11-24", "--json"];

interface PriceFields {
  total_usd: string;
  lines: unknown[];
  billing_units: { unit: string; quantity: string } | null;
  warnings: string[];
}

test("each compare option has price's lines, billing_units and warnings for that deployment", async () => {
  const compared = await runCli(["compare", "--model", "claude-sonnet-4-6", "--provider", "claude-platform-aws", "--provider", "anthropic", ...USAGE]);
  assert.equal(compared.code, 0, compared.stderr);
  const options = (JSON.parse(compared.stdout) as { options: (PriceFields & { provider: string; route: string; reasons: string[] })[] }).options;
  for (const [provider, route] of [["claude-platform-aws", "global"], ["anthropic", "global"]] as const) {
    const option = options.find((candidate) => candidate.provider === provider && candidate.route === route);
    assert.ok(option, `${provider}/${route}`);
    const priced = await runCli(["price", "--model", "claude-sonnet-4-6", "--provider", provider, "--route", route, ...USAGE]);
    const quote = JSON.parse(priced.stdout) as PriceFields;
    assert.equal(option.total_usd, quote.total_usd);
    assert.deepEqual(option.lines, quote.lines);
    assert.deepEqual(option.billing_units, quote.billing_units);
    assert.deepEqual(option.warnings, quote.warnings.filter((warning) => warning.startsWith("as one request")));
    assert.ok(option.warnings.every((warning) => option.reasons.includes(warning)));
  }
  assert.deepEqual(options.find((option) => option.provider === "claude-platform-aws")?.billing_units, { unit: "CCU", quantity: "370.3806" });
  assert.equal(options.find((option) => option.provider === "anthropic")?.billing_units, null);
});

test("an option without a price has null lines and billing_units", async () => {
  // Claude Platform on AWS had no price for Haiku 4.5 yet on 2026-01-01; the other deployments did.
  const result = await runCli(["compare", "--model", "claude-haiku-4-5", "--input", "10", "--output", "1", "--at", "2026-01-01", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const options = (JSON.parse(result.stdout) as { options: (PriceFields & { feasible: boolean; provider: string; total_usd: string | null })[] }).options;
  const unpriced = options.filter((option) => option.total_usd === null);
  assert.deepEqual([...new Set(unpriced.map((option) => option.provider))], ["claude-platform-aws"]);
  assert.ok(options.some((option) => option.feasible), "the others are priced");
  for (const option of unpriced) {
    assert.equal(option.feasible, false);
    assert.equal(option.lines, null);
    assert.equal(option.billing_units, null);
    assert.deepEqual(option.warnings, []);
  }
});

test("compare --help lists --agent-session-ms, which it takes", async () => {
  const help = await runCli(["compare", "--help"]);
  assert.match(help.stdout, /--agent-session-ms N/);
});
