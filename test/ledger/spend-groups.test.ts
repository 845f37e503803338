/**
 * The order of a spend report's rows (both stores share it): one field alone, days in order and
 * anything else largest cost first; several fields, the first one's groups together, in the order
 * it would have alone, then by the other fields' values.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { assembleGroups, type TotalsRow } from "../../src/ledger/spend-groups.js";

function row(values: (string | null)[], cost: string): TotalsRow {
  return { values, requests: 1, errors: 0, cost_usd: cost, charged_usd: cost, inexact_requests: 0, unpriced_requests: 0, input_tokens: 1, output_tokens: 1, cache_write_tokens: 0, cache_read_tokens: 0 };
}

const order = (groups: { group: Record<string, string | null> }[]) => groups.map((group) => Object.values(group.group).join("/"));

test("--by key,model keeps each key's rows together, the biggest spender first, its models by name", () => {
  const rows = [row(["key_b", "haiku"], "5"), row(["key_a", "opus"], "4"), row(["key_b", "sonnet"], "1"), row(["key_a", "haiku"], "0.5"), row(["key_c", "haiku"], "7")];
  // key_c 7, key_b 6, key_a 4.5; the cost of each row alone would interleave them (key_c, key_b, key_a, key_b, key_a).
  assert.deepEqual(order(assembleGroups(["key", "model"], rows, [])), ["key_c/haiku", "key_b/haiku", "key_b/sonnet", "key_a/haiku", "key_a/opus"]);
});

test("one field is ordered as before: largest cost first, days in order; day first keeps the values' order", () => {
  assert.deepEqual(order(assembleGroups(["model"], [row(["haiku"], "1"), row(["opus"], "3"), row([null], "0")], [])), ["opus", "haiku", ""]);
  assert.deepEqual(order(assembleGroups(["day", "model"], [row(["2026-01-02", "opus"], "9"), row(["2026-01-01", "opus"], "1"), row(["2026-01-01", "haiku"], "2")], [])), [
    "2026-01-01/haiku",
    "2026-01-01/opus",
    "2026-01-02/opus",
  ]);
});
