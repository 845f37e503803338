/** The Spend page (src/dashboard/pages/spend-page.ts) against a ledger with very many groups: a tag that carries a request id. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { DashboardContext } from "../../src/dashboard/context.js";
import { MAX_ROWS, spendPage } from "../../src/dashboard/pages/spend-page.js";
import { coloursByName, SERIES_COLOURS } from "../../src/dashboard/series-colours.js";
import type { ApiKeyRecord, SpendGroup, SpendQuery } from "../../src/ledger/ledger.js";
import { spendGroup } from "./spend-group.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const DAY = new Date(NOW).toISOString().slice(0, 10);

function group(tag: string, cost: string): SpendGroup {
  return spendGroup({ day: DAY, tag }, { cost_usd: cost, charged_usd: cost, input_tokens: 10, output_tokens: 5 });
}

/** A dashboard context whose ledger holds `groups` by tag, and whose recent rows carry the tag `tagKey`. */
function contextWith(groups: SpendGroup[], tagKey: string): DashboardContext {
  return {
    state: {
      now: () => NOW,
      store: {
        spend: async (query: SpendQuery) => (query.group_by.includes("tag") ? groups : []),
        recent: async () => [{ tags: { [tagKey]: "x" } }],
      },
    },
    keys: { list: async () => [] },
  } as unknown as DashboardContext;
}

