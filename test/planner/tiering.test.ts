/**
 * Model tiering: a cheaper acceptable model, candidates to validate, and the 4.7+ tokenizer that
 * emits about 1.3x the tokens for the same text (catalog `tokenizer`, with its source).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatUsd } from "../../src/pricing/money.js";
import { quote } from "../../src/pricing/quote.js";
import { planJson } from "../../src/planner/plan-json.js";
import { AT, optionOf, plannerCatalog, planYaml } from "./planner-fixture.js";

test("Opus 4.7 bills 1.3x the reference tokens: one request equals the engine on the converted counts", () => {
  const planned = planYaml("name: t\nsegments:\n  - name: s\n    requests_per_month: 1\n    input_tokens: 3500\n    output_tokens: 200\n    models: [claude-opus-4-7]\n");
  const option = optionOf(planned, "anthropic", "global", "claude-opus-4-7");
  // 3,500 x 1.3 = 4,550 input; 200 x 1.3 = 260 output; 4,550 x 5 + 260 x 25 = 22,750 + 6,500 = $0.02925
  const engine = quote(plannerCatalog(), { model: "claude-opus-4-7", at: AT, usage: { input: 4550, output: 260 } });
  assert.equal(option.monthly, engine.result.total);
  assert.equal(formatUsd(option.monthly ?? -1n), "0.02925");
  assert.equal(option.tokens?.tokenizerFactor.toString(), "1.3");
  assert.match(option.tokens?.tokenizerNote ?? "", /claude-opus-4-7 emits 1.3x the tokens of a pre-4.7 Claude tokenizer .*source: https:\/\/platform.claude.com\/docs\/en\/about-claude\/pricing/);
});

test("counts measured with the 4.7 tokenizer are not inflated again, and convert back down for older models", () => {
  const planned = planYaml(
    "name: t\nsegments:\n  - name: s\n    requests_per_month: 1\n    input_tokens: 1300\n    output_tokens: 130\n    token_counts_from: claude-opus-4-7\n    models: [claude-opus-4-7, claude-haiku-4-5]\n",
  );
  // Opus 4.7: 1,300 x 5 + 130 x 25 = 0.00975 (factor 1)
  assert.equal(formatUsd(optionOf(planned, "anthropic", "global", "claude-opus-4-7").monthly ?? -1n), "0.00975");
  // Haiku 4.5: 1,300 / 1.3 = 1,000 and 130 / 1.3 = 100 -> 1,000 x 1 + 100 x 5 = 0.0015
  assert.equal(formatUsd(optionOf(planned, "anthropic", "global", "claude-haiku-4-5").monthly ?? -1n), "0.0015");
});

test("tiering: the cheaper accepted model is recommended and the lever shows the saving with both tokenizer factors", () => {
  const planned = planYaml("name: t\nsegments:\n  - name: s\n    requests_per_month: 1000\n    input_tokens: 1000\n    output_tokens: 100\n    models: [claude-opus-4-7, claude-haiku-4-5]\n");
  const segment = planned.segments[0];
  assert.equal(segment?.recommended?.model, "claude-haiku-4-5");
  const tiering = segment?.levers.find((lever) => lever.lever === "model_tiering" && lever.applied);
  // Opus 4.7: 1,000 x (1,300 x 5 + 130 x 25 = $0.00975) = 9.75; Haiku 4.5: 1,000 x $0.0015 = 1.5; saving 8.25
  assert.equal(formatUsd(tiering?.saving ?? -1n), "8.25");
  assert.equal(tiering?.detail.from_tokenizer_factor, "1.3");
  assert.equal(tiering?.detail.tokenizer_factor, "1");
  // The baseline is the first-listed model at list price: 9.75; saving 9.75 - 1.5 = 8.25
  assert.equal(formatUsd(planned.recommendation.baseline ?? -1n), "9.75");
  assert.equal(formatUsd(planned.recommendation.saving ?? -1n), "8.25");
});

test("consider_models: a candidate to validate is priced but never recommended", () => {
  const planned = planYaml(
    "name: t\nsegments:\n  - name: s\n    requests_per_month: 1000\n    input_tokens: 1000\n    output_tokens: 100\n    models: [claude-sonnet-4-6]\n    consider_models: [claude-haiku-4-5, claude-opus-4-7]\n",
  );
  const segment = planned.segments[0];
  assert.equal(segment?.recommended?.model, "claude-sonnet-4-6");
  assert.ok(segment?.options.every((option) => option.model === "claude-sonnet-4-6"));
  const haiku = segment?.levers.find((lever) => lever.lever === "model_tiering" && /claude-haiku-4-5/.test(lever.title));
  // Sonnet 4.6: 1,000 x (1,000 x 3 + 100 x 15 = $0.0045) = 4.5; Haiku 1.5 -> saving 3
  assert.equal(formatUsd(haiku?.saving ?? -1n), "3");
  assert.equal(haiku?.applied, false);
  assert.match(haiku?.preconditions.join(" ") ?? "", /validate claude-haiku-4-5's output quality/);
  const opus = segment?.levers.find((lever) => lever.lever === "model_tiering" && /claude-opus-4-7/.test(lever.title));
  assert.equal(formatUsd(opus?.saving ?? -1n), "-5.25"); // 4.5 - 9.75
  assert.equal(opus?.detail.tokenizer_factor, "1.3");
});

test("when the first-listed model has no feasible route, the baseline is the recommended option at list price, and the JSON's baseline_definition says so", () => {
  const planned = planYaml(
    "name: t\nconstraints: { residency: eu }\nsegments:\n  - name: s\n    requests_per_month: 1000\n    input_tokens: 1000\n    output_tokens: 100\n    models: [my-llama, claude-haiku-4-5]\nself_host:\n  - { name: box, model: my-llama, gpu_usd_per_hour: 2, tokens_per_second: 100 }\n",
  );
  const segment = planned.segments[0];
  assert.equal(segment?.recommended?.model, "claude-haiku-4-5", "my-llama runs only on a box of unknown residency");
  assert.equal(segment?.baseline, segment?.recommended?.baseline);
  const json = planJson(planned) as { recommendation: { baseline_definition: string } };
  assert.match(json.recommendation.baseline_definition, /where that model has no feasible route, the recommended option at list price/);
});
