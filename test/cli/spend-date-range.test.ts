/**
 * spend's date range in --json: `from` and `to` are the UTC days asked for, inclusive, as
 * YYYY-MM-DD. They were the store's instants, and the exclusive end after --to 9999-12-31 (the
 * last day --to takes) printed as "+010000-01-01T00:00:00.000Z", an expanded year that most date
 * parsers refuse. The range still counts what it says: the days from --from to --to, both included.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { openLedger } from "../../src/ledger/open-ledger.js";
import { DAY, HOUR, JAN_1_2026, sampleRow } from "../ledger/sample-rows.js";
import { sqliteTestLedger, type TestLedger } from "../ledger/test-ledgers.js";
import { runCli } from "./run-cli.js";

const ledger: TestLedger = sqliteTestLedger();
const path = (ledger.config as { path: string }).path;

before(async () => {
  const opened = await openLedger({ ...ledger.config, journal: false });
  await opened.store.insertBatch([
    sampleRow({ request_id: "jan-1", created_at: JAN_1_2026 + HOUR, cost_usd: "0.1" }),
    // The last millisecond of January 2: counted by --to 2026-01-02.
    sampleRow({ request_id: "jan-2", created_at: JAN_1_2026 + 2 * DAY - 1, cost_usd: "0.2" }),
    sampleRow({ request_id: "jan-3", created_at: JAN_1_2026 + 2 * DAY, cost_usd: "0.4" }),
  ]);
  await opened.close();
});
after(() => ledger.cleanup());

interface SpendJson {
  from: string | null;
  to: string | null;
  groups: { group: { day: string }; cost_usd: string }[];
  total: { cost_usd: string };
}

async function spendJson(...flags: string[]): Promise<SpendJson> {
  const result = await runCli(["spend", "--db", path, "--json", ...flags]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as SpendJson;
}

/** A plain calendar day, which every ISO 8601 / RFC 3339 date parser takes. */
const PLAIN_DAY = /^\d{4}-\d{2}-\d{2}$/;

test("spend --to 9999-12-31 --json: `to` is that day, not the expanded year +010000 after it", async () => {
  const report = await spendJson("--to", "9999-12-31");
  assert.equal(report.to, "9999-12-31");
  assert.equal(report.from, null);
  assert.equal(report.total.cost_usd, "0.7", "every row is counted");
});

test("spend --from/--to --json: both are the inclusive days given, and the rows counted are those days'", async () => {
  const report = await spendJson("--from", "2026-01-02", "--to", "2026-01-02");
  assert.deepEqual([report.from, report.to], ["2026-01-02", "2026-01-02"]);
  assert.deepEqual(report.groups.map((group) => [group.group.day, group.cost_usd]), [["2026-01-02", "0.2"]]);
  const widest = await spendJson("--from", "0001-01-01", "--to", "9999-12-31");
  assert.deepEqual([widest.from, widest.to], ["0001-01-01", "9999-12-31"]);
  assert.equal(widest.total.cost_usd, "0.7");
  // Every date in the output, the days of --by day included, is a plain day that parses.
  for (const day of [widest.from, widest.to, ...widest.groups.map((group) => group.group.day)]) {
    assert.match(day ?? "", PLAIN_DAY);
    assert.ok(!Number.isNaN(Date.parse(day ?? "")), `${day} parses`);
  }
});

test("spend --to 9999-12-31 without --json: the table counts every day, and an empty range names the days asked for", async () => {
  const table = await runCli(["spend", "--db", path, "--to", "9999-12-31"]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /\n2026-01-03\s+1\s/);
  assert.match(table.stdout, /\ntotal\s+3\s+0\s+\$0\.7\s/);
  const empty = await runCli(["spend", "--db", path, "--from", "9999-12-31", "--to", "9999-12-31"]);
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout, "no requests in the ledger from 9999-12-31 to 9999-12-31\n");
});
