/**
 * Each rule with an expected value worked out by hand from the official rates (the arithmetic is
 * written beside each assertion). Rates: shared/reference/pricing-rules.md.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCatalog } from "../../src/catalog/files.js";
import { formatUsd } from "../../src/pricing/money.js";
import { quote, type QuoteRequest } from "../../src/pricing/quote.js";
import { PricingError } from "../../src/pricing/price-request.js";
import { CatalogLookupError, UnknownModelError } from "../../src/catalog/catalog.js";
import { FIXTURE_CATALOG } from "../helpers/paths.js";

const catalog = loadCatalog({ directory: FIXTURE_CATALOG });
const price = (request: Omit<QuoteRequest, "at"> & { at?: string }) => quote(catalog, { at: "2026-11-22", ...request });
const total = (request: Omit<QuoteRequest, "at"> & { at?: string }) => formatUsd(price(request).result.total);

test("plain input and output: Sonnet 4.5 at $3 / $15", () => {
  // 1,000 x 3 / 1e6 = 0.003; 500 x 15 / 1e6 = 0.0075 -> 0.0105
  assert.equal(total({ model: "claude-sonnet-4-5", usage: { input: 1000, output: 500 } }), "0.0105");
});

test("cache classes: 5m write 1.25x, 1h write 2x, read 0.1x", () => {
  // 1,000 x 3 = 0.003; 100,000 x 3.75 = 0.375; 50,000 x 6 = 0.3; 20,000 x 0.30 = 0.006; 2,000 x 15 = 0.03
  // total = 0.003 + 0.375 + 0.3 + 0.006 + 0.03 = 0.714 (total input 171,000: under the 200K tier)
  const priced = price({
    model: "claude-sonnet-4-5-20250929",
    usage: { input: 1000, cacheWrite5m: 100_000, cacheWrite1h: 50_000, cacheRead: 20_000, output: 2000 },
  });
  assert.equal(formatUsd(priced.result.total), "0.714");
  assert.deepEqual(
    priced.result.lines.map((line) => [line.class, line.quantity, line.rate?.toString(), formatUsd(line.usd ?? -1n)]),
    [
      ["input", 1000, "3", "0.003"],
      ["cache_write_5m", 100000, "3.75", "0.375"],
      ["cache_write_1h", 50000, "6", "0.3"],
      ["cache_read", 20000, "0.3", "0.006"],
      ["output", 2000, "15", "0.03"],
    ],
  );
});

test("Haiku 3 uses its off-ratio cache rates ($0.30 write, $0.03 read), not 1.25x / 0.1x", () => {
  // 1,000,000 x 0.30 = 0.30 (1.25x would be 0.3125); 1,000,000 x 0.03 = 0.03 (0.1x would be 0.025)
  assert.equal(total({ model: "claude-3-haiku-20240307", usage: { input: 0, output: 0, cacheWrite5m: 1_000_000 } }), "0.3");
  assert.equal(total({ model: "claude-3-haiku", usage: { input: 0, output: 0, cacheRead: 1_000_000 } }), "0.03");
});

test("long context: exactly 200,000 input tokens stays standard; 200,001 moves the whole request", () => {
  // 200,000 x 3 = 0.6; 1,000 x 15 = 0.015 -> 0.615
  assert.equal(total({ model: "claude-sonnet-4-5", usage: { input: 200_000, output: 1000 } }), "0.615");
  // 200,001 x 6 = 1.200006; 1,000 x 22.50 = 0.0225 -> 1.222506 (output pays the tier too)
  const over = price({ model: "claude-sonnet-4-5", usage: { input: 200_001, output: 1000 } });
  assert.equal(over.result.tier, "long_context");
  assert.equal(formatUsd(over.result.total), "1.222506");
});

test("long context: cache reads and writes count toward the threshold, output does not", () => {
  // input 100,000 + read 60,000 + 5m write 40,001 = 200,001 > 200,000 -> tier
  // 100,000 x 6 = 0.6; 60,000 x 0.60 = 0.036; 40,001 x 7.50 = 0.3000075; 10 x 22.5 = 0.000225 -> 0.9362325
  const priced = price({ model: "claude-sonnet-4-5", usage: { input: 100_000, cacheRead: 60_000, cacheWrite5m: 40_001, output: 10 } });
  assert.equal(priced.result.tier, "long_context");
  assert.equal(formatUsd(priced.result.total), "0.9362325");
  // 199,999 input and 500,000 output: still standard. 199,999 x 3 = 0.599997; 500,000 x 15 = 7.5
  assert.equal(total({ model: "claude-sonnet-4-5", usage: { input: 199_999, output: 500_000 } }), "8.099997");
});

test("Opus 4.6: long-context tier the day before it ended, none the day after (2026-03-13)", () => {
  // 2026-03-12: 300,000 x 10 = 3; 1,000 x 37.50 = 0.0375 -> 3.0375
  assert.equal(total({ model: "claude-opus-4-6", at: "2026-03-12", usage: { input: 300_000, output: 1000 } }), "3.0375");
  // 2026-03-13: 300,000 x 5 = 1.5; 1,000 x 25 = 0.025 -> 1.525
  assert.equal(total({ model: "claude-opus-4-6", at: "2026-03-13", usage: { input: 300_000, output: 1000 } }), "1.525");
  // before the model existed there is no price
  assert.throws(() => price({ model: "claude-opus-4-6", at: "2026-02-04", usage: { input: 1, output: 1 } }), CatalogLookupError);
});

test("fast mode: its own rate block, its own long-context tier, never with batch", () => {
  // Feb 2026 fast: 10,000 x 30 = 0.3; 1,000 x 150 = 0.15 -> 0.45
  assert.equal(total({ model: "claude-opus-4-6", at: "2026-02-10", speed: "fast", usage: { input: 10_000, output: 1000 } }), "0.45");
  // over 200K: 250,000 x 60 = 15; 1,000 x 225 = 0.225 -> 15.225
  assert.equal(total({ model: "claude-opus-4-6", at: "2026-02-10", speed: "fast", usage: { input: 250_000, output: 1000 } }), "15.225");
  // the usage's own speed (what ran) decides the bill
  assert.equal(total({ model: "claude-opus-4-6", at: "2026-02-10", usage: { input: 10_000, output: 1000, speed: "fast" } }), "0.45");
  assert.throws(() => price({ model: "claude-opus-4-6", at: "2026-02-10", speed: "fast", batch: true, usage: { input: 1, output: 1 } }), PricingError);
  assert.throws(() => price({ model: "claude-sonnet-4-5", speed: "fast", usage: { input: 1, output: 1 } }), /fast mode is not available/);
});

test("batch halves every class, caching stacks with it", () => {
  // 100,000 x 3 x 0.5 = 0.15; 50,000 x 0.30 x 0.5 = 0.0075; 100,000 x 15 x 0.5 = 0.75 -> 0.9075
  const priced = price({ model: "claude-sonnet-4-5", batch: true, usage: { input: 100_000, cacheRead: 50_000, output: 100_000 } });
  assert.equal(formatUsd(priced.result.total), "0.9075");
  assert.equal(priced.result.lines.find((line) => line.class === "cache_read")?.rate?.toString(), "0.15");
  // a usage that reports service_tier "batch" is billed as batch
  // 100,000 x 3 x 0.5 = 0.15
  assert.equal(total({ model: "claude-sonnet-4-5", usage: { input: 100_000, output: 0, serviceTier: "batch" } }), "0.15");
  // Priority Tier: the list-price equivalent, said to be one (the commitment is paid under its contract)
  const priority = price({ model: "claude-sonnet-4-5", usage: { input: 100_000, output: 0, serviceTier: "priority" } });
  assert.equal(formatUsd(priority.result.total), "0.3");
  assert.ok(priority.result.warnings.some((warning) => warning.startsWith("served from a Priority Tier commitment")), priority.result.warnings.join("; "));
  assert.deepEqual(price({ model: "claude-sonnet-4-5", usage: { input: 100_000, output: 0, serviceTier: "standard" } }).result.warnings, []);
  // batch and long context stack: 300,000 x 6 x 0.5 = 0.9
  assert.equal(total({ model: "claude-sonnet-4-5", batch: true, usage: { input: 300_000, output: 0 } }), "0.9");
  // Haiku 3 batch cache read on Bedrock is not offered: no cache rates there
  assert.throws(() => price({ model: "anthropic.claude-3-haiku-20240307-v1:0", usage: { input: 1, output: 1, cacheRead: 5 } }), /no cache read rate/);
});

test("inference_geo us: 1.1x on every class for 4.6+, an error for older models", () => {
  // 1,000,000 x 3.3 = 3.3; 100,000 x 16.5 = 1.65; 100,000 x 0.33 = 0.033 -> 4.983
  assert.equal(
    total({ model: "claude-sonnet-4-6", inferenceGeo: "us", usage: { input: 1_000_000, output: 100_000, cacheRead: 100_000 } }),
    "4.983",
  );
  assert.throws(
    () => price({ model: "claude-sonnet-4-5", inferenceGeo: "us", usage: { input: 1, output: 1 } }),
    (error: unknown) => error instanceof CatalogLookupError && error.field === "inference_geo" && /4\.6 and later/.test(error.message),
  );
});

test("a usage that says it ran in the US (a workspace default) is billed on the us route, as the ledger bills it; without a us route in the catalog, a lower bound", () => {
  // Asked for global, ran in the US: 1,000 x 3.3 = 0.0033; 100 x 16.5 = 0.00165 -> 0.00495 (global: 0.0045)
  const ran = price({ model: "claude-sonnet-4-6", usage: { input: 1000, output: 100, inferenceGeo: "us" } });
  assert.equal(formatUsd(ran.result.total), "0.00495");
  assert.equal(ran.offering.route, "us");
  assert.equal(ran.result.exact, true);
  assert.ok(ran.warnings.some((warning) => /inference_geo "us" ran .*priced at the us route's rates \(anthropic\/claude-sonnet-4-6\/us\)/.test(warning)), ran.warnings.join("; "));
  // Claude Platform on AWS takes inference_geo too; this catalog has no us route of it there: a lower bound.
  const platform = price({ model: "claude-sonnet-4-6", provider: "claude-platform-aws", usage: { input: 1000, output: 100, inferenceGeo: "us" } });
  assert.deepEqual([formatUsd(platform.result.total), platform.result.exact, platform.offering.route], ["0.0045", false, "global"]);
  // Reported "global" (or nothing): the route asked for.
  assert.equal(total({ model: "claude-sonnet-4-6", usage: { input: 1000, output: 100, inferenceGeo: "global" } }), "0.0045");
  // Sonnet 4.5 has no us route: the global rates are a lower bound, with no upper one.
  const older = price({ model: "claude-sonnet-4-5", usage: { input: 1000, output: 100, inferenceGeo: "us" } });
  assert.equal(formatUsd(older.result.total), "0.0045");
  assert.equal(older.result.exact, false);
  assert.equal(older.result.upper, undefined);
  assert.ok(older.warnings.some((warning) => /no "us" route of claude-sonnet-4-5 .*a lower bound/.test(warning)), older.warnings.join("; "));
  // Bedrock's routes are its own (it has a us one of Sonnet 4.5, 1.1x): a usage field there does not move the price.
  assert.equal(total({ model: "claude-sonnet-4-5", provider: "bedrock", route: "global", usage: { input: 1000, output: 100, inferenceGeo: "us" } }), "0.0045");
});

test("a route the model has nowhere on the provider is the route's fault, region or not; one it has elsewhere is the region's", () => {
  const refusal = (route: string, region: string) => {
    try {
      price({ model: "claude-sonnet-4-5", provider: "bedrock", route, region, usage: { input: 1, output: 1 } });
    } catch (error) {
      assert.ok(error instanceof CatalogLookupError, String(error));
      return { field: error.field, message: error.message };
    }
    assert.fail(`route ${route} in ${region} was priced`);
  };
  assert.deepEqual(refusal("gloabl", "us-east-1"), {
    field: "route",
    message: 'claude-sonnet-4-5 has no bedrock route "gloabl" (did you mean "global"?); its bedrock routes: global (us-east-1, eu-west-1); us (us-east-1)',
  });
  assert.deepEqual(refusal("us", "eu-west-1"), {
    field: "region",
    message: "claude-sonnet-4-5's bedrock route us is served from us-east-1, not eu-west-1; its routes served from eu-west-1: global",
  });
});

test("Bedrock: a geo profile of a 4.5 model pays the 10% regional premium, a pre-4.5 model does not", () => {
  // us. Sonnet 4.5: 100,000 x 3.3 + 10,000 x 16.5 = 0.33 + 0.165 = 0.495 ; global: 0.3 + 0.15 = 0.45
  assert.equal(total({ model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", usage: { input: 100_000, output: 10_000 } }), "0.495");
  assert.equal(total({ model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0", usage: { input: 100_000, output: 10_000 } }), "0.45");
  // us. Sonnet 4 (pre-4.5): 0.3 + 0.15 = 0.45, no premium
  assert.equal(total({ model: "us.anthropic.claude-sonnet-4-20250514-v1:0", usage: { input: 100_000, output: 10_000 } }), "0.45");
});

test("the issue's example: us. Sonnet 4.5 with 250,000 input, 1,000 output, 60,000 cache reads", () => {
  // 250,000 + 60,000 = 310,000 > 200,000 -> long-context tier at the regional rates:
  // 250,000 x 6.60 = 1.65; 60,000 x 0.66 = 0.0396; 1,000 x 24.75 = 0.02475 -> 1.71435
  const priced = price({ model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", usage: { input: 250_000, output: 1000, cacheRead: 60_000 } });
  assert.equal(priced.offering.provider, "bedrock");
  assert.equal(priced.offering.route, "us");
  assert.equal(formatUsd(priced.result.total), "1.71435");
});

test("Bedrock 1-hour cache writes: refused before they existed, priced after", () => {
  const usage = { input: 0, output: 0, cacheWrite1h: 100_000 };
  assert.throws(() => price({ model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", at: "2026-01-21", usage }), /1-hour cache TTL/);
  // 100,000 x 6.6 = 0.66
  assert.equal(total({ model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", at: "2026-01-22", usage }), "0.66");
});

test("web search is a flat $10 per 1,000 searches on top of tokens, not batch-discounted", () => {
  // tokens: 1,000 x 3 = 0.003; 3 searches x 10 / 1000 = 0.03 -> 0.033
  assert.equal(total({ model: "claude-sonnet-4-5", usage: { input: 1000, output: 0, webSearchRequests: 3 } }), "0.033");
  // batch: 1,000 x 1.5 = 0.0015 + 0.03 -> 0.0315
  assert.equal(total({ model: "claude-sonnet-4-5", batch: true, usage: { input: 1000, output: 0, webSearchRequests: 3 } }), "0.0315");
});

test("cache writes without their TTL split are a range, never guessed; why is the usage's warning, not said again here", () => {
  // 100,000 unsplit writes: at least 100,000 x 3.75 = 0.375, at most 100,000 x 6 = 0.6
  const priced = price({ model: "claude-sonnet-4-5", usage: { input: 0, output: 0, cacheWriteUnsplit: 100_000 } });
  assert.equal(priced.result.exact, false);
  assert.equal(formatUsd(priced.result.total), "0.375");
  assert.equal(formatUsd(priced.result.upper ?? -1n), "0.6");
  assert.deepEqual(priced.warnings, [], "normalize-usage.ts names the field that lacked the split");
});

test("unknown output is not zero: the total is a lower bound with no upper bound", () => {
  const priced = price({ model: "claude-sonnet-4-5", usage: { input: 1000 } });
  assert.equal(priced.result.exact, false);
  assert.equal(priced.result.upper, undefined);
  assert.equal(priced.result.lines.find((line) => line.class === "output")?.usd, undefined);
});

test("Claude Platform on AWS converts USD to CCUs at $0.01", () => {
  // 1,000,000 x 3 + 100,000 x 15 = 4.5 USD = 450 CCU
  const priced = price({ model: "claude-sonnet-4-6", provider: "claude-platform-aws", usage: { input: 1_000_000, output: 100_000 } });
  assert.equal(formatUsd(priced.result.total), "4.5");
  assert.equal(priced.billingUnits?.quantity.toString(), "450");
  assert.equal(priced.billingUnits?.name, "CCU");
});

test("unknown ids name the closest known ids", () => {
  assert.throws(
    () => price({ model: "claude-sonet-4-5", usage: { input: 1, output: 1 } }),
    (error: unknown) => error instanceof UnknownModelError && error.suggestions.includes("claude-sonnet-4-5"),
  );
});

test("ids resolve in every form", () => {
  const cases: [string, string, string, string][] = [
    ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5", "anthropic", "global"],
    ["claude-sonnet-4-5", "claude-sonnet-4-5", "anthropic", "global"],
    ["sonnet-4.5", "claude-sonnet-4-5", "anthropic", "global"],
    ["anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku", "bedrock", "in-region"],
    ["anthropic.claude-3-haiku-20240307", "claude-3-haiku", "bedrock", "in-region"],
    ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5", "bedrock", "us"],
    ["global.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5", "bedrock", "global"],
    ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku", "bedrock", "in-region"],
    ["arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5", "bedrock", "us"],
    ["meta.llama3-3-70b-instruct-v1:0", "llama-3-3-70b", "bedrock", "in-region"],
  ];
  for (const [id, model, provider, route] of cases) {
    const resolution = catalog.resolve(id);
    assert.deepEqual([resolution.model.id, resolution.provider, resolution.route], [model, provider, route], id);
  }
  assert.throws(
    () => catalog.resolve("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"),
    /arn_mappings/,
  );
});

test("Managed Agents: $0.08 per session-hour to the millisecond, not batch-discounted; rounded only where it must be", () => {
  // The fixture's Sonnet 4.5 block has no agent fee: refused, not priced as zero.
  assert.throws(() => price({ model: "claude-sonnet-4-5", usage: { input: 0, output: 0, agentSessionMs: 1000 } }), /Managed Agents sessions are not offered/);
  // 90 minutes = 5,400,000 ms x $0.08 / 3,600,000 = $0.12 exactly; tokens 1,000 x 3 = 0.003 -> 0.123
  const exact = price({ model: "claude-sonnet-4-6", usage: { input: 1000, output: 0, agentSessionMs: 5_400_000 } });
  assert.equal(formatUsd(exact.result.total), "0.123");
  assert.ok(!exact.warnings.some((warning) => /rounded/.test(warning)));
  // batch halves the tokens (0.0015), not the session fee (0.12)
  assert.equal(total({ model: "claude-sonnet-4-6", batch: true, usage: { input: 1000, output: 0, agentSessionMs: 5_400_000 } }), "0.1215");
  // 1 ms x 0.08 / 3,600,000 = 0.0000000000222... -> rounded half-even to 18 places, and said so
  const rounded = price({ model: "claude-sonnet-4-6", usage: { input: 0, output: 0, agentSessionMs: 1 } });
  assert.equal(formatUsd(rounded.result.total), "0.000000022222222222");
  assert.ok(rounded.warnings.some((warning) => /rounded half-even to the attodollar/.test(warning)));
});
