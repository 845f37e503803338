/** The Cache page (src/dashboard/pages/cache-page.ts): its views by deployment, model and key count the same requests, so their totals agree. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { DashboardContext } from "../../src/dashboard/context.js";
import { cachePage } from "../../src/dashboard/pages/cache-page.js";
import type { SpendGroup } from "../../src/ledger/ledger.js";
import { spendGroup } from "./spend-group.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const DAY = new Date(NOW).toISOString().slice(0, 10);

const group = (deployment: string | null, model: string | null, key: string, fields: Partial<SpendGroup>) => spendGroup({ day: DAY, deployment, model, key }, fields);

const GROUPS = [
  group("anthropic-sonnet", "claude-sonnet-4-6", "key_a", { requests: 5, input_tokens: 41, cache_write_tokens: 4657, cache_read_tokens: 13971, cost_usd: "0.02" }),
  group("bedrock-haiku", "claude-haiku-4-5", "key_b", { requests: 3, input_tokens: 42, cost_usd: "0.001" }),
  // Refused before any upstream: a spent budget (429), an unknown model (404). No usage, cost 0.
  group(null, null, "key_b", { requests: 2, errors: 2 }),
  group(null, null, "key_c", { requests: 1, errors: 1 }),
];

function contextWith(groups: SpendGroup[]): DashboardContext {
  return { state: { now: () => NOW, store: { spend: async () => groups }, config: { deployments: new Map() } }, keys: { list: async () => [] } } as unknown as DashboardContext;
}

/** The cells of a table's totals row, by column. */
function totals(body: string, table: string): Record<string, string> {
  const footer = new RegExp(`data-table="${table}"[^]*?<tfoot>([^]*?)</tfoot>`).exec(body)?.[1] ?? "";
  return Object.fromEntries([...footer.matchAll(/data-col="(\w+)"[^>]*>([^<]*)</g)].map((match) => [match[1], match[2]]));
}

test("the totals by deployment, by model, by key and by day are the same requests and tokens; what none served is left out, and said", async () => {
  const { body } = await cachePage(contextWith(GROUPS), { days: "1" });
  const expected = { group: "total", requests: "8", input_tokens: "83", cache_write_tokens: "4,657", cache_read_tokens: "13,971", hit_rate: "74.7%" };
  for (const table of ["cache-by-deployment", "cache-by-model", "cache-by-key", "cache-by-day"]) {
    const { saved: _saved, ...found } = totals(body, table);
    assert.deepEqual(found, expected, `${table}: its totals`);
  }
  assert.doesNotMatch(body, /data-table="cache-by-key"[^]*?data-row="key_c"/, "a key whose every request was refused has no input to show");
  assert.match(body, /<p class="note" data-left-out>Every view counts the 8 requests a deployment served; 3 that none served/);
});

test("the chart by day has a bar per day with served requests, summing the day's deployments, the days in order", async () => {
  const before = new Date(NOW - 2 * 86_400_000).toISOString().slice(0, 10);
  const earlier = spendGroup({ day: before, deployment: "bedrock-haiku", model: "claude-haiku-4-5", key: "key_b" }, { input_tokens: 10, cache_read_tokens: 30 });
  const { body } = await cachePage(contextWith([...GROUPS, earlier]), { days: "7" });
  const chart = /<svg data-chart="hit-rate-by-day"[^]*?<\/svg>/.exec(body)?.[0] ?? "";
  assert.deepEqual([...chart.matchAll(/data-stack="([^"]+)"/g)].map((match) => match[1]), [before, DAY], "a bar for each day with input, none for the days between");
  const [first, second] = chart.match(/<g data-stack="[^"]+"[^]*?<\/g>/g) ?? [];
  assert.match(first ?? "", /read from cache: 30 tokens \(75\.0%\)/);
  assert.match(second ?? "", /read from cache: 13,971 tokens \(74\.7%\)[^]*?written to cache: 4,657 tokens[^]*?uncached: 83 tokens/, "both deployments' tokens that day");
});

test("the charts say they are shares, each bar 100% of its group's input, and write the group's tokens; the table by day has the day's figures", async () => {
  const { body } = await cachePage(contextWith(GROUPS), { days: "1" });
  const chart = /<svg data-chart="hit-rate-by-deployment"[^]*?<\/svg>/.exec(body)?.[0] ?? "";
  assert.match(chart, /class="chart-title">Share of each deployment's input tokens read from cache, written to cache, uncached \(each bar is 100%\)</);
  assert.match(chart, /<g data-stack="anthropic-sonnet">[^]*?class="value">74\.8% read, of 18,669 tokens</);
  assert.match(chart, /<g data-stack="bedrock-haiku">[^]*?class="value">0\.0% read, of 42 tokens</);
  assert.match(body, /data-chart="hit-rate-by-day"[^>]*><text [^>]*class="chart-title">Share of each day's input tokens/);
  const row = new RegExp(`data-table="cache-by-day"[^]*?<tr data-row="${DAY}">([^]*?)</tr>`).exec(body)?.[1] ?? "";
  assert.match(row, new RegExp(`data-col="group"[^>]*>${DAY}<[^]*data-col="requests"[^>]*>8<[^]*data-col="cache_read_tokens"[^>]*>13,971<[^]*data-col="hit_rate"[^>]*>74\\.7%<`));
});
