/** The Savings page (src/dashboard/pages/savings-page.ts) compares only what a deployment served and the gateway priced. */
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
