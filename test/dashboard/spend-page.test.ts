/** The Spend page (src/dashboard/pages/spend-page.ts) against a ledger with very many groups: a tag that carries a request id. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { DashboardContext } from "../../src/dashboard/context.js";
import { MAX_ROWS, spendPage } from "../../src/dashboard/pages/spend-page.js";
import type { SpendGroup, SpendQuery } from "../../src/ledger/ledger.js";
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
  const rows = body.match(/<tr data-row=/g)?.length ?? 0;
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
