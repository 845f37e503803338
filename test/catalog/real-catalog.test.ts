/**
 * The real catalog under catalog/: it loads without errors, every rate follows the documented rules
 * except the documented exceptions, and the figures the issue and the README quote come out to the
 * last digit. A data-entry slip in a price file fails here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkRules } from "../../src/catalog/check-rules.js";
import { formatUsd } from "../../src/pricing/money.js";
import { compareOfferings, offeringsForModelQuery } from "../../src/pricing/compare.js";
import { quote } from "../../src/pricing/quote.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCatalog } from "../../src/catalog/files.js";
import { catalog } from "../helpers/catalog.js";

test("every off-ratio rate in the catalog is a documented exception", () => {
  // pricing-rules.md §1.1 and §7.4: Haiku 3's $0.30 / $0.03 cache rates; the 0.025x (Fable/Mythos 5.1 and 5.2)
  // and 0.05x (Opus 5.5, Sonnet 5.5 from 2026-10-07) cache reads. Nothing else may break the ratios,
  // the 1.1x regional premium, or the 1.1x inference_geo route.
  const documented = new Set([
    "claude-3-haiku cacheRead-ratio",
    "claude-3-haiku cacheWrite5m-ratio",
    "claude-fable-5-1 cacheRead-ratio",
    "claude-mythos-5-1 cacheRead-ratio",
    "claude-fable-5-2 cacheRead-ratio",
    "claude-mythos-5-2 cacheRead-ratio",
    "claude-opus-5-5 cacheRead-ratio",
    "claude-sonnet-5-5 cacheRead-ratio",
  ]);
  const unexpected = checkRules(catalog()).filter((finding) => !documented.has(`${finding.offering.split("/")[1]} ${finding.rule}`));
  assert.deepEqual(unexpected, []);
});

test("the issue's first example: us. Sonnet 4.5, 250,000 in + 60,000 cache reads -> long-context tier at regional rates", () => {
  // 250,000 x 6.60 + 60,000 x 0.66 + 1,000 x 24.75 (per million) = 1.65 + 0.0396 + 0.02475
  const priced = quote(catalog(), {
    model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    at: "2026-11-22",
    usage: { input: 250_000, output: 1000, cacheRead: 60_000 },
  });
  assert.equal(priced.result.tier, "long_context");
  assert.equal(formatUsd(priced.result.total), "1.71435");
  assert.match(priced.block.source.url, /aws\.amazon\.com\/bedrock\/pricing/);
});

test("the issue's second example: Sonnet 4.6 on every deployment, global routes at $4.56 and regional at 1.1x", () => {
  // 1,000,000 x 3 + 100,000 x 15 + 200,000 x 0.30 = 3 + 1.5 + 0.06 = 4.56; regional and inference_geo us: 5.016
  const compared = compareOfferings(catalog(), offeringsForModelQuery(catalog(), "sonnet-4.6"), { input: 1_000_000, output: 100_000, cacheRead: 200_000 }, undefined, "2026-11-22");
  assert.ok(compared.length >= 10);
  for (const option of compared) {
    assert.ok(option.feasible, `${option.offering.key}: ${option.reasons.join("; ")}`);
    const expected = option.offering.residency === "global" ? "4.56" : "5.016";
    assert.equal(formatUsd(option.result?.total ?? -1n), expected, option.offering.key);
  }
});

test("figures across providers and dates, by hand from the published rates", () => {
  const at = (model: string, date: string, usage: Parameters<typeof quote>[1]["usage"], extra: Partial<Parameters<typeof quote>[1]> = {}) =>
    formatUsd(quote(catalog(), { model, at: date, usage, ...extra }).result.total);
  // Haiku 3 on the Anthropic API: 1M cache reads at $0.03, 1M 5m writes at $0.30
  assert.equal(at("claude-3-haiku-20240307", "2026-01-10", { input: 0, output: 0, cacheRead: 1_000_000, cacheWrite5m: 1_000_000 }), "0.33");
  // Opus 4.6 with 300,000 input: $10 tier on 2026-03-12, $5 flat from 2026-03-13
  assert.equal(at("claude-opus-4-6", "2026-03-12", { input: 300_000, output: 0 }), "3");
  assert.equal(at("claude-opus-4-6", "2026-03-13", { input: 300_000, output: 0 }), "1.5");
  // Sonnet 5.5 cache reads: $0.20 before 2026-10-07, $0.10 from then (third-party quotes, flagged unverified)
  assert.equal(at("claude-sonnet-5-5", "2026-10-06", { input: 0, output: 0, cacheRead: 1_000_000 }), "0.2");
  assert.equal(at("claude-sonnet-5-5", "2026-10-07", { input: 0, output: 0, cacheRead: 1_000_000 }), "0.1");
  // Claude Platform on AWS bills Anthropic rates in CCUs: $4.5 = 450 CCU
  const platform = quote(catalog(), { model: "claude-sonnet-4-6", provider: "claude-platform-aws", at: "2026-11-22", usage: { input: 1_000_000, output: 100_000 } });
  assert.equal(platform.billingUnits?.quantity.toString(), "450");
});

test("what holds for a whole provider is set once, in providers.yaml: no Bedrock or Vertex AI offering runs the advisor tool or server-side fallback", () => {
  const byProvider = (provider: string) => catalog().offerings.filter((offering) => offering.provider === provider);
  for (const provider of ["bedrock", "vertex"]) {
    assert.ok(byProvider(provider).length > 50, provider);
    for (const offering of byProvider(provider)) {
      assert.equal(offering.capabilities.advisor_tool, false, offering.key);
      assert.equal(offering.capabilities.server_side_fallback, false, offering.key);
    }
  }
  for (const offering of [...byProvider("anthropic"), ...byProvider("claude-platform-aws")]) {
    assert.equal(offering.capabilities.advisor_tool, undefined, offering.key);
    assert.equal(offering.capabilities.server_side_fallback, undefined, offering.key);
  }
  // The provider's entry is what sets it: a user's catalog file that redefines the provider changes every offering of it.
  const dir = mkdtempSync(join(tmpdir(), "switchyard-provider-caps-"));
  try {
    const file = join(dir, "providers.yaml");
    writeFileSync(file, "schema_version: 1\nproviders:\n  - id: bedrock\n    name: Amazon Bedrock\n    capabilities:\n      advisor_tool: true\n");
    const redefined = loadCatalog({ extraFiles: [file] }).offerings.filter((offering) => offering.provider === "bedrock");
    assert.ok(redefined.length > 0 && redefined.every((offering) => offering.capabilities.advisor_tool === true && offering.capabilities.server_side_fallback === undefined));
    // The model's own capabilities stay under it: Bedrock's offerings keep web_search false from their own entries.
    assert.ok(redefined.every((offering) => offering.capabilities.web_search === false));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
