/**
 * The two ledgers every contract test runs against: SQLite in a temporary file, and PostgreSQL in a
 * schema of its own, dropped afterwards. PostgreSQL must be running (see docs/LEDGER.md, "Tests").
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { LedgerStore } from "../../src/ledger/ledger.js";
import type { LedgerConfig } from "../../src/ledger/open-ledger.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/store.js";
import { SqliteLedgerStore } from "../../src/ledger/sqlite/store.js";

export const POSTGRES_URL = process.env.SWITCHYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestLedger {
  kind: "sqlite" | "sqlite in memory" | "postgres";
  config: LedgerConfig;
  /** A scratch directory for journals and the like. */
  dir: string;
  /** Every row of api_keys, read past the stores. */
  rawKeyRows(): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

export function sqliteTestLedger(): TestLedger {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-ledger-"));
  const path = join(dir, "ledger.db");
  return {
    kind: "sqlite",
    config: { kind: "sqlite", path, journalDir: join(dir, "journal") },
    dir,
    async rawKeyRows() {
      const database = new Database(path, { readonly: true });
      try {
        return database.prepare("SELECT * FROM api_keys").all() as Record<string, unknown>[];
      } finally {
        database.close();
      }
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** In memory, SQLite inserts run on the calling thread: the path without the insert worker. */
export function sqliteMemoryTestLedger(): TestLedger {
  return {
    kind: "sqlite in memory",
    config: { kind: "sqlite", path: ":memory:" },
    dir: tmpdir(),
    async rawKeyRows() {
      throw new Error("an in-memory database is private to its connection");
    },
    async cleanup() {},
  };
}

/** Says how to start PostgreSQL when a test cannot reach it. */
export function postgresUnreachable(error: unknown): Error {
  return new Error(
    `PostgreSQL is not reachable at ${POSTGRES_URL} (${error instanceof Error ? error.message : String(error)}); ` +
      "start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start, or set SWITCHYARD_TEST_POSTGRES_URL",
  );
}

export function postgresTestLedger(): TestLedger {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-ledger-pg-"));
  const schema = `ledger_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const withClient = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    try {
      await client.connect();
    } catch (error) {
      throw postgresUnreachable(error);
    }
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    kind: "postgres",
    config: { kind: "postgres", url: POSTGRES_URL, schema, journalDir: join(dir, "journal") },
    dir,
    rawKeyRows: () => withClient(async (client) => (await client.query(`SELECT * FROM "${schema}".api_keys`)).rows as Record<string, unknown>[]),
    async cleanup() {
      await withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Makes the store refuse any row with this request_id for its contents, as it would a row it
 * cannot hold: SQLite through a trigger (SQLITE_CONSTRAINT_TRIGGER, seen by its insert thread too),
 * PostgreSQL through a CHECK constraint (SQLSTATE 23514).
 */
export async function refuseRequestId(store: LedgerStore, requestId: string): Promise<void> {
  const quoted = `'${requestId.replaceAll("'", "''")}'`;
  if (store instanceof SqliteLedgerStore) {
    store.database.exec(`CREATE TRIGGER refuse_for_test BEFORE INSERT ON ledger_rows WHEN NEW.request_id = ${quoted} BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`);
  } else if (store instanceof PostgresLedgerStore) {
    await store.pool.query(`ALTER TABLE "${store.schema}".ledger_rows ADD CONSTRAINT refuse_for_test CHECK (request_id <> ${quoted})`);
  } else {
    throw new Error("refuseRequestId: a store this test does not know");
  }
}

export const TEST_LEDGERS = [sqliteTestLedger, postgresTestLedger] as const;
