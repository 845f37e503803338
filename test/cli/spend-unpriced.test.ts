/**
 * spend: unknown is not zero. A group none of whose requests could be priced (cost_usd null in the
 * ledger) shows "unpriced", not "$0"; one where some could and some could not shows its cost as a
 * lower bound, "≥ $X"; --json says which in cost_status (added beside cost_usd, which stays).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { openLedger } from "../../src/ledger/open-ledger.js";
import { DAY, HOUR, JAN_1_2026, sampleRow } from "../ledger/sample-rows.js";
import { sqliteTestLedger, type TestLedger } from "../ledger/test-ledgers.js";
import { runCli } from "./run-cli.js";

const ledger: TestLedger = sqliteTestLedger();
const path = (ledger.config as { path: string }).path;
const unpriced = { cost_usd: null, cost_exact: false, shadow_costs: {}, warnings: ["could not price: no price for x on 2026-01-01"] };

before(async () => {
  const opened = await openLedger({ ...ledger.config, journal: false });
  await opened.store.insertBatch([
    // Day 1 priced, day 2 priced and unpriced, day 3 unpriced only.
    sampleRow({ request_id: "p1", created_at: JAN_1_2026 + HOUR, cost_usd: "0.1", shadow_costs: { "vertex-sonnet": "0.1" } }),
    sampleRow({ request_id: "p2", created_at: JAN_1_2026 + DAY, cost_usd: "0.2", shadow_costs: { "vertex-sonnet": "0.2" } }),
    sampleRow({ request_id: "u1", created_at: JAN_1_2026 + DAY + HOUR, ...unpriced }),
    sampleRow({ request_id: "u2", created_at: JAN_1_2026 + 2 * DAY, ...unpriced }),
    sampleRow({ request_id: "u3", created_at: JAN_1_2026 + 2 * DAY + HOUR, ...unpriced }),
  ]);
  await opened.close();
});
after(() => ledger.cleanup());

test("spend's table shows an unpriced group as unpriced, never $0, and a partly priced one as a lower bound", async () => {
  const result = await runCli(["spend", "--db", path]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\n2026-01-01\s+1\s+0\s+\$0\.1\s+0\s/);
  assert.match(result.stdout, /\n2026-01-02\s+2\s+0\s+≥ \$0\.2\s+1\s/);
  assert.match(result.stdout, /\n2026-01-03\s+2\s+0\s+unpriced\s+2\s/);
  assert.match(result.stdout, /\ntotal\s+5\s+0\s+≥ \$0\.3\s+3\s/);
  assert.doesNotMatch(result.stdout, /\$0\s/, "no unknown cost shown as $0");
  assert.match(result.stdout, /3 request\(s\) could not be priced: their cost is unknown and in no total above, so a cost beside them is a lower bound \(≥\), or "unpriced"/);
  // The table of costs on each deployment: the actual cost as above; a deployment whose figure counts
  // no priced request (it served only unpriced ones) is unpriced, not $0.
  const deployments = result.stdout.slice(result.stdout.indexOf("The same requests on each deployment"));
  assert.match(deployments, /\nday +actual +anthropic-sonnet +vertex-sonnet\n/);
  assert.match(deployments, /\n2026-01-02 +≥ \$0\.2 +\$0\.2 +\$0\.2\n/);
  assert.match(deployments, /\n2026-01-03 +unpriced +unpriced +-\n/);
  assert.match(deployments, /\ntotal +≥ \$0\.3 +\$0\.3 +\$0\.3\n/);
});

test("spend --json: cost_status says what cost_usd is; the existing fields stay as they were", async () => {
  const result = await runCli(["spend", "--db", path, "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { groups: { group: { day: string }; cost_usd: string; unpriced_requests: number; cost_status: string }[]; total: { cost_usd: string; cost_status: string } };
  assert.deepEqual(
    report.groups.map((group) => [group.group.day, group.cost_usd, group.unpriced_requests, group.cost_status]),
    [
      ["2026-01-01", "0.1", 0, "exact"],
      ["2026-01-02", "0.2", 1, "lower_bound"],
      ["2026-01-03", "0", 2, "unpriced"],
    ],
  );
  assert.deepEqual([report.total.cost_usd, report.total.cost_status], ["0.3", "lower_bound"]);
  // Which deployment served the requests that could not be priced, and how many: in no figure.
  assert.deepEqual(
    (report.groups as unknown as { unpriced_served_on_each_deployment: Record<string, number> }[]).map((group) => group.unpriced_served_on_each_deployment),
    [{}, { "anthropic-sonnet": 1 }, { "anthropic-sonnet": 2 }],
  );
  const onlyUnpriced = JSON.parse((await runCli(["spend", "--db", path, "--from", "2026-01-03", "--json"])).stdout) as { total: { cost_status: string } };
  assert.equal(onlyUnpriced.total.cost_status, "unpriced");
});

test("spend --help names every field spend --json prints, at the top and in a group", async () => {
  const help = (await runCli(["spend", "--help"])).stdout;
  const jsonBlock = help.slice(help.indexOf("  --json "), help.indexOf("\n\n", help.indexOf("  --json ")));
  const listed = new Set([...jsonBlock.matchAll(/"([a-z_]+)"/g)].map((match) => match[1]));
  const report = JSON.parse((await runCli(["spend", "--db", path, "--by", "key", "--json"])).stdout) as { groups: Record<string, unknown>[] } & Record<string, unknown>;
  for (const field of [...Object.keys(report), ...Object.keys(report.groups[0] ?? {})]) assert.ok(listed.has(field), `--help does not name ${field}`);
});
