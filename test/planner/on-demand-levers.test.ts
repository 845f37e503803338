/**
 * The levers on one deployment — prompt caching, batch, discounts — and the rule that a
 * one-request workload costs exactly what the engine (`quote()`, i.e. `switchyard price`) says.
 * Rates (USD per million tokens): Haiku 4.5 $1 in / $5 out / $1.25 5m write / $2 1h write /
 * $0.10 read; Bedrock regional routes 1.1x; batch 0.5x. Arithmetic beside each assertion.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatUsd } from "../../src/pricing/money.js";
import { quote } from "../../src/pricing/quote.js";
import { AT, lever, optionOf, plannerCatalog, planYaml } from "./planner-fixture.js";

const segment = (fields: string) => `name: t\nsegments:\n  - name: s\n${fields.replace(/^/gm, "    ")}\n`;

test("a one-request workload costs exactly what quote() says, on every route", () => {
  const planned = planYaml(segment("requests_per_month: 1\ninput_tokens: 3500\noutput_tokens: 200\nmodels: [claude-haiku-4-5, claude-sonnet-4-6]"));
  const cases: [string, string, string][] = [
    ["anthropic", "global", "claude-haiku-4-5"],
    ["bedrock", "global", "claude-haiku-4-5"],
    ["bedrock", "us", "claude-haiku-4-5"],
    ["claude-platform-aws", "global", "claude-haiku-4-5"],
    ["anthropic", "us", "claude-sonnet-4-6"],
    ["bedrock", "us-gov", "claude-sonnet-4-6"],
  ];
  for (const [provider, route, model] of cases) {
    const option = optionOf(planned, provider, route, model);
    const engine = quote(plannerCatalog(), { model, provider: provider as "anthropic", route, at: AT, usage: { input: 3500, output: 200 } });
    assert.equal(option.monthly, engine.result.total, `${provider}/${route}/${model}`);
  }
  // Haiku 4.5 on the Claude API: 3,500 x 1 + 200 x 5 = 4,500 micro-dollars
  assert.equal(formatUsd(optionOf(planned, "anthropic", "global", "claude-haiku-4-5").monthly ?? -1n), "0.0045");
});

test("one batch-ok request equals the engine's batch price; one request with a prefix is not cached", () => {
  const batch = planYaml(segment("requests_per_month: 1\ninput_tokens: 3500\noutput_tokens: 200\nlatency: batch-ok\nmodels: [claude-haiku-4-5]"));
  const engine = quote(plannerCatalog(), { model: "claude-haiku-4-5", provider: "anthropic", at: AT, batch: true, usage: { input: 3500, output: 200 } });
  assert.equal(optionOf(batch, "anthropic", "global", "claude-haiku-4-5").monthly, engine.result.total); // 0.00225
  // One request with a 5,000-token prefix: a write (1.25x) with no read to repay it, so no caching.
  const cached = planYaml(segment("requests_per_month: 1\ninput_tokens: 100\ncached_prefix_tokens: 5000\noutput_tokens: 100\nmodels: [claude-haiku-4-5]"));
  const option = optionOf(cached, "anthropic", "global", "claude-haiku-4-5");
  const plain = quote(plannerCatalog(), { model: "claude-haiku-4-5", at: AT, usage: { input: 5100, output: 100 } });
  assert.equal(option.monthly, plain.result.total); // 5,100 x 1 + 100 x 5 = 0.0056
  assert.equal(option.config.cacheTtl, undefined);
  assert.equal(lever(option, "prompt_caching").applied, false);
});

test("prompt caching: writes vs reads from the arrival pattern, 5m vs 1h chosen by cost, break-even reads per write", () => {
  // 43,800 uniform requests = 1 a minute. Per request: 100 input, 5,000-token prefix, 100 output.
  const planned = planYaml(segment("requests_per_month: 43800\ninput_tokens: 100\ncached_prefix_tokens: 5000\noutput_tokens: 100\nmodels: [claude-haiku-4-5]"));
  const option = optionOf(planned, "anthropic", "global", "claude-haiku-4-5");
  const caching = lever(option, "prompt_caching");
  // 5m: 295 writes x (100 x 1 + 5,000 x 1.25 + 100 x 5 = $0.00685) = 2.02075
  //     43,505 reads x (100 x 1 + 5,000 x 0.1 + 100 x 5 = $0.0011) = 47.8555 -> 49.87625
  assert.equal(caching.detail.monthly_usd_5m, "49.87625");
  // 1h: 1 write x (100 + 5,000 x 2 + 500 = $0.0106) + 43,799 reads x $0.0011 = 0.0106 + 48.1789 = 48.1895 (cheaper: chosen)
  assert.equal(caching.detail.monthly_usd_1h, "48.1895");
  assert.equal(option.config.cacheTtl, "1h");
  assert.equal(formatUsd(option.monthly ?? -1n), "48.1895");
  // uncached: 43,800 x (5,100 x 1 + 100 x 5 = $0.0056) = 245.28; saving 245.28 - 48.1895 = 197.0905
  assert.equal(formatUsd(option.baseline ?? -1n), "245.28");
  assert.equal(formatUsd(caching.saving ?? -1n), "197.0905");
  assert.equal(caching.applied, true);
  // break-even reads per write: 5m (1.25 - 1) / (1 - 0.1) = 0.2778; 1h (2 - 1) / 0.9 = 1.1111
  assert.equal(caching.detail.break_even_reads_per_write_5m, "0.2778");
  assert.equal(caching.detail.break_even_reads_per_write_1h, "1.1111");
  // The breakdown by token class adds up: 4.38 + 0.01 + 21.8995 + 21.9 = 48.1895
  assert.deepEqual(
    option.breakdown.map((line) => [line.class, line.tokens?.toString(), formatUsd(line.usd)]),
    [
      ["input", "4380000", "4.38"],
      ["cache_write_1h", "5000", "0.01"],
      ["cache_read", "218995000", "21.8995"],
      ["output", "4380000", "21.9"],
    ],
  );
});

test("caching respects the minimum cacheable length (4,096 tokens on Haiku 4.5, 1,024 on Sonnet 4.6)", () => {
  const planned = planYaml(segment("requests_per_month: 43800\ninput_tokens: 100\ncached_prefix_tokens: 4000\noutput_tokens: 100\nmodels: [claude-haiku-4-5, claude-sonnet-4-6]"));
  const haiku = optionOf(planned, "anthropic", "global", "claude-haiku-4-5");
  const caching = lever(haiku, "prompt_caching");
  assert.equal(caching.applied, false);
  assert.match(caching.title, /4000-token prefix is below the 4096-token minimum/);
  // no caching: 43,800 x (4,100 x 1 + 100 x 5 = $0.0046) = 201.48
  assert.equal(formatUsd(haiku.monthly ?? -1n), "201.48");
  assert.equal(lever(optionOf(planned, "anthropic", "global", "claude-sonnet-4-6"), "prompt_caching").applied, true);
});

test("batch for batch-ok segments halves every class; where it is not offered the lever says so", () => {
  const planned = planYaml(segment("requests_per_month: 1000\ninput_tokens: 1000\noutput_tokens: 100\nlatency: batch-ok\nmodels: [claude-haiku-4-5]"));
  const direct = optionOf(planned, "anthropic", "global", "claude-haiku-4-5");
  // 1,000 x (1,000 x 1 + 100 x 5 = $0.0015) = 1.5 -> x 0.5 = 0.75
  assert.equal(formatUsd(direct.monthly ?? -1n), "0.75");
  assert.equal(direct.config.batch, true);
  assert.equal(formatUsd(lever(direct, "batch").saving ?? -1n), "0.75");
  const europe = optionOf(planned, "bedrock", "eu", "claude-haiku-4-5"); // the fixture's eu route has no batch
  assert.equal(lever(europe, "batch").applied, false);
  assert.match(lever(europe, "batch").title, /not offered/);
  // 1,000 x (1,000 x 1.1 + 100 x 5.5 = $0.00165) = 1.65
  assert.equal(formatUsd(europe.monthly ?? -1n), "1.65");
});

test("a realtime segment shows what batch would save, without applying it", () => {
  const planned = planYaml(segment("requests_per_month: 1000\ninput_tokens: 1000\noutput_tokens: 100\nmodels: [claude-haiku-4-5]"));
  const option = optionOf(planned, "anthropic", "global", "claude-haiku-4-5");
  assert.equal(formatUsd(option.monthly ?? -1n), "1.5");
  const batch = lever(option, "batch");
  assert.equal(batch.applied, false);
  assert.equal(formatUsd(batch.saving ?? -1n), "0.75");
  assert.match(batch.preconditions.join(" "), /latency: batch-ok/);
});

test("discounts: AWS on Bedrock, Anthropic on the Claude API and on Claude Platform on AWS (before CCUs)", () => {
  const planned = planYaml(
    `name: t\ndiscounts: { aws_percent: 10, anthropic_percent: 20 }\nsegments:\n  - name: s\n    requests_per_month: 1000\n    input_tokens: 1000\n    output_tokens: 100\n    models: [claude-haiku-4-5]\n`,
  );
  // list: 1,000 x $0.0015 = 1.5 everywhere global; Bedrock us 1.65
  assert.equal(formatUsd(optionOf(planned, "anthropic", "global", "claude-haiku-4-5").monthly ?? -1n), "1.2"); // 1.5 x 0.8
  assert.equal(formatUsd(optionOf(planned, "bedrock", "global", "claude-haiku-4-5").monthly ?? -1n), "1.35"); // 1.5 x 0.9
  assert.equal(formatUsd(optionOf(planned, "bedrock", "us", "claude-haiku-4-5").monthly ?? -1n), "1.485"); // 1.65 x 0.9
  const platform = optionOf(planned, "claude-platform-aws", "global", "claude-haiku-4-5");
  assert.equal(formatUsd(platform.monthly ?? -1n), "1.2"); // the Anthropic discount, not the AWS one
  assert.equal(platform.billingUnits?.quantity.toString(), "120"); // 1.2 / 0.01 CCU
  const discount = lever(optionOf(planned, "bedrock", "global", "claude-haiku-4-5"), "discount");
  assert.equal(formatUsd(discount.saving ?? -1n), "0.15");
  assert.deepEqual(
    optionOf(planned, "bedrock", "global", "claude-haiku-4-5").breakdown.at(-1),
    { class: "discount", tokens: undefined, quantity: "10%", usd: -150_000_000_000_000_000n },
  );
  // The Claude Platform on AWS lever compares it with Bedrock, both on the AWS invoice: 1.35 - 1.2 = 0.15
  const platformLever = planned.segments[0]?.levers.find((candidate) => candidate.lever === "claude_platform_aws");
  assert.equal(formatUsd(platformLever?.saving ?? -1n), "0.15");
});

test("tool use adds the model's tool-use system prompt (346 tokens on Haiku 4.5 with tool_choice auto)", () => {
  const planned = planYaml(segment("requests_per_month: 1\ninput_tokens: 1000\noutput_tokens: 100\ntool_choice: auto\nmodels: [claude-haiku-4-5]"));
  const option = optionOf(planned, "anthropic", "global", "claude-haiku-4-5");
  const engine = quote(plannerCatalog(), { model: "claude-haiku-4-5", at: AT, usage: { input: 1346, output: 100 } });
  assert.equal(option.monthly, engine.result.total); // 1,346 x 1 + 100 x 5 = 0.001846
  assert.equal(formatUsd(option.monthly ?? -1n), "0.001846");
});

test("web search: a flat $10 per 1,000 searches where offered; infeasible where not", () => {
  const planned = planYaml(segment("requests_per_month: 1000\ninput_tokens: 1000\noutput_tokens: 100\nweb_searches_per_request: 0.5\nmodels: [claude-haiku-4-5]"));
  // tokens 1.5 + 500 searches x 10 / 1,000 = 5 -> 6.5
  assert.equal(formatUsd(optionOf(planned, "anthropic", "global", "claude-haiku-4-5").monthly ?? -1n), "6.5");
  const bedrock = optionOf(planned, "bedrock", "global", "claude-haiku-4-5");
  assert.equal(bedrock.feasible, false);
  assert.match(bedrock.reasons.join(" "), /500 web searches a month.*does not offer the web search tool/);
  // An offering that runs the tool but whose fee no source gives (the fixture's Bedrock us route; Vertex AI in
  // the repository catalog): the searches' cost is unknown, which is not "not offered".
  const unknownFee = optionOf(planned, "bedrock", "us", "claude-haiku-4-5");
  assert.equal(unknownFee.feasible, false);
  assert.match(unknownFee.reasons.join(" "), /500 web searches a month, and the catalog has no fee for bedrock\/us's searches .*their cost is unknown/);
});

test("the Claude Platform on AWS lever compares one model both ways, not Haiku on the platform with a cheaper Llama on Bedrock", () => {
  const planned = planYaml(segment("requests_per_month: 1000\ninput_tokens: 1000\noutput_tokens: 100\nmodels: [claude-haiku-4-5, llama-3-3-70b]"));
  const platformLever = planned.segments[0]?.levers.find((candidate) => candidate.lever === "claude_platform_aws");
  assert.ok(platformLever, "the lever is there");
  const bedrockOption = platformLever.detail.bedrock_option as string;
  assert.match(bedrockOption, /\|bedrock\/[^|]*\/claude-haiku-4-5\|/, `compared with Haiku on Bedrock, got ${bedrockOption}`);
  // Haiku 4.5 both ways on global routes at list price: 1,000 x (1,000 x $1 + 100 x $5) / 1M = 1.5 each
  assert.equal(formatUsd(platformLever.saving ?? -1n), "0");
  assert.match(platformLever.title, /^claude-haiku-4-5 on Claude Platform on AWS \(global\) \$1\.50\/month vs on Bedrock \(global\) \$1\.50\/month/);
});
