/**
 * spend's cost on each deployment: a deployment that could not price some of the requests it counts
 * (no shadow cost for them there) has a partial figure, a lower bound; the table marks it "≥" and says
 * how many it left out, and --json names it in unpriced_on_each_deployment. "Could not price" is
 * counted model by model, so a group by day that mixes models does not blame a deployment for the
 * models it does not offer. And --key with --by key reads the key store once; every report reads the
 * ledger once, its groups rolled up from the report the costs on each deployment come from.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { spendCommand } from "../../src/cli/spend.js";
import { newApiKey } from "../../src/ledger/api-keys.js";
import { openLedger } from "../../src/ledger/open-ledger.js";
import { SqliteKeyStore } from "../../src/ledger/sqlite/keys.js";
import { SqliteLedgerStore } from "../../src/ledger/sqlite/store.js";
import { DAY, HOUR, JAN_1_2026, sampleRow } from "../ledger/sample-rows.js";
import { sqliteTestLedger, type TestLedger } from "../ledger/test-ledgers.js";

const ledger: TestLedger = sqliteTestLedger();
const path = (ledger.config as { path: string }).path;
let keyId = "";

/** spend run in this process: its exit code and what it printed. */
async function spend(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const collect = () => {
    const chunks: string[] = [];
    const stream = new Writable({ write: (chunk, _encoding, done) => (chunks.push(String(chunk)), done()) });
    return { stream, text: () => chunks.join("") };
  };
  const stdout = collect();
  const stderr = collect();
  const status = await spendCommand.run({ argv: ["--db", path, ...args], stdout: stdout.stream, stderr: stderr.stream, stdin: process.stdin, env: {} });
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}

interface Report {
  groups: { group: Record<string, string | null>; cost_on_each_deployment: Record<string, string>; unpriced_on_each_deployment: Record<string, number> }[];
  total: { cost_on_each_deployment: Record<string, string>; unpriced_on_each_deployment: Record<string, number> };
}
async function report(...args: string[]): Promise<Report> {
  const result = await spend(...args, "--json");
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Report;
}

before(async () => {
  const opened = await openLedger({ ...ledger.config, journal: false });
  const { record } = newApiKey({ name: "ads-team", monthly_budget_usd: null, allowed_models: [], tags: {} });
  await opened.keys.create(record);
  keyId = record.id;
  const day2 = JAN_1_2026 + DAY;
  await opened.store.insertBatch([
    // Day 1, Sonnet, served by the Anthropic API: Bedrock could price the first only, Vertex both.
    sampleRow({ request_id: "s1", key_id: keyId, cost_usd: "0.1", shadow_costs: { "bedrock-sonnet-us": "0.11", "vertex-sonnet": "0.1" } }),
    sampleRow({ request_id: "s2", key_id: keyId, created_at: JAN_1_2026 + HOUR, cost_usd: "0.2", shadow_costs: { "vertex-sonnet": "0.2" } }),
    // Day 2: Sonnet that every deployment priced, and Haiku, which only anthropic-haiku offers.
    sampleRow({ request_id: "s3", created_at: day2, cost_usd: "0.3", shadow_costs: { "bedrock-sonnet-us": "0.03", "vertex-sonnet": "0.3" } }),
    sampleRow({ request_id: "h1", created_at: day2, requested_model: "claude-haiku-4-5", model: "claude-haiku-4-5", deployment: "anthropic-haiku", cost_usd: "0.01", shadow_costs: {} }),
    // Neither counts against a deployment: one no deployment served (a 429 before any upstream), one the gateway could not price.
    sampleRow({ request_id: "r1", created_at: day2, deployment: null, provider: null, model: null, status: 429, cost_usd: "0", shadow_costs: {}, input_tokens: null, output_tokens: null }),
    sampleRow({ request_id: "u1", created_at: day2, cost_usd: null, cost_exact: false, shadow_costs: {}, warnings: ["could not price: no price for x"] }),
  ]);
  await opened.close();
});
after(() => ledger.cleanup());

test("spend --json names the deployments whose cost on each deployment is a lower bound, and how many requests each could not price", async () => {
  const byModel = await report("--by", "requested_model");
  assert.deepEqual(
    byModel.groups.map((group) => [group.group.requested_model, group.cost_on_each_deployment, group.unpriced_on_each_deployment]),
    [
      ["claude-sonnet-4-5", { "anthropic-sonnet": "0.6", "bedrock-sonnet-us": "0.14", "vertex-sonnet": "0.6" }, { "bedrock-sonnet-us": 1 }],
      ["claude-haiku-4-5", { "anthropic-haiku": "0.01" }, {}],
    ],
  );
  assert.deepEqual(byModel.total.unpriced_on_each_deployment, { "bedrock-sonnet-us": 1 });
});

