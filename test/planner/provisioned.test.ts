/**
 * Provisioned throughput from a user's quote: the MU count that minimises cost under the hourly
 * shape with on-demand spill-over, and the break-even monthly volume. Quote: $20 per MU-hour,
 * 100,000 input and 10,000 output tokens per minute per MU. Requests of 10,000 input + 1,000
 * output tokens, so one MU serves min(100,000 x 60 / 10,000, 10,000 x 60 / 1,000) = 600 an hour.
 * On-demand (Bedrock global Sonnet 4.6, $3 / $15): 10,000 x 3 + 1,000 x 15 = $0.045 a request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatUsd } from "../../src/pricing/money.js";
import { grownRequests } from "../../src/planner/plan.js";
import { Decimal } from "../../src/pricing/decimal.js";
import { lever, optionOf, planYaml, sonnetQuote } from "./planner-fixture.js";

const workload = (requests: number, extra = "", quote = "") => `name: pt
${extra}segments:
  - name: s
    requests_per_month: ${requests}
    input_tokens: 10000
    output_tokens: 1000
    models: [claude-sonnet-4-6]
ARRIVAL
${sonnetQuote("quote", quote)}`;

test("uniform traffic: two MUs carry 1,200 requests an hour with no spill and beat on-demand", () => {
  const planned = planYaml(workload(876_000).replace("ARRIVAL", ""));
  const pt = optionOf(planned, "bedrock", "global", "claude-sonnet-4-6", "provisioned");
  // demand 876,000 / 730 = 1,200 an hour. On-demand 876,000 x 0.045 = 39,420.
  // n=1: 1 x 20 x 730 = 14,600 + spill (1,200 - 600) x 730 = 438,000 x 0.045 = 19,710 -> 34,310
  // n=2: 29,200, no spill (chosen); n=3: 43,800
  assert.equal(pt.config.units, 2);
  assert.equal(formatUsd(pt.monthly ?? -1n), "29200");
  const provisioned = lever(pt, "provisioned_throughput");
  assert.equal(formatUsd(provisioned.saving ?? -1n), "10220"); // 39,420 - 29,200
  assert.equal(provisioned.detail.spill_requests, "0");
  // break-even: one MU (14,600) pays when 0.045 x served >= 14,600 -> served >= 324,444.4 -> 324,445 requests a month
  assert.equal(provisioned.detail.break_even_requests_per_month, "324445");
  assert.equal(planned.segments[0]?.recommended?.id, pt.id);
});

test("the same volume packed into 12 hours a day: one MU with spill, and it never pays", () => {
  const hourly = "    arrival: { hourly: [1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0] }";
  const planned = planYaml(workload(438_000).replace("ARRIVAL", hourly));
  const pt = optionOf(planned, "bedrock", "global", "claude-sonnet-4-6", "provisioned");
  // 12 busy hours x 730/24 days = 365 busy hours; 438,000 / 365 = 1,200 an hour. On-demand 438,000 x 0.045 = 19,710.
  // n=1: 14,600 + spill (1,200 - 600) x 365 = 219,000 x 0.045 = 9,855 -> 24,455 (chosen); n=2: 29,200
  assert.equal(pt.config.units, 1);
  assert.equal(formatUsd(pt.monthly ?? -1n), "24455");
  const provisioned = lever(pt, "provisioned_throughput");
  assert.equal(provisioned.detail.spill_requests, "219000");
  assert.equal(formatUsd(provisioned.saving ?? -1n), "-4745"); // 19,710 - 24,455
  // A fully busy MU serves at most 600 x 365 = 219,000 requests = 9,855 of on-demand traffic < 14,600: never
  assert.equal(provisioned.detail.break_even_requests_per_month, "never");
  assert.equal(planned.segments[0]?.recommended?.kind, "on-demand");
});

test("the AWS discount applies to units unless the quote is already net", () => {
  const discounted = planYaml(workload(876_000, "discounts: { aws_percent: 10 }\n").replace("ARRIVAL", ""));
  // units 29,200 x 0.9 = 26,280
  assert.equal(formatUsd(optionOf(discounted, "bedrock", "global", "claude-sonnet-4-6", "provisioned").monthly ?? -1n), "26280");
  const net = planYaml(workload(876_000, "discounts: { aws_percent: 10 }\n", "    includes_discount: true\n").replace("ARRIVAL", ""));
  assert.equal(formatUsd(optionOf(net, "bedrock", "global", "claude-sonnet-4-6", "provisioned").monthly ?? -1n), "29200");
});

test("growth: the month the volume crosses the break-even, and the projection switches to provisioned", () => {
  const planned = planYaml(workload(300_000, "growth_percent_per_month: 10\nhorizon_months: 3\n").replace("ARRIVAL", ""));
  // volumes: 300,000; 330,000; 363,000; 399,300 (x 1.1 a month, rounded half-even)
  assert.deepEqual([0, 1, 2, 3].map((month) => grownRequests(300_000, Decimal.parse("10"), month)), [300_000n, 330_000n, 363_000n, 399_300n]);
  const pt = optionOf(planned, "bedrock", "global", "claude-sonnet-4-6", "provisioned");
  assert.equal(lever(pt, "provisioned_throughput").detail.break_even_month, 1); // 330,000 >= 324,445
  const projection = planned.recommendation.projection;
  assert.equal(projection.length, 4);
  // month 0: on-demand 300,000 x 0.045 = 13,500 beats one MU (14,600); month 1: 14,850 on-demand vs 14,600 -> provisioned
  assert.equal(formatUsd(projection[0]?.monthly ?? -1n), "13500");
  assert.match(projection[0]?.choices.s ?? "", /on-demand$/);
  assert.equal(formatUsd(projection[1]?.monthly ?? -1n), "14600");
  assert.match(projection[1]?.choices.s ?? "", /provisioned/);
});

/**
 * Haiku 4.5 ($1 / $5) at 500 input + 500 output tokens: $0.003 a request on Bedrock's global route,
 * $0.0033 on its us route (1.1x). A us quote at $28.50 per MU-hour: one MU costs 28.5 x 730 =
 * $20,805 a month and carries 1,000,000 x 60 / 500 = 120,000 requests an hour, so 13,065,000
 * uniform requests (17,897 an hour) never spill.
 */
