/**
 * Months whose volume rounds to 0 under steep negative growth, with a provisioned-throughput quote
 * and a self-hosting entry. At -99.9% a month, 876,000 requests become 876, then 0.876 -> 1, then
 * 0.000876 -> 0. A month with no requests has no on-demand cost per request (0 / 0), so it has no
 * break-even to report: the levers say so, rather than "never" (which would say the commitment
 * pays at no volume at all). The month's costs stay exact: 1 MU is still paid for ($14,600), the
 * always-on replica too ($1,460), and on-demand costs $0.
 *
 * Quote as in provisioned.test.ts: $20 per MU-hour, 100,000 input and 10,000 output tokens per
 * minute per MU; requests of 10,000 input + 1,000 output tokens: one MU serves 600 an hour, and
 * on demand (global Sonnet 4.6, $3 / $15) a request costs $0.045. The self-hosted replica serves
 * 11,000 x 3,600 / 11,000 = 3,600 requests an hour for $2 x 730 = $1,460 a month.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatUsd } from "../../src/pricing/money.js";
import { plan, planSegment } from "../../src/planner/plan.js";
import { renderHtml } from "../../src/planner/report/html.js";
import { renderTerminal } from "../../src/planner/report/terminal.js";
import { volumeCurves } from "../../src/planner/volume-curves.js";
import { loadWorkload } from "../../src/planner/workload-models.js";
import { AT, lever, optionOf, plannerCatalog, sonnetQuote } from "./planner-fixture.js";

const WORKLOAD = `name: vanishing
growth_percent_per_month: -99.9
horizon_months: 3
segments:
  - name: s
    requests_per_month: 876000
    input_tokens: 10000
    output_tokens: 1000
    models: [claude-sonnet-4-6]
${sonnetQuote("quote")}self_host:
  - name: box
    model: claude-sonnet-4-6
    gpu_usd_per_hour: 2
    tokens_per_second: 11000
    utilisation: 1
    scaling: always-on
    residency: us
`;

function planned() {
  const catalog = plannerCatalog();
  const resolved = loadWorkload(WORKLOAD, "test.yaml", catalog);
  return { catalog, resolved, plan: plan(catalog, resolved, { at: AT }) };
}

test("the projection reaches a month of 0 requests and prices every month exactly", () => {
  const { plan: result } = planned();
  const projection = result.recommendation.projection;
  assert.deepEqual(projection.map((point) => point.requests.s), [876_000n, 876n, 1n, 0n]);
  // Month 0: the replica ($1,460) beats one MU ($14,600 + spill) and on demand (876,000 x 0.045 = $39,420);
  // then on demand: 876 x 0.045 = $39.42, 1 x 0.045, and $0 for no requests.
  assert.deepEqual(projection.map((point) => (point.monthly === undefined ? "none" : formatUsd(point.monthly))), ["1460", "39.42", "0.045", "0"]);
  assert.deepEqual(projection.map((point) => point.choices.s?.split("|")[2]), ["self-host", "on-demand", "on-demand", "on-demand"]);
});

test("a month of 0 requests: provisioned and self-hosted options are priced, and say why they have no break-even instead of \"never\"", () => {
  const { catalog, resolved, plan: result } = planned();
  const segment = resolved.segments[0];
  assert.ok(segment);
  const zero = planSegment(catalog, result.workload, segment, 0n, AT);
  const monthPlan = { ...result, segments: [zero] };
  const provisioned = optionOf(monthPlan, "bedrock", "global", "claude-sonnet-4-6", "provisioned");
  // min_units is paid for all month: 1 x $20 x 730.
  assert.equal(formatUsd(provisioned.monthly ?? -1n), "14600");
  const units = lever(provisioned, "provisioned_throughput");
  assert.equal(units.detail.spill_requests, "0");
  assert.equal(units.detail.utilisation, "0");
  assert.equal(units.detail.break_even_requests_per_month, null, "no figure at 0 requests, and not \"never\"");
  assert.match(String(units.detail.no_break_even_reason), /^no requests this month, so there is no on-demand cost per request/);
  assert.match(units.title, /; no break-even: no requests this month/);

  const hosted = zero.options.find((option) => option.kind === "self-host");
  assert.ok(hosted);
  assert.equal(formatUsd(hosted.monthly ?? -1n), "1460");
  const selfHost = lever(hosted, "self_host");
  assert.equal(selfHost.detail.load_share_of_paid_capacity, "0");
  assert.equal(selfHost.detail.break_even_requests_per_month, null);
  assert.match(String(selfHost.detail.no_break_even_reason), /^no requests this month/);

  // Nothing in the month's own levers is "never" or NaN, and the report of that month renders.
  const text = renderTerminal(monthPlan);
  assert.doesNotMatch(text, /NaN|Infinity|undefined/);
  assert.match(text, /Segment s: 0 requests\/month/);
});

test("with traffic the same entries break even at a volume: 324,445 requests for one MU, 32,445 for the replica", () => {
  const { plan: result } = planned();
  const provisioned = lever(optionOf(result, "bedrock", "global", "claude-sonnet-4-6", "provisioned"), "provisioned_throughput");
  // One MU ($14,600) pays when 0.045 x served >= 14,600: 324,444.4 -> 324,445, reached in month 0.
  assert.equal(provisioned.detail.break_even_requests_per_month, "324445");
  assert.equal(provisioned.detail.no_break_even_reason, null);
  assert.equal(provisioned.detail.break_even_month, 0);
  const hosted = result.segments[0]?.options.find((option) => option.kind === "self-host");
  assert.ok(hosted);
  // One replica ($1,460) against $0.045 a request: 32,444.4 -> 32,445.
  assert.equal(lever(hosted, "self_host").detail.break_even_requests_per_month, "32445");
  assert.match(lever(hosted, "self_host").title, /; breaks even at 32,445 requests a month$/);
});

test("the cost-against-volume chart of a workload that shrinks to 0: the horizon marker at 0, no broken point", () => {
  const { catalog, resolved, plan: result } = planned();
  const curves = volumeCurves(catalog, resolved, result);
  const markers = curves[0]?.markers ?? [];
  assert.deepEqual(markers.find((marker) => marker.kind === "horizon")?.requests, 0n);
  for (const series of curves[0]?.series ?? []) {
    for (const point of series.points) assert.ok(point.requests > 0n && point.monthly !== undefined, `${series.label} at ${point.requests}`);
  }
  const page = renderHtml(result, curves);
  assert.doesNotMatch(page, /NaN|Infinity/);
  assert.match(page, /<g data-marker="horizon" data-requests="0">/);
});
