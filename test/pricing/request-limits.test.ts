/** price and compare note a request larger than the model's context window or output limit (src/pricing/request-limits.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compareOfferings, offeringsForModelQuery } from "../../src/pricing/compare.js";
import { quote } from "../../src/pricing/quote.js";
import { catalog } from "../helpers/catalog.js";

const limitNotes = (warnings: string[]) => warnings.filter((warning) => warning.startsWith("as one request, "));

test("price: a prompt over the context window and an output over the limit are noted; one that fits is not", () => {
  const over = quote(catalog(), { model: "claude-haiku-4-5", at: "2026-11-22", usage: { input: 400_000, output: 100_000, cacheRead: 100_000 } });
  assert.deepEqual(limitNotes(over.warnings), [
    "as one request, 500000 prompt + 100000 output tokens exceed claude-haiku-4-5's 200000-token context window: the upstream would refuse it (fine if this usage sums several requests)",
    `as one request, 100000 output tokens exceed claude-haiku-4-5's ${over.offering.capabilities.max_output_tokens}-token output limit: the upstream would refuse it (fine if this usage sums several requests)`,
  ]);
  assert.deepEqual(limitNotes(quote(catalog(), { model: "claude-haiku-4-5", at: "2026-11-22", usage: { input: 150_000, output: 1_000 } }).warnings), []);
  // Sonnet 4.5's 1M window comes with a beta (on Bedrock; the Claude API ended it: context-1m-ended.test.ts): 500,000 fits it (its long-context tier is for such requests), 1,200,000 does not.
  assert.deepEqual(limitNotes(quote(catalog(), { model: "claude-sonnet-4-5", provider: "bedrock", at: "2026-11-22", usage: { input: 500_000, output: 1_000 } }).warnings), []);
  assert.match(limitNotes(quote(catalog(), { model: "claude-sonnet-4-5", provider: "bedrock", at: "2026-11-22", usage: { input: 1_200_000, output: 1_000 } }).warnings)[0] ?? "", /1000000-token context window \(with the context-1m beta\)/);
});

test("compare: the note is among each offering's reasons, and does not make it infeasible (the usage may sum several requests)", () => {
  const compared = compareOfferings(catalog(), offeringsForModelQuery(catalog(), "claude-haiku-4-5"), { input: 500_000, output: 1_000 }, undefined, "2026-11-22");
  assert.ok(compared.length > 1);
  for (const option of compared) {
    assert.ok(option.reasons.some((reason) => /^as one request, 500000 prompt \+ 1000 output tokens exceed claude-haiku-4-5's 200000-token context window/.test(reason)), option.reasons.join("; "));
    assert.equal(option.feasible, true, option.offering.key);
  }
});