const haikuQuote = (residency: string) => `name: haiku-pt
segments:
  - name: s
    requests_per_month: 13065000
    input_tokens: 500
    output_tokens: 500
    models: [claude-haiku-4-5]
constraints: { residency: ${residency} }
provisioned_throughput:
  - name: haiku-us
    model: claude-haiku-4-5
    route: us
    term: 1-month
    usd_per_mu_hour: 28.5
    input_tokens_per_minute_per_mu: 1000000
    output_tokens_per_minute_per_mu: 1000000
`;

test("residency any: the saving and break-even are measured against the cheapest on-demand route (global), not the quote's us route", () => {
  const pt = optionOf(planYaml(haikuQuote("any")), "bedrock", "us", "claude-haiku-4-5", "provisioned");
  const provisioned = lever(pt, "provisioned_throughput");
  assert.match(String(provisioned.detail.on_demand_comparator), /bedrock\/global.*claude-haiku-4-5/);
  assert.match(String(provisioned.detail.spill_over_route), /bedrock\/us.*claude-haiku-4-5/);
  // 13,065,000 x 0.003 = 39,195 - 20,805 = 18,390 (against the us route: 43,114.50 - 20,805 = 22,309.50)
  assert.equal(formatUsd(provisioned.saving ?? -1n), "18390");
  // 20,805 / 0.003 = 6,935,000 (against the us route: 20,805 / 0.0033 = 6,304,545.45 -> 6,304,546)
  assert.equal(provisioned.detail.break_even_requests_per_month, "6935000");
  assert.match(provisioned.title, /measured against bedrock\/global.* claude-haiku-4-5 on demand \(\$39,195\.00\/month\)/);
});