test("a tag with a value per request (trace ids) gives a bounded table, says so, and keeps the total of all", async () => {
  const groups = Array.from({ length: MAX_ROWS + 100 }, (_, index) => group(`trace-${String(index).padStart(4, "0")}`, "0.001"));
  groups.push(group("constructor", "0.5"), group("other", "0.4"));
  const { body } = await spendPage(contextWith(groups, "trace"), { by: "tag", tag: "trace", days: "1" });
  const rows = /<table class="sortable" data-table="spend-by-tag">[^]*?<\/table>/.exec(body)?.[0].match(/<tr data-row=/g)?.length ?? 0;
  assert.ok(rows <= MAX_ROWS + 1, `${rows} rows (the largest groups and the total)`);
  assert.match(body, new RegExp(`The ${MAX_ROWS} largest of 602 groups`));
  assert.match(body, /switchyard spend --by tag --tag-key trace/);
  assert.match(body, /data-figure="total-cost"[^]*?\$1\.5/, "the total is of every group");
  assert.doesNotMatch(body, /fill="function/, "a group named constructor is coloured like any other");
});

test("series keep their whole names and their own legend line and colour, a group named \"other\" too", async () => {
  const groups = [
    group("payments-reconciliation-nightly-batch", "0.3"),
    group("payments-reconciliation-nightly-retry", "0.2"),
    group("other", "0.1"),
  ];
  const { body } = await spendPage(contextWith(groups, "job"), { by: "tag", tag: "job", days: "1" });
  const legend = [...body.matchAll(/<g data-legend="([^"]+)"><rect [^>]*fill="([^"]+)"/g)].map((match) => [match[1], match[2]]);
  assert.deepEqual(
    legend.map(([name]) => name),
    ["payments-reconciliation-nightly-batch", "payments-reconciliation-nightly-retry", "other (2)"],
  );
  assert.equal(new Set(legend.map(([, colour]) => colour)).size, 3, "three colours");
});

test("by key, bars and legend name each key; two keys of one name (a revoked one's reused) get the start of their ids; the table has every id", async () => {
  const key = (id: string, name: string, revoked_at: number | null = null): ApiKeyRecord => ({
    id,
    name,
    prefix: "sk-sy-abcd",
    hash: "0".repeat(64),
    allowed_models: [],
    tags: {},
    monthly_budget_usd: null,
    created_at: NOW - 86_400_000,
    revoked_at,
  });
  const keys = [key("key_AbCdEf0123456789", "ci_bot"), key("key_AbCdEfZZZZZZZZZZ", "ci_bot", NOW - 3_600_000), key("key_Search0123456789", "search-prod")];
  const groups = [
    spendGroup({ day: DAY, key: "key_AbCdEf0123456789" }, { cost_usd: "0.3", charged_usd: "0.3" }),
    spendGroup({ day: DAY, key: "key_AbCdEfZZZZZZZZZZ" }, { cost_usd: "0.2", charged_usd: "0.2" }),
    spendGroup({ day: DAY, key: "key_Search0123456789" }, { cost_usd: "0.1", charged_usd: "0.1" }),
  ];
  const context = {
    state: { now: () => NOW, store: { spend: async (query: SpendQuery) => (query.group_by.includes("key") ? groups : []), recent: async () => [] } },
    keys: { list: async () => keys },
  } as unknown as DashboardContext;
  const { body } = await spendPage(context, { by: "key", days: "1" });
  const labels = [...body.matchAll(/<g data-bar="([^"]+)"[^>]*><text [^>]*>([^<]*)</g)].map((match) => [match[1], match[2]]);
  assert.deepEqual(labels, [
    ["key_AbCdEf0123456789", "ci_bot (key_AbCdEf0…)"],
    ["key_AbCdEfZZZZZZZZZZ", "ci_bot (key_AbCdEfZ…)"],
    ["key_Search0123456789", "search-prod"],
  ]);
  const legend = [...body.matchAll(/<g data-legend="[^"]*"><rect [^>]*\/><text [^>]*>([^<]*)</g)].map((match) => match[1]);
  assert.deepEqual(legend, ["ci_bot (key_AbCdEf0…)", "ci_bot (key_AbCdEfZ…)", "search-prod"], "the legend names keys as the bars do, underscores kept");
  for (const [id] of labels) assert.match(body, new RegExp(`<tr data-row="${id}"><td data-col="group"[^>]*>[^<]*<div class="note">${id}(?:<| ·)`), `the table has ${id} whole`);
  assert.match(body, /<div class="note">key_AbCdEfZZZZZZZZZZ · <span data-revoked>revoked 2026-11-23<\/span><\/div>/, "the revoked key is marked so");
  assert.match(body, /<div class="note">key_AbCdEf0123456789<\/div>/, "the active one is not");
});

test("names are shown as they are: a tag value or a key name with underscores keeps them in the legend and on the bars", async () => {
  const groups = [group("team_a", "0.3"), group("ci_bot_nightly", "0.2")];
  const { body } = await spendPage(contextWith(groups, "team"), { by: "tag", tag: "team", days: "1" });
  const legend = [...body.matchAll(/<g data-legend="([^"]+)"><rect [^>]*\/><text [^>]*>([^<]*)</g)].map((match) => [match[1], match[2]]);
  assert.deepEqual(legend, [
    ["team_a", "team_a"],
    ["ci_bot_nightly", "ci_bot_nightly"],
  ]);
  const labels = [...body.matchAll(/<g data-bar="[^"]+"[^>]*><text [^>]*>([^<]*)</g)].map((match) => match[1]);
  assert.deepEqual(labels, ["team_a", "ci_bot_nightly"]);
});

test("the key store is read for the view by key (and the tag keys) only", async () => {
  let lists = 0;
  const context = {
    state: { now: () => NOW, store: { spend: async () => [], recent: async () => [] }, config: { deployments: new Map() } },
    keys: {
      list: async () => {
        lists += 1;
        return [];
      },
    },
  } as unknown as DashboardContext;
  for (const [by, reads] of [["provider", 0], ["deployment", 0], ["model", 0], ["key", 1], ["tag", 1]] as const) {
    lists = 0;
    await spendPage(context, { by, days: "1" });
    assert.equal(lists, reads, `by ${by}`);
  }
});

test("a provider keeps its colour when another spends more: colours follow names (the config's order), not rank", async () => {
  const deployments = new Map([
    ["anthropic-sonnet", { provider: { kind: "anthropic" }, model: { id: "claude-sonnet-4-6" } }],
    ["bedrock-sonnet-us", { provider: { kind: "bedrock" }, model: { id: "claude-sonnet-4-6" } }],
  ]);
  const colourOf = async (costs: Record<string, string>) => {
    const groups = Object.entries(costs).map(([provider, cost]) => spendGroup({ day: DAY, provider }, { cost_usd: cost, charged_usd: cost }));
    const context = { state: { now: () => NOW, store: { spend: async () => groups, recent: async () => [] }, config: { deployments } }, keys: { list: async () => [] } } as unknown as DashboardContext;
    const { body } = await spendPage(context, { by: "provider", days: "1" });
    return Object.fromEntries([...body.matchAll(/<g data-legend="([^"]+)"><rect [^>]*fill="([^"]+)"/g)].map((match) => [match[1], match[2]]));
  };
  const monthly = await colourOf({ anthropic: "0.3", bedrock: "0.1" });
  const weekly = await colourOf({ anthropic: "0.1", bedrock: "0.3", vertex: "0.05" });
  assert.deepEqual(monthly, { anthropic: SERIES_COLOURS[0], bedrock: SERIES_COLOURS[1] }, "the config's first provider has the first colour");
  assert.equal(weekly.anthropic, monthly.anthropic, "anthropic's colour, ranked second");
  assert.equal(weekly.bedrock, monthly.bedrock, "bedrock's colour, ranked first");
  assert.equal(new Set(Object.values(weekly)).size, 3, "a provider the config does not name gets a colour of its own");
});

test("coloursByName: the same name the same colour whatever is shown beside it, and no two names shown together share one", () => {
  const names = ["team_a", "team_b", "ci_bot", "search", "support", "data", "ops", "eve"];
  const all = coloursByName(names);
  assert.equal(new Set(all.values()).size, 8, "eight names, eight colours");
  const alone = (name: string) => coloursByName([name]).get(name);
  // Two names that want different colours each keep their own, shown together or apart.
  const pairs = names.flatMap((name) => names.filter((other) => alone(other) !== alone(name)).map((other) => [name, other] as const));
  assert.ok(pairs.length > 20);
  for (const [name, other] of pairs) assert.equal(coloursByName([other, name]).get(name), alone(name), `${name} beside ${other}`);
  assert.deepEqual(coloursByName(["b", "a"], ["a", "b"]), new Map([["a", SERIES_COLOURS[0]], ["b", SERIES_COLOURS[1]]]), "known names take the colours of their positions");
  assert.equal(coloursByName(["b"], ["a", "b"]).get("b"), SERIES_COLOURS[1], "alone as well");
});

test("the spend-by-group bars are linear: a group that spent 2.4 % of the largest is drawn 2.4 % as long (a log axis drew it at about half)", async () => {
  const groups = [group("team_a_app", "0.149"), group("shared-name", "0.00357600"), group("eve", "0.000298")];
  const { body } = await spendPage(contextWith(groups, "team"), { by: "tag", tag: "team", days: "1" });
  const chart = /<svg data-chart="spend-by-tag"[^]*?<\/svg>/.exec(body)?.[0] ?? "";
  assert.doesNotMatch(chart, /logarithmic/);
  const width = (name: string) => Number(new RegExp(`<g data-bar="${name}"[^]*?<rect [^>]*width="([\\d.]+)"`).exec(chart)?.[1]);
  assert.ok(Math.abs(width("shared-name") / width("team_a_app") - 0.024) < 0.002, `shared-name: ${width("shared-name")} of ${width("team_a_app")}`);
  assert.equal(width("eve"), 2, "too small to see: the narrowest bar, its amount written beside it");
});

test("the per-day chart starts on the first day with requests and says which days before it had none", async () => {
  const groups = ["2026-11-21", "2026-11-23"].map((day) => spendGroup({ day, tag: "team_a" }, { cost_usd: "0.1", charged_usd: "0.1" }));
  const { body } = await spendPage(contextWith(groups, "team"), { by: "tag", tag: "team", days: "7" });
  const days = [...body.matchAll(/<g data-stack="([^"]+)">/g)].map((match) => match[1]);
  assert.deepEqual(days, ["2026-11-21", "2026-11-22", "2026-11-23"], "from the first day with requests, empty days after it included");
  assert.match(body, /<figcaption class="note" data-first-day="2026-11-21">No requests from 2026-11-17 to 2026-11-20: the chart starts on 2026-11-21, the first day of the period with any\.<\/figcaption>/);
  const whole = await spendPage(contextWith([spendGroup({ day: "2026-11-17", tag: "team_a" }, { cost_usd: "0.1", charged_usd: "0.1" }), ...groups], "team"), { by: "tag", tag: "team", days: "7" });
  assert.doesNotMatch(whole.body, /data-first-day/, "nothing to say when the first day has requests");
});

test("what no deployment served is '(not routed)' by provider, deployment and model alike; one day's chart says 'today'", async () => {
  const groups = [spendGroup({ day: DAY, provider: "anthropic", deployment: "anthropic-sonnet", model: "claude-sonnet-4-6" }, { cost_usd: "0.1", charged_usd: "0.1" }), spendGroup({ day: DAY, provider: null, deployment: null, model: null }, { errors: 1 })];
  const context = { state: { now: () => NOW, store: { spend: async () => groups, recent: async () => [] }, config: { deployments: new Map() } }, keys: { list: async () => [] } } as unknown as DashboardContext;
  for (const by of ["provider", "deployment", "model"]) {
    const { body } = await spendPage(context, { by, days: "1" });
    assert.match(body, /<tr data-row="\(none\)"><td data-col="group"[^>]*>\(not routed\)<\/td>/, by);
    assert.match(body, new RegExp(`class="chart-title">Spend by ${by}, today \\(UTC\\)<`), by);
  }
});

test("by tag, the tag key shown first is the most used one, not the alphabetically first", async () => {
  const key = (id: string, tags: Record<string, string>): ApiKeyRecord => ({ id, name: id, prefix: "sk-sy-x", hash: "0".repeat(64), allowed_models: [], tags, monthly_budget_usd: null, created_at: 0, revoked_at: null });
  const keys = [key("key_a", { cost_center: "cc-1", team: "a" }), key("key_b", { team: "b" }), key("key_c", { team: "c" })];
  let asked: string | undefined;
  const context = {
    state: { now: () => NOW, store: { spend: async (query: SpendQuery) => ((asked = query.tag_key), []), recent: async () => [{ tags: { team: "a" } }, { tags: { env: "prod" } }] } },
    keys: { list: async () => keys },
  } as unknown as DashboardContext;
  const { body } = await spendPage(context, { by: "tag", days: "1" });
  assert.equal(asked, "team");
  assert.deepEqual([...body.matchAll(/<option( selected)?>([^<]+)<\/option>/g)].map((match) => `${match[2]}${match[1] ? " (selected)" : ""}`), ["team (selected)", "cost_center", "env"]);
});

test("each day's amount per group is in a table under the chart, not only in the segments' hover text", async () => {
  const groups = [
    spendGroup({ day: "2026-11-22", tag: "team_a" }, { cost_usd: "0.1", charged_usd: "0.1" }),
    spendGroup({ day: "2026-11-22", tag: "team_b" }, { cost_usd: "0.00025", charged_usd: "0.00025" }),
    spendGroup({ day: "2026-11-23", tag: "team_a" }, { cost_usd: "0.3", charged_usd: "0.3" }),
  ];
  const { body } = await spendPage(contextWith(groups, "team"), { by: "tag", tag: "team", days: "7" });
  assert.match(body, /class="chart-title">Spend per day by tag team \(exact USD; each segment's amount is in the table below\)</);
  const table = /<details class="panel" data-day-table="spend-per-day-by-tag"><summary>Spend per day by tag team, as a table<\/summary>([^]*?)<\/details>/.exec(body)?.[1] ?? "";
  const cells = (row: string) => [...(new RegExp(`<tr data-row="${row}">([^]*?)</tr>`).exec(table)?.[1] ?? "").matchAll(/data-col="[^"]+"[^>]*>([^<]*)</g)].map((match) => match[1]);
  assert.deepEqual([...table.matchAll(/<th scope="col"[^>]*><button type="button" class="sort">([^<]+)</g)].map((match) => match[1]), ["day (UTC)", "team_a", "team_b", "total"]);
  assert.deepEqual(cells("2026-11-22"), ["2026-11-22", "$0.1", "$0.00025", "$0.10025"]);
  assert.deepEqual(cells("2026-11-23"), ["2026-11-23", "$0.3", "$0", "$0.3"]);
  assert.deepEqual(cells("total"), ["total", "$0.4", "$0.00025", "$0.40025"]);
});
