/**
 * The Savings page (src/dashboard/pages/savings-page.ts) compares only what a deployment served and
 * the gateway priced, and only deployments that could price all of it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { DashboardContext } from "../../src/dashboard/context.js";
import { savingsPage } from "../../src/dashboard/pages/savings-page.js";
import type { SpendGroup } from "../../src/ledger/ledger.js";
import { spendGroup } from "./spend-group.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const DAY = new Date(NOW).toISOString().slice(0, 10);

const group = (deployment: string | null, fields: Partial<SpendGroup>) => spendGroup({ day: DAY, requested_model: "claude-sonnet-4-6", deployment }, fields);

function contextWith(groups: SpendGroup[]): DashboardContext {
  return { state: { now: () => NOW, store: { spend: async () => groups }, config: { deployments: new Map() } }, keys: { list: async () => [] } } as unknown as DashboardContext;
}

test("requests no deployment served (429s, 404s) and unpriced ones are left out of the comparison, and the page says how many", async () => {
  const { body } = await savingsPage(
    contextWith([
      // Served and priced: 3 on the Anthropic API, 1 of them unpriced; 2 on Bedrock.
      group("anthropic-sonnet", { requests: 3, unpriced_requests: 1, inexact_requests: 1, cost_usd: "0.3", charged_usd: "0.3", shadow_costs: { "bedrock-sonnet-us": "0.33" } }),
      group("bedrock-sonnet-us", { requests: 2, cost_usd: "0.22", charged_usd: "0.22", shadow_costs: { "anthropic-sonnet": "0.2" } }),
      // Refused before any upstream (a spent budget, a rate limit): 4 requests, cost 0, status 429.
      group(null, { requests: 4, errors: 4 }),
    ]),
    { days: "1" },
  );
  assert.match(body, /claude-sonnet-4-6 \(4 requests\): as routed, and all on each deployment/, "the 4 served and priced, not the 9 asked for");
  assert.match(body, /<tr data-row="claude-sonnet-4-6\|anthropic-sonnet"[^]*?data-col="served"[^>]*>2</);
  assert.match(body, /<tr data-row="claude-sonnet-4-6\|bedrock-sonnet-us"[^]*?data-col="served"[^>]*>2</);
  assert.match(body, /data-figure="actual"><div class="label">actual spend<\/div><div class="figure">\$0\.52<\/div><div class="sub">4 requests served and priced/);
  assert.match(body, /<p class="note" data-left-out>Left out: 4 requests no deployment served \([^)]*\); 1 the gateway could not price/);
});

test("with nothing left out, the page says nothing of it", async () => {
  const { body } = await savingsPage(contextWith([group("anthropic-sonnet", { requests: 1, cost_usd: "0.1", charged_usd: "0.1" })]), { days: "1" });
  assert.doesNotMatch(body, /data-left-out/);
});

/** The row of the shadow-cost table for `deployment`, and the bar of the model's chart. */
function shadowRow(body: string, deployment: string): string {
  return new RegExp(`<tr data-row="claude-sonnet-4-6\\|${deployment}"[^>]*>[^]*?</tr>`).exec(body)?.[0] ?? "";
}
function shadowBar(body: string, deployment: string): string {
  return new RegExp(`<g data-bar="${deployment}"[^]*?</g>`).exec(body)?.[0] ?? "";
}

/**
 * 4 priced requests, all served by the Anthropic API for $0.4. Bedrock could price only 1 of them
 * ($0.1 there: the others used something it has no price for); Vertex all 4, for $0.48. The stores'
 * shadow_requests, which says so, is checked in test/ledger/store-contract.test.ts.
 */
test("a deployment that could not price every request shows 'at least' its partial figure, and is never the cheapest nor a saving", async () => {
  const partlyPriced = group("anthropic-sonnet", {
    requests: 4,
    cost_usd: "0.4",
    charged_usd: "0.4",
    shadow_costs: { "bedrock-sonnet-us": "0.1", "vertex-sonnet": "0.48" },
    shadow_requests: { "bedrock-sonnet-us": 1, "vertex-sonnet": 4 },
  });
  const { body } = await savingsPage(contextWith([partlyPriced]), { days: "1" });
  const bedrock = shadowRow(body, "bedrock-sonnet-us");
  assert.match(bedrock, /^<tr data-row="[^"]*" class="incomplete">/);
  assert.doesNotMatch(bedrock, /cheapest/, "a partial figure is never the cheapest");
  assert.match(bedrock, /data-col="cost" data-sort="">at least \$0\.1<div class="note" data-unpriced-there>3 of 4 requests could not be priced there<\/div>/);
  assert.match(bedrock, /data-col="difference" data-sort="" title="not comparable: 3 of 4 requests could not be priced there">–/, "no saving shown");
  assert.match(shadowRow(body, "anthropic-sonnet"), /^<tr data-row="[^"]*" class="cheapest">/, "the cheapest of those that priced every request");
  assert.match(shadowRow(body, "vertex-sonnet"), /^<tr data-row="[^"]*">/, "dearer than as routed: neither cheapest nor incomplete");
  assert.match(body, /data-figure="cheapest"><div class="label">each model on its cheapest deployment<\/div><div class="figure">\$0\.4<\/div><div class="sub">\$0 less than actual; of the deployments that could price every request \(1 could not\)/);
  assert.match(shadowBar(body, "bedrock-sonnet-us"), /class="label muted">all on bedrock-sonnet-us \(incomplete\)<[^]*fill="url\(#hatch\)"[^]*>at least \$0\.1</);
  assert.match(body, /<figcaption class="note" data-incomplete>Hatched, not comparable: all on bedrock-sonnet-us: at least \$0\.1; 3 of 4 requests could not be priced there\.<\/figcaption>/);
});

test("a deployment that served only requests nobody could price, and could price none of the others, is not a $0 total", async () => {
  const { body } = await savingsPage(
    contextWith([
      group("anthropic-sonnet", { requests: 2, cost_usd: "0.2", charged_usd: "0.2" }),
      group("vertex-sonnet", { requests: 1, unpriced_requests: 1, inexact_requests: 1 }),
    ]),
    { days: "1" },
  );
  const vertex = shadowRow(body, "vertex-sonnet");
  assert.match(vertex, /at least \$0<div class="note" data-unpriced-there>2 of 2 requests could not be priced there/);
  assert.doesNotMatch(vertex, /cheapest/);
  assert.match(body, /data-figure="cheapest">[^]*?<div class="figure">\$0\.2</, "the cheapest is as routed");
});

test("the actual spend says how many of its requests are priced as a lower bound, as Spend's cost does", async () => {
  const lowerBound = group("anthropic-sonnet", { requests: 4, inexact_requests: 3, unpriced_requests: 1, cost_usd: "0.2", charged_usd: "0.2" });
  const { body } = await savingsPage(contextWith([lowerBound]), { days: "1" });
  assert.match(body, /data-figure="actual"><div class="label">actual spend<\/div><div class="figure">\$0\.2<\/div><div class="sub">3 requests served and priced; 2 of them priced as a lower bound \(usage the upstream did not report\), so the sum is at least this<\/div>/);
  const exact = await savingsPage(contextWith([group("anthropic-sonnet", { requests: 1, cost_usd: "0.1", charged_usd: "0.1" })]), { days: "1" });
  assert.match(exact.body, /<div class="sub">1 request served and priced<\/div>/);
});
