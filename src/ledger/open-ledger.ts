/**
 * The one way the gateway and the CLI open a ledger: a store, a key store and a writer on the same
 * database, closed together. SQLite is the default (one process); PostgreSQL serves several replicas.
 */
import type { KeyStore, LedgerStore, LedgerWriter } from "./ledger.js";
import { openSqlite } from "./sqlite/connection.js";
import { SqliteKeyStore } from "./sqlite/keys.js";
import { SqliteLedgerStore } from "./sqlite/store.js";
import { DEFAULT_SCHEMA, openPool } from "./postgres/connection.js";
import { PostgresKeyStore } from "./postgres/keys.js";
import { PostgresLedgerStore } from "./postgres/store.js";
import { JournalLedgerWriter, noJournalWriter, reportLedgerError, type JournalWriterOptions } from "./writer.js";

export interface LedgerOptions {
  /**
   * Where the writer's journal lives: one directory per process (a live owner locks it).
   * Default: "<path>.journal" next to a SQLite file; "switchyard-journal" for PostgreSQL.
   */
  journalDir?: string;
  /** false: no writer (reports, key administration); the journal of a running gateway is left alone. */
  journal?: boolean;
  /**
   * "process" (default): an accepted row survives the process being killed.
   * "power-loss": also the machine losing power: the journal fsyncs each row, SQLite each commit.
   */
  durability?: "process" | "power-loss";
  flushIntervalMs?: number;
  batchRows?: number;
  onError?: JournalWriterOptions["onError"];
  /** Fail (NotALedgerError; SQLite: also a missing file) instead of creating a ledger where there is none. */
  mustExist?: boolean;
}

export type LedgerConfig = ({ kind: "sqlite"; path: string } | { kind: "postgres"; url: string; schema?: string }) & LedgerOptions;

export interface Ledger {
  store: LedgerStore;
  keys: KeyStore;
  writer: LedgerWriter;
  /** Where the ledger's troubles are reported (the config's onError, or standard error). */
  onError: (error: Error) => void;
  /** Flushes the writer, then closes the database. */
  close(): Promise<void>;
}

/** The journal directory a writer on this ledger takes (undefined: an in-memory SQLite ledger with none set). */
export function journalDirOf(config: LedgerConfig): string | undefined {
  if (config.journalDir !== undefined) return config.journalDir;
  if (config.kind === "postgres") return "switchyard-journal";
  return config.path === ":memory:" ? undefined : `${config.path}.journal`;
}

export async function openLedger(config: LedgerConfig): Promise<Ledger> {
  const onError = config.onError ?? reportLedgerError;
  const powerLoss = config.durability === "power-loss";
  let store: LedgerStore;
  let keys: KeyStore;
  if (config.kind === "sqlite") {
    const synchronous = powerLoss ? "FULL" : "NORMAL";
    const database = openSqlite(config.path, { synchronous, mustExist: config.mustExist ?? false });
    try {
      store = new SqliteLedgerStore(database, { synchronous });
    } catch (error) {
      database.close(); // e.g. a ledger written by a newer schema
      throw error;
    }
    keys = new SqliteKeyStore(database);
  } else {
    const schema = config.schema ?? DEFAULT_SCHEMA;
    const pool = openPool(config.url, onError);
    store = new PostgresLedgerStore(pool, schema);
    keys = new PostgresKeyStore(pool, schema);
  }
  try {
    await store.migrate({ mustExist: config.mustExist ?? false });
    let writer: LedgerWriter = noJournalWriter;
    if (config.journal !== false) {
      const journalDir = journalDirOf(config);
      if (journalDir === undefined) throw new Error("an in-memory SQLite ledger needs a journalDir (or journal: false)");
      writer = JournalLedgerWriter.open(store, {
        journalDir,
        fsync: powerLoss,
        flushIntervalMs: config.flushIntervalMs,
        batchRows: config.batchRows,
        onError,
      });
    }
    return {
      store,
      keys,
      writer,
      onError,
      async close() {
        try {
          await writer.close();
        } finally {
          await store.close();
        }
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
