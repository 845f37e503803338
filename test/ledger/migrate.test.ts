/**
 * Opening a ledger whose schema is current writes nothing: a report on SQLite does not wait for
 * (or fail behind) a writer's lock, and a PostgreSQL role that may not create anything can open it.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import pg from "pg";
import { openLedger, type LedgerConfig } from "../../src/ledger/open-ledger.js";
import { sampleRow } from "./sample-rows.js";
import { POSTGRES_URL, postgresTestLedger, postgresUnreachable, sqliteTestLedger, type TestLedger } from "./test-ledgers.js";

/** Creates the ledger (the schema is then current) with one row, closes it, and removes it after the test. */
async function createWithOneRow(t: TestContext, testLedger: TestLedger): Promise<void> {
  t.after(() => testLedger.cleanup());
  const created = await openLedger(testLedger.config);
  created.writer.record(sampleRow({ request_id: "before" }));
  await created.close();
}

/** Opens the ledger as `config` says, checks that its reports see the one row (and no keys), and closes it. */
async function assertReportsTheRow(config: LedgerConfig): Promise<void> {
  const reports = await openLedger(config);
  try {
    const [group] = await reports.store.spend({ group_by: [] });
    assert.equal(group?.requests, 1);
    assert.equal(await reports.store.count(), 1);
    assert.deepEqual(await reports.keys.list(), []);
  } finally {
    await reports.close();
  }
}

test("SQLite: a ledger at the current schema opens for reports while another connection holds the write lock", async (t) => {
  const testLedger = sqliteTestLedger();
  await createWithOneRow(t, testLedger);

  const path = (testLedger.config as { path: string }).path;
  const writer = new Database(path);
  t.after(() => writer.close());
  writer.exec("BEGIN IMMEDIATE");
  // With the write lock taken, anything that writes waits busy_timeout (5 s) and then fails.
  await assertReportsTheRow({ kind: "sqlite", path, journal: false, mustExist: true });
});

test("PostgreSQL: a role that may read and insert but not create opens a current ledger and reports on it", async (t) => {
  const testLedger = postgresTestLedger();
  await createWithOneRow(t, testLedger);

  const schema = (testLedger.config as { schema: string }).schema;
  const role = `switchyard_reader_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw postgresUnreachable(error);
  }
  t.after(async () => {
    await admin.query(`DROP OWNED BY ${role}`);
    await admin.query(`DROP ROLE ${role}`);
    await admin.end();
  });
  await admin.query(`CREATE ROLE ${role} LOGIN`);
  await admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO ${role}`);
  await admin.query(`GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA "${schema}" TO ${role}`);

  const url = new URL(POSTGRES_URL);
  url.username = role;
  await assertReportsTheRow({ kind: "postgres", url: url.toString(), schema, journal: false });
});
