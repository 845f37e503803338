/**
 * keys list: a key whose requests this month include some that could not be priced (cost_usd null)
 * has spent at least what the priced ones cost, not exactly that: the table shows "≥ $X (N unpriced)"
 * and --json adds month_unpriced_requests beside month_spend_usd (which stays what budgets count).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { newApiKey } from "../../src/ledger/api-keys.js";
import { openLedger } from "../../src/ledger/open-ledger.js";
import { sampleRow } from "../ledger/sample-rows.js";
import { sqliteTestLedger, type TestLedger } from "../ledger/test-ledgers.js";
import { runCli } from "./run-cli.js";

const ledger: TestLedger = sqliteTestLedger();
const path = (ledger.config as { path: string }).path;
const ids: Record<string, string> = {};

before(async () => {
  const opened = await openLedger({ ...ledger.config, journal: false });
  for (const name of ["mixed", "priced", "idle"]) {
    const { record } = newApiKey({ name, monthly_budget_usd: null, allowed_models: [], tags: {} });
    await opened.keys.create(record);
    ids[name] = record.id;
  }
  // This month, whatever month the test runs in.
  const now = Date.now();
  await opened.store.insertBatch([
    sampleRow({ request_id: "m1", created_at: now - 1000, key_id: ids["mixed"] ?? "", cost_usd: "0.5" }),
    sampleRow({ request_id: "m2", created_at: now - 1000, key_id: ids["mixed"] ?? "", cost_usd: null, cost_exact: false, shadow_costs: {}, warnings: ["could not price: no price for x"] }),
    sampleRow({ request_id: "p1", created_at: now - 1000, key_id: ids["priced"] ?? "", cost_usd: "0.25" }),
  ]);
  await opened.close();
});
after(() => ledger.cleanup());

test("keys list marks a month's spend that leaves out unpriced requests as a lower bound", async () => {
  const table = await runCli(["keys", "list", "--db", path]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, new RegExp(`${ids["mixed"]} +mixed .* ≥ \\$0\\.5 \\(1 unpriced\\) `));
  assert.match(table.stdout, new RegExp(`${ids["priced"]} +priced .* \\$0\\.25 `));
  assert.doesNotMatch(table.stdout.split("\n").find((line) => line.includes(ids["priced"] ?? "?")) ?? "", /≥/);
  const json = await runCli(["keys", "list", "--db", path, "--json"]);
  const keys = JSON.parse(json.stdout) as { name: string; month_spend_usd: string; month_unpriced_requests: number }[];
  assert.deepEqual(
    keys.map((key) => [key.name, key.month_spend_usd, key.month_unpriced_requests]).sort(),
    [["idle", "0", 0], ["mixed", "0.5", 1], ["priced", "0.25", 0]],
  );
});