test("residency us: the in-region route is what the team would otherwise pay, so it is the reference", () => {
  const pt = optionOf(planYaml(haikuQuote("us")), "bedrock", "us", "claude-haiku-4-5", "provisioned");
  const provisioned = lever(pt, "provisioned_throughput");
  assert.match(String(provisioned.detail.on_demand_comparator), /\/us.*claude-haiku-4-5/);
  assert.equal(formatUsd(provisioned.saving ?? -1n), "22309.5");
  assert.equal(provisioned.detail.break_even_requests_per_month, "6304546");
});

test("spill-over dearer than the reference: the break-even counts the spilled requests at the spill-over route's price", () => {
  // Two busy hours a day, weights 3 and 1: each hour bucket carries at most K = 120,000 x 730/24 =
  // 3,650,000 requests a month on one MU. Between V = 4K/3 and 4K the first hour spills 3V/4 - K.
  // f(V) = 20,805 + spill x 0.0033 - 0.003 V: 8,760 - 0.000525 V there, and -3,285 + 0.0003 V beyond
  // 4K = 14,600,000, where f is least: 1,095 > 0, so one MU never beats the global route. Counting
  // the spill at the reference's price instead would say 13,140,000 (served K + V/4 = 6,935,000).
  const twoHours = haikuQuote("any").replace("    models:", "    arrival: { hourly: [3,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0] }\n    models:");
  const provisioned = lever(optionOf(planYaml(twoHours), "bedrock", "us", "claude-haiku-4-5", "provisioned"), "provisioned_throughput");
  assert.equal(provisioned.detail.break_even_requests_per_month, "never");
});

test("break-even where units spill: the first volume whose units plus spill cost no more than the reference", () => {
  // As above at $20 per MU-hour (14,600 a month): f(V) = 14,600 - 0.003 V up to 4K/3 = 4,866,666.67
  // (f = 0 at 4,866,666.67 x 0.003 = 14,600: exactly there), so V* = 4,866,667 rounds up across the kink:
  // f(4,866,667) = 14,600 + (3,650,000.25 - 3,650,000) x 0.0033 - 14,600.001 = -0.000175 <= 0.
  const twoHours = haikuQuote("any")
    .replace("    models:", "    arrival: { hourly: [3,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0] }\n    models:")
    .replace("usd_per_mu_hour: 28.5", "usd_per_mu_hour: 20");
  const provisioned = lever(optionOf(planYaml(twoHours), "bedrock", "us", "claude-haiku-4-5", "provisioned"), "provisioned_throughput");
  assert.equal(provisioned.detail.break_even_requests_per_month, "4866667");
});

test("a shrinking workload: negative growth compounds exactly, and the projection leaves provisioned throughput once the volume falls below its break-even", () => {
  // -20% a month: 400,000; 320,000; 256,000; 204,800 (x 0.8, exact). The break-even is 324,445 (above).
  assert.deepEqual([0, 1, 2, 3].map((month) => grownRequests(400_000, Decimal.parse("-20"), month)), [400_000n, 320_000n, 256_000n, 204_800n]);
  assert.equal(grownRequests(10_000, Decimal.parse("-2.5"), 3), 9269n, "10,000 x 0.975^3 = 9,268.59375");
  const planned = planYaml(workload(400_000, "growth_percent_per_month: -20\nhorizon_months: 3\n").replace("ARRIVAL", ""));
  const projection = planned.recommendation.projection;
  assert.deepEqual(projection.map((point) => point.requests.s), [400_000n, 320_000n, 256_000n, 204_800n]);
  assert.deepEqual(projection.map((point) => point.choices.s?.includes("|provisioned")), [true, false, false, false]);
  // 204,800 x 0.045 = 9,216 on demand
  assert.equal(formatUsd(projection[3]?.monthly ?? -1n), "9216");
});