test("grouped by day, a day that mixes models counts what a deployment could not price among its own models only", async () => {
  const byDay = await report("--by", "day");
  assert.deepEqual(
    byDay.groups.map((group) => [group.group.day, group.cost_on_each_deployment, group.unpriced_on_each_deployment]),
    [
      ["2026-01-01", { "anthropic-sonnet": "0.3", "bedrock-sonnet-us": "0.11", "vertex-sonnet": "0.3" }, { "bedrock-sonnet-us": 1 }],
      // The Haiku request is not one Bedrock's Sonnet could not price, nor the 429 or the unpriced one.
      ["2026-01-02", { "anthropic-haiku": "0.01", "anthropic-sonnet": "0.3", "bedrock-sonnet-us": "0.03", "vertex-sonnet": "0.3" }, {}],
    ],
  );
  assert.deepEqual(byDay.total.unpriced_on_each_deployment, { "bedrock-sonnet-us": 1 });
});

test("the table marks a partial figure '≥' and says how many requests it leaves out", async () => {
  const result = await spend("--by", "day");
  assert.equal(result.status, 0, result.stderr);
  const table = result.stdout.slice(result.stdout.indexOf("The same requests on each deployment"));
  assert.match(table, /\n2026-01-01 +\$0\.3 +- +\$0\.3 +≥ \$0\.11 +\$0\.3\n/);
  // Day 2's actual cost leaves out the request that could not be priced: a lower bound; the deployments' figures compare the priced ones.
  assert.match(table, /\n2026-01-02 +≥ \$0\.31 +\$0\.01 +\$0\.3 +\$0\.03 +\$0\.3\n/, "complete figures are not marked");
  assert.match(table, /\ntotal +≥ \$0\.61 +\$0\.01 +\$0\.6 +≥ \$0\.14 +\$0\.6\n/);
  assert.match(table, /\n≥ marks a lower bound, not a total to compare: [^]*: 1 request\(s\) on bedrock-sonnet-us \(unpriced_on_each_deployment in --json\)\.\n$/);
  const complete = await spend("--by", "day", "--from", "2026-01-02");
  assert.equal(complete.status, 0, complete.stderr);
  // Every deployment's figure is complete: none marked, no note (the actual cost is a lower bound: u1 could not be priced).
  assert.match(complete.stdout, /\n2026-01-02 +≥ \$0\.31 +\$0\.01 +\$0\.3 +\$0\.03 +\$0\.3\n/);
  assert.doesNotMatch(complete.stdout, /≥ marks/, "with every figure complete, no mark and no note");
});

test("spend --key K --by key reads the key store once, and a report that names no key not at all", async () => {
  const list = SqliteKeyStore.prototype.list;
  let lists = 0;
  SqliteKeyStore.prototype.list = function (this: SqliteKeyStore) {
    lists += 1;
    return list.call(this);
  };
  try {
    const result = await spend("--key", "ads-team", "--by", "key");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^key +requests[^]*\\nads-team \\(${keyId}\\) +2 +0 +\\$0\\.3 `));
    assert.equal(lists, 1);
    assert.equal((await spend("--by", "day")).status, 0);
    assert.equal(lists, 1);
  } finally {
    SqliteKeyStore.prototype.list = list;
  }
});

test("spend asks the ledger for one report: its groups roll up from the one by requested model and deployment, as the store gives them", async () => {
  const spendOf = SqliteLedgerStore.prototype.spend;
  const asked: string[][] = [];
  SqliteLedgerStore.prototype.spend = function (this: SqliteLedgerStore, query) {
    asked.push([...query.group_by]);
    return spendOf.call(this, query);
  };
  let rolledUp: Report;
  try {
    rolledUp = await report("--by", "key,requested_model");
    assert.deepEqual(asked, [["key", "requested_model", "requested_model", "deployment"]]);
  } finally {
    SqliteLedgerStore.prototype.spend = spendOf;
  }
  // The groups, their figures and their order are the store's own report by those fields.
  const opened = await openLedger({ ...ledger.config, journal: false });
  try {
    const stored = await opened.store.spend({ group_by: ["key", "requested_model"] });
    assert.ok(stored.length > 1 && stored.some((group) => group.shadow_costs["bedrock-sonnet-us"] !== undefined));
    assert.deepEqual(
      rolledUp.groups.map((group) => {
        const { cost_on_each_deployment: _costs, unpriced_on_each_deployment: _unpriced, unpriced_served_on_each_deployment: _served, cost_status: _status, key_name: _name, ...figures } = group as Report["groups"][number] & {
          key_name?: string;
          unpriced_served_on_each_deployment?: unknown;
          cost_status?: unknown;
        };
        return figures;
      }),
      stored,
    );
  } finally {
    await opened.close();
  }
});
