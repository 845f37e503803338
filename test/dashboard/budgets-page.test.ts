/** The Budgets page (src/dashboard/pages/budgets-page.ts) with many budgeted keys, and with spend whose cost is a range. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { DashboardContext } from "../../src/dashboard/context.js";
import { budgetsPage, MAX_SHARE_BARS } from "../../src/dashboard/pages/budgets-page.js";
import type { ApiKeyRecord, SpendGroup } from "../../src/ledger/ledger.js";
import { spendGroup } from "./spend-group.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const DAY = new Date(NOW).toISOString().slice(0, 10);

function key(index: number): ApiKeyRecord {
  return { id: `key_${index}`, name: `team-${index}`, prefix: "sk-sy-x", hash: "0".repeat(64), allowed_models: [], tags: {}, monthly_budget_usd: "1", created_at: 0, revoked_at: null };
}

function spent(keyId: string, cost: string, charged: string, day = DAY): SpendGroup {
  return spendGroup({ key: keyId, day }, { cost_usd: cost, charged_usd: charged });
}

function context(keys: ApiKeyRecord[], groups: SpendGroup[]): DashboardContext {
  return { state: { now: () => NOW, store: { spend: async () => groups } }, keys: { list: async () => keys } } as unknown as DashboardContext;
}

test("the share-of-budget chart shows the keys nearest their budget, at most MAX_SHARE_BARS, and says how many there are", async () => {
  const keys = Array.from({ length: 200 }, (_, index) => key(index));
  const groups = keys.map((record, index) => spent(record.id, `0.${String(index).padStart(3, "0")}`, `0.${String(index).padStart(3, "0")}`));
  const { body } = await budgetsPage(context(keys, groups));
  const chart = /<svg data-chart="budget-used"[^]*?<\/svg>/.exec(body)?.[0] ?? "";
  assert.equal(chart.match(/data-stack=/g)?.length, MAX_SHARE_BARS);
  assert.match(chart, new RegExp(`the ${MAX_SHARE_BARS} keys nearest theirs, of 200`));
  assert.match(chart, /team-199/, "the nearest first");
  assert.equal(body.match(/<tr data-row="key_/g)?.length, 200, "the table lists every key");
});

test("spend whose cost is a range counts at its upper bound, as the gateway counts it: a key the gateway refuses reads 'budget spent'", async () => {
  const { body } = await budgetsPage(context([key(1)], [spent("key_1", "0.8", "1.2")]));
  assert.match(body, /<tr data-row="key_1"[^]*?budget spent/);
  assert.match(body, /<tr data-row="key_1"[^]*?\$1\.2/);
});

test("the out-of-budget tile counts keys and says their requests are refused until the reset: not 'budget spent 1 / requests refused'", async () => {
  const over = { ...key(1), name: "over" };
  const { body } = await budgetsPage(context([over, key(2)], [spent("key_1", "1.5", "1.5"), spent("key_2", "0.001", "0.001")]));
  const tile = /<div class="card" data-figure="exhausted">([^]*?)<\/div><\/div>/.exec(body)?.[1] ?? "";
  assert.match(tile, /<div class="label">keys out of budget<\/div><div class="figure">1<\/div>/);
  assert.match(tile, /<div class="sub">its requests refused \(429\) until 2026-12-01 00:00 UTC/);
  const none = await budgetsPage(context([key(2)], [spent("key_2", "0.001", "0.001")]));
  assert.match(none.body, /data-figure="exhausted"><div class="label">keys out of budget<\/div><div class="figure">0<\/div><div class="sub">none is refused for its budget/);
  assert.match(body, /data-figure="projected-over"><div class="label">keys projected over budget<\/div>/);
});

test("a key created mid-month is projected at its rate since its creation, and the page says so", async () => {
  const created = { ...key(1), monthly_budget_usd: "20", created_at: Date.UTC(2026, 10, 20) };
  // $10 from the 20th to the 23rd noon: about $2.86 a day, $31.43 by the month's end (from the 1st: $13.33, on track).
  const { body } = await budgetsPage(context([created], [spent("key_1", "10", "10")]));
  const row = /<tr data-row="key_1"[^]*?<\/tr>/.exec(body)?.[0] ?? "";
  assert.match(row, /projected over/);
  assert.match(row, /data-col="projected"[^>]*title="a straight-line estimate, not a sum: about \$31\.428571">≈ \$31\.43<div class="note" data-rate-since="key created">from its creation on the 20th<\/div>/);
  assert.match(body, /straight-line projection ≈ \$31\.43 \(its rate from its creation on the 20th\)/);
  assert.match(body, /<g data-marker="start" data-requests="20"><line [^>]*\/><text [^>]*>created<\/text>/, "at the 20th on the day axis");
  const old = await budgetsPage(context([{ ...created, created_at: 0 }], [spent("key_1", "10", "10")]));
  assert.doesNotMatch(old.body, /data-rate-since/, "a key older than the month says nothing more");
});

test("spend on a day before the key's creation starts its rate at that day, and the page and the marker say 'first spend'", async () => {
  const created = { ...key(1), monthly_budget_usd: "20", created_at: Date.UTC(2026, 10, 20, 5) };
  const { body } = await budgetsPage(context([created], [spent("key_1", "1", "1", "2026-11-19"), spent("key_1", "2.5", "2.5")]));
  assert.match(body, /data-rate-since="first spend">from its first spend on the 19th<\/div>/);
  assert.match(body, /straight-line projection ≈ \$9\.33 \(its rate from its first spend on the 19th\)/);
  assert.match(body, /<g data-marker="start" data-requests="19"><line [^>]*\/><text [^>]*>first spend<\/text>/, "at the 19th on the day axis");
});

test("a revoked key that spent this month is listed for its spend as 'revoked': no budget figures, no projection, no chart, not counted as a key with a budget", async () => {
  const active = { ...key(1), id: "key_AbCdEf0123456789", name: "ci_bot" };
  const revoked = { ...key(2), id: "key_XyZabc0123456789", name: "ci_bot", revoked_at: NOW - 3_600_000 };
  const { body } = await budgetsPage(context([active, revoked], [spent(active.id, "0.5", "0.5"), spent(revoked.id, "0.2", "0.2")]));
  assert.match(body, /data-figure="with-budget"><div class="label">keys with a budget<\/div><div class="figure">1<\/div><div class="sub">of 1 active; 1 revoked key is listed for this month's spend</);
  const row = /<tr data-row="key_XyZabc0123456789"[^]*?<\/tr>/.exec(body)?.[0] ?? "";
  assert.match(row, /data-col="key"[^>]*>ci_bot<div class="note">key_XyZabc0123456789 · <span data-revoked>revoked 2026-11-23<\/span>/);
  assert.match(row, /data-col="status"[^>]*><span class="pill none" title="its requests are refused \(401\)[^"]*">revoked<\/span>/);
  assert.match(row, /data-col="spent"[^>]*>\$0\.2</, "what it spent is still shown");
  for (const column of ["budget", "used", "remaining", "projected"]) assert.match(row, new RegExp(`data-col="${column}"[^>]*>–<`), `no ${column}`);
  assert.doesNotMatch(row, /on track|≈/);
  // The charts are of live keys: the active ci_bot, under its name alone.
  const labels = [...body.matchAll(/<g data-stack="([^"]+)"><text [^>]*>([^<]*)</g)].map((match) => [match[1], match[2]]);
  assert.deepEqual(labels, [[active.id, "ci_bot"]]);
  assert.match(body, /data-chart="burn-down-key_AbCdEf0123456789"/);
  assert.doesNotMatch(body, /burn-down-key_XyZabc/, "no burn-down for the revoked key");
  assert.match(body, /ci_bot: spend this month against its \$1 budget/);
});

test("the burn-down's x axis is the day of the month: day d starts at tick d, so 'now' (the 23rd, noon) is at 23.5 and the 1st is where the axis starts", async () => {
  const budgeted = { ...key(1), monthly_budget_usd: "0.001" };
  const { body } = await budgetsPage(context([budgeted], [spent("key_1", "0.0002", "0.0002", "2026-11-02"), spent("key_1", "0.0003", "0.0003")]));
  const chart = /<svg data-chart="burn-down-key_1"[^]*?<\/svg>/.exec(body)?.[0] ?? "";
  assert.match(chart, /<g data-marker="today" data-requests="23\.5">/);
  const xOf = (tick: string) => Number(new RegExp(`<text x="([\\d.]+)" y="[\\d.]+" text-anchor="middle" class="tick">${tick}</text>`).exec(chart)?.[1]);
  const ticks = [...chart.matchAll(/text-anchor="middle" class="tick">(\d+)<\/text>/g)].map((match) => match[1]);
  assert.deepEqual(ticks, ["1", "5", "10", "15", "20", "25", "30"], "November's days, from the 1st");
  // The spent line starts at the 1st and steps up at the end of the 2nd (the 3rd's start).
  const path = /<path data-series="spent" d="([^"]+)"/.exec(chart)?.[1] ?? "";
  const [start, , endOfSecond] = path.split(" ").map((point) => Number(point.slice(1).split(",")[0]));
  assert.equal(start, xOf("1"), "the month starts at the tick of the 1st");
  assert.ok(Math.abs((endOfSecond as number) - (xOf("1") + ((xOf("5") - xOf("1")) / 4) * 2)) < 0.2, "the 2nd's spend is in by the 3rd's start");
  const yTicks = [...chart.matchAll(/text-anchor="end" class="tick">\$([\d.]+)<\/text>/g)].map((match) => match[1] as string).filter((tick) => tick !== "0");
  assert.ok(yTicks.length >= 2, "y ticks drawn");
  assert.equal(new Set(yTicks.map((tick) => tick.split(".")[1]?.length)).size, 1, `every y tick has as many decimal places: ${yTicks.join(", ")}`);
});
