/**
 * Opening a ledger whose schema is current writes nothing: a report on SQLite does not wait for
 * (or fail behind) a writer's lock, and a PostgreSQL role that may not create anything can open it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import pg from "pg";
import { openLedger } from "../../src/ledger/open-ledger.js";
import { sampleRow } from "./sample-rows.js";
import { POSTGRES_URL, postgresTestLedger, postgresUnreachable, sqliteTestLedger, type TestLedger } from "./test-ledgers.js";

/** Creates the ledger (the schema is then current) with one row, and closes it. */
async function createWithOneRow(testLedger: TestLedger): Promise<void> {
  const created = await openLedger(testLedger.config);
  created.writer.record(sampleRow({ request_id: "before" }));
  await created.close();
}

test("SQLite: a ledger at the current schema opens for reports while another connection holds the write lock", async (t) => {
  const testLedger = sqliteTestLedger();
  t.after(() => testLedger.cleanup());
  await createWithOneRow(testLedger);

  const path = (testLedger.config as { path: string }).path;
  const writer = new Database(path);
  t.after(() => writer.close());
  writer.exec("BEGIN IMMEDIATE");
  // With the write lock taken, anything that writes waits busy_timeout (5 s) and then fails.
  const reports = await openLedger({ kind: "sqlite", path, journal: false, mustExist: true });
  try {
    const [group] = await reports.store.spend({ group_by: [] });
    assert.equal(group?.requests, 1);
    assert.equal((await reports.keys.list()).length, 0);
  } finally {
    await reports.close();
  }
});

test("PostgreSQL: a role that may read and insert but not create opens a current ledger and reports on it", async (t) => {
  const testLedger = postgresTestLedger();
  t.after(() => testLedger.cleanup());
  await createWithOneRow(testLedger);

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
  const reader = await openLedger({ kind: "postgres", url: url.toString(), schema, journal: false });
  try {
    const [group] = await reader.store.spend({ group_by: [] });
    assert.equal(group?.requests, 1);
    assert.equal(await reader.store.count(), 1);
  } finally {
    await reader.close();
  }
});
