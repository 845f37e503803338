/**
 * One better-sqlite3 connection shared by the ledger store and the key store of a process.
 * WAL lets `switchyard spend` read while the gateway writes; synchronous=NORMAL makes a commit cost
 * a write() rather than an fsync: a committed row survives the process being killed, and only a
 * power loss can take the last commits back (docs/LEDGER.md, "Durability").
 */
import Database from "better-sqlite3";
import { UsdSum } from "../exact-sum.js";
import { NotALedgerError } from "../ledger.js";

export type SqliteDatabase = Database.Database;

export interface SqliteConnectionOptions {
  /** "FULL" fsyncs every commit: survives power loss too, at the price of an fsync per batch. */
  synchronous?: "NORMAL" | "FULL";
  /**
   * Open only an existing ledger: no new file (reports read a ledger; they should not make one),
   * and NotALedgerError for a database that holds none, before anything is written to it
   * (switching it to WAL would change another program's file for good).
   */
  mustExist?: boolean;
}

export function openSqlite(path: string, options: SqliteConnectionOptions = {}): SqliteDatabase {
  const database = new Database(path, { fileMustExist: options.mustExist ?? false });
  if (options.mustExist && database.pragma("user_version", { simple: true }) === 0) {
    database.close();
    throw new NotALedgerError("the file holds no Switchyard ledger");
  }
  database.pragma("journal_mode = WAL");
  database.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
  // A report run while the gateway commits waits for the lock instead of failing with SQLITE_BUSY.
  database.pragma("busy_timeout = 5000");
  registerDecimalSum(database);
  return database;
}

/**
 * decimal_sum(text): the exact sum of USD decimal text, as text. SQLite has no decimal type; its SUM
 * and total() convert text to binary floats (0.1 + 0.2 = 0.30000000000000004), so money is summed in
 * JavaScript BigInt attodollars instead. NULLs (unpriced requests) add nothing; no rows give "0".
 */
function registerDecimalSum(database: SqliteDatabase): void {
  database.aggregate("decimal_sum", {
    start: () => new UsdSum(),
    step: (sum: UsdSum, value: unknown) => {
      if (value !== null && typeof value !== "string") throw new TypeError(`decimal_sum expects text, got ${typeof value}`);
      sum.add(value);
    },
    result: (sum: UsdSum) => sum.toString(),
    deterministic: true,
  });
}
