/**
 * Feasibility: residency, compliance, billing, required features, the TTFT SLO (from catalog
 * latency data, naming its source), availability on the date, the context window, allowed
 * providers. Infeasible options stay in the output with a reason a person can act on.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatUsd } from "../../src/pricing/money.js";
import { optionOf, planYaml } from "./planner-fixture.js";

const workload = (constraints: string, models = "[claude-haiku-4-5]", extra = "") =>
  `name: t\nconstraints: ${constraints}\nsegments:\n  - name: s\n    requests_per_month: 1000\n    input_tokens: 1000\n    output_tokens: 100\n    models: ${models}\n${extra}`;

test("residency eu: only the eu route is feasible, and the others say which route would keep the data in the EU", () => {
  const planned = planYaml(workload("{ residency: eu }"));
  const europe = optionOf(planned, "bedrock", "eu", "claude-haiku-4-5");
  assert.equal(europe.feasible, true);
  assert.equal(europe.rank, 1);
  const global = optionOf(planned, "bedrock", "global", "claude-haiku-4-5");
  assert.equal(global.feasible, false);
  // 1,000 x (1,000 x 1.1 + 100 x 5.5) = 1.65 on the eu route
  assert.match(global.reasons[0] ?? "", /may process data in any region worldwide, but residency eu is required; routes of bedrock claude-haiku-4-5 that keep data in the European Union: eu \[eu-west-1\] \(\$1\.65\/month\)/);
  const direct = optionOf(planned, "anthropic", "global", "claude-haiku-4-5");
  assert.match(direct.reasons[0] ?? "", /anthropic has no route of claude-haiku-4-5 that keeps data there — pick another provider or relax residency/);
  assert.equal(planned.segments[0]?.recommended?.id, europe.id);
});

test("residency us accepts GovCloud; what residency costs is a lever", () => {
  const planned = planYaml(workload("{ residency: us }"));
  assert.equal(optionOf(planned, "bedrock", "us", "claude-haiku-4-5").feasible, true);
  const cost = planned.segments[0]?.levers.find((lever) => lever.lever === "residency_cost");
  // us route 1.65 vs global 1.5: residency costs 0.15 a month
  assert.equal(formatUsd(cost?.saving ?? -1n), "0.15");
  const gov = planYaml(workload("{ residency: us }", "[claude-sonnet-4-6]"));
  assert.equal(optionOf(gov, "bedrock", "us-gov", "claude-sonnet-4-6").feasible, true);
});

test("compliance: fedramp-high leaves only the GovCloud route, and says what each other route lists", () => {
  const planned = planYaml(workload("{ compliance: [fedramp-high] }", "[claude-sonnet-4-6]"));
  const feasible = planned.segments[0]?.options.filter((option) => option.feasible).map((option) => `${option.provider}/${option.route}`);
  assert.deepEqual(feasible, ["bedrock/us-gov"]);
  const direct = optionOf(planned, "anthropic", "global", "claude-sonnet-4-6");
  assert.match(direct.reasons.join(" "), /is not listed for fedramp-high \(it lists: soc2, hipaa\); pick a deployment that lists it/);
  // GovCloud Sonnet 4.6 at $3.60 / $18: 1,000 x (1,000 x 3.6 + 100 x 18) = 5.4
  assert.equal(formatUsd(optionOf(planned, "bedrock", "us-gov", "claude-sonnet-4-6").monthly ?? -1n), "5.4");
});

test("billing aws-invoice: the Claude API is out, Bedrock and Claude Platform on AWS stay", () => {
  const planned = planYaml(workload("{ billing: aws-invoice }"));
  const direct = optionOf(planned, "anthropic", "global", "claude-haiku-4-5");
  assert.equal(direct.feasible, false);
  assert.match(direct.reasons[0] ?? "", /billed by Anthropic, not on the AWS invoice; Bedrock and Claude Platform on AWS bill through AWS/);
  assert.equal(optionOf(planned, "claude-platform-aws", "global", "claude-haiku-4-5").feasible, true);
  assert.equal(optionOf(planned, "bedrock", "global", "claude-haiku-4-5").feasible, true);
});

test("TTFT SLO: decided by the catalog's p99 measurement, naming its source; unknown latency is a warning or a refusal", () => {
  const planned = planYaml(workload("{ ttft_p99_ms: 1500 }", "[claude-sonnet-4-6]"));
  const direct = optionOf(planned, "anthropic", "global", "claude-sonnet-4-6");
  assert.equal(direct.feasible, true);
  assert.match(direct.checks.find((check) => check.check === "ttft")?.message ?? "", /p99 TTFT 1450 ms <= 1500 ms \(source: shared\/seeds\/000_67d55122fa70f583\.txt, unverified/);
  const bedrockUs = optionOf(planned, "bedrock", "us", "claude-sonnet-4-6");
  assert.equal(bedrockUs.feasible, false);
  assert.match(bedrockUs.reasons[0] ?? "", /p99 TTFT 1980 ms exceeds the 1500 ms SLO \(source: shared\/seeds\/000_67d55122fa70f583\.txt.*pick a faster route, use provisioned throughput, or relax ttft_p99_ms/);
  const unmeasured = optionOf(planned, "bedrock", "global", "claude-sonnet-4-6");
  assert.equal(unmeasured.feasible, true);
  assert.match(unmeasured.warnings.join(" "), /no TTFT measurement in the catalog for bedrock\/global/);
  const strict = planYaml(workload("{ ttft_p99_ms: 1500, unknown_latency: reject }", "[claude-sonnet-4-6]"));
  assert.equal(optionOf(strict, "bedrock", "global", "claude-sonnet-4-6").feasible, false);
  // The seed's "sub-500 ms p99: use the Anthropic API" fails on the seed's own figure (1,450 ms).
  const seedClaim = planYaml(workload("{ ttft_p99_ms: 500, unknown_latency: reject }", "[claude-sonnet-4-6]"));
  assert.equal(seedClaim.segments[0]?.recommended, undefined);
  assert.deepEqual(seedClaim.recommendation.unserved, ["s"]);
});

test("a batch-ok segment is not held to the TTFT SLO", () => {
  const planned = planYaml(workload("{ ttft_p99_ms: 500 }", "[claude-sonnet-4-6]", "    latency: batch-ok\n"));
  assert.equal(optionOf(planned, "bedrock", "us", "claude-sonnet-4-6").feasible, true);
});

test("required features: web search is not on Bedrock; an unknown capability is a warning", () => {
  const planned = planYaml(workload("{}", "[claude-haiku-4-5]", "    requires: [web_search, vision]\n"));
  assert.equal(optionOf(planned, "anthropic", "global", "claude-haiku-4-5").feasible, true);
  const bedrock = optionOf(planned, "bedrock", "global", "claude-haiku-4-5");
  assert.match(bedrock.reasons[0] ?? "", /does not offer the web search tool, which the segment requires; drop it from requires: or pick another deployment/);
  const sonnet = planYaml(workload("{}", "[claude-sonnet-4-6]", "    requires: [vision]\n"));
  assert.match(optionOf(sonnet, "anthropic", "global", "claude-sonnet-4-6").warnings.join(" "), /does not say whether .* supports image input/);
});

test("availability: no price on the date, with the periods that exist; retired models", () => {
  const planned = planYaml(workload("{}"), "2025-01-01");
  const direct = optionOf(planned, "anthropic", "global", "claude-haiku-4-5");
  assert.equal(direct.feasible, false);
  assert.match(direct.reasons[0] ?? "", /has no price on 2025-01-01; the catalog has prices for 2025-10-15 onwards; plan for a date on which it has a price/);
});

test("context window and output limit: the largest request must fit", () => {
  const planned = planYaml(
    "name: t\nsegments:\n  - name: s\n    requests_per_month: 10\n    input_tokens: { mean: 50000, max: 250000 }\n    output_tokens: 1000\n    models: [claude-haiku-4-5, claude-sonnet-4-6]\n",
  );
  const haiku = optionOf(planned, "anthropic", "global", "claude-haiku-4-5");
  assert.match(haiku.reasons[0] ?? "", /largest request \(250000 input \+ 1000 output tokens\) exceeds the 200000-token context window; split the request or pick a larger-context model/);
  assert.equal(optionOf(planned, "anthropic", "global", "claude-sonnet-4-6").feasible, true);
});

test("allowed providers", () => {
  const planned = planYaml(workload("{ providers: [bedrock] }"));
  assert.match(optionOf(planned, "anthropic", "global", "claude-haiku-4-5").reasons[0] ?? "", /anthropic is not in constraints.providers \(bedrock\); add it there/);
  assert.equal(planned.segments[0]?.recommended?.provider, "bedrock");
});

test("per-segment constraints replace the workload's, field by field", () => {
  const planned = planYaml(
    "name: t\nconstraints: { residency: eu }\nsegments:\n  - name: public\n    requests_per_month: 1000\n    input_tokens: 1000\n    output_tokens: 100\n    models: [claude-haiku-4-5]\n    constraints: { residency: any }\n  - name: private\n    requests_per_month: 1000\n    input_tokens: 1000\n    output_tokens: 100\n    models: [claude-haiku-4-5]\n",
  );
  assert.equal(planned.segments[0]?.recommended?.residency, "global");
  assert.equal(planned.segments[1]?.recommended?.residency, "eu");
});

test("every infeasible option carries at least one reason, and ranks come only from feasible options", () => {
  const planned = planYaml(workload("{ residency: us, compliance: [hipaa], billing: aws-invoice }", "[claude-haiku-4-5, claude-sonnet-4-6]"));
  for (const option of planned.segments[0]?.options ?? []) {
    if (option.feasible) assert.ok(option.rank !== undefined && option.reasons.length === 0, option.id);
    else assert.ok(option.rank === undefined && option.reasons.length > 0 && option.reasons.every((reason) => reason.length > 40), option.id);
  }
  const ranked = (planned.segments[0]?.options ?? []).filter((option) => option.feasible);
  for (let index = 1; index < ranked.length; index += 1) assert.ok((ranked[index - 1]?.monthly ?? 0n) <= (ranked[index]?.monthly ?? 0n));
});
