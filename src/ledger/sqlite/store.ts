/** LedgerStore on SQLite (better-sqlite3): the default, one-process ledger. */
import { RowsRefusedError, type LedgerRow, type LedgerStore, type SegmentInsert, type SpendGroup, type SpendQuery } from "../ledger.js";
import type { SqliteDatabase } from "./connection.js";
import { batchJson } from "../row-json.js";
import type { InsertCall, InsertWorkerSetup } from "./insert-worker.js";
import type { ReportCall, ReportResult, ReportWorkerSetup } from "./report-worker.js";
import { fromStoredRow, prepareInsert, type StoredRow } from "./rows.js";
import { migrate } from "./schema.js";
import { checkSpendQuery } from "../spend-groups.js";
import { keysSpend, spend } from "./spend.js";
import { plainError, ThreadClient, type ErrorRebuild } from "./thread-client.js";

/** The insert thread's refusals stay refusals across the thread boundary: the writer halves those batches. */
const refusalOrPlain: ErrorRebuild = (error) => (error.name === "RowsRefusedError" ? new RowsRefusedError(error.message) : plainError(error));

export interface SqliteStoreOptions {
  /** Insert and report in worker threads (default, for a file): the gateway's event loop never waits on SQLite. */
  insertThread?: boolean;
  synchronous?: "NORMAL" | "FULL";
}

export class SqliteLedgerStore implements LedgerStore {
  /** One gateway process writes a SQLite ledger (its journal lock and the file's write lock). */
  readonly shared = false;
  private readonly insertHere: (rows: LedgerRow[]) => void;
  private readonly inserts: ThreadClient<InsertCall, SegmentInsert> | undefined;
  private readonly reports: ThreadClient<ReportCall, ReportResult> | undefined;

  /** The store owns `database`: close() closes it (the key store borrows it). */
  constructor(
    readonly database: SqliteDatabase,
    options: SqliteStoreOptions = {},
  ) {
    // Here, not only in migrate(): the statements prepared below need the tables. (A ledger that
    // must exist was checked when its connection opened: openSqlite's mustExist.)
    migrate(database);
    this.insertHere = prepareInsert(database);
    // An in-memory database is private to its connection: a thread could not see it.
    if ((options.insertThread ?? true) && !database.memory) {
      const insertSetup: InsertWorkerSetup = { path: database.name, synchronous: options.synchronous ?? "NORMAL" };
      const reportSetup: ReportWorkerSetup = { path: database.name };
      this.inserts = new ThreadClient(new URL("./insert-worker.js", import.meta.url), insertSetup, "insert", refusalOrPlain);
      this.reports = new ThreadClient(new URL("./report-worker.js", import.meta.url), reportSetup, "report");
    }
  }

  async migrate(): Promise<void> {
    migrate(this.database);
  }

  async insertBatch(rows: LedgerRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.inserts) await this.inserts.call({ json: batchJson(rows) });
    else this.insertHere(rows);
  }

  /** Only with the insert thread: it reads the segment itself (see LedgerStore). */
  get insertJournalSegment(): ((path: string, batchRows: number) => Promise<SegmentInsert>) | undefined {
    const inserts = this.inserts;
    return inserts ? (segment, batchRows) => inserts.call({ segment, batchRows }) : undefined;
  }

  async spend(query: SpendQuery): Promise<SpendGroup[]> {
    // Refuse a bad query here, with its own error class, before handing the work to the thread.
    checkSpendQuery(query);
    return this.reports ? ((await this.reports.call({ spend: query })) as SpendGroup[]) : spend(this.database, query);
  }

  /** In the report thread too: a key with a month of rows would otherwise hold the event loop for its first budget check. */
  async keysSpend(keyIds: string[], from: number): Promise<Map<string, string>> {
    const totals = new Map(keyIds.map((keyId) => [keyId, "0"]));
    if (keyIds.length === 0) return totals;
    const found = this.reports ? ((await this.reports.call({ keysSpend: { keyIds, from } })) as Map<string, string>) : keysSpend(this.database, keyIds, from);
    for (const [keyId, total] of found) totals.set(keyId, total);
    return totals;
  }

  async recent(limit: number, filter: { key_id?: string; status?: number } = {}): Promise<LedgerRow[]> {
    const conditions: string[] = [];
    const parameters: (string | number)[] = [];
    if (filter.key_id !== undefined) {
      conditions.push("key_id = ?");
      parameters.push(filter.key_id);
    }
    if (filter.status !== undefined) {
      conditions.push("status = ?");
      parameters.push(filter.status);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    const rows = this.database
      .prepare(`SELECT * FROM ledger_rows ${where} ORDER BY created_at DESC, request_id DESC LIMIT ?`)
      .all(...parameters, limit) as StoredRow[];
    return rows.map(fromStoredRow);
  }

  async get(requestId: string): Promise<LedgerRow | undefined> {
    const row = this.database.prepare("SELECT * FROM ledger_rows WHERE request_id = ?").get(requestId) as StoredRow | undefined;
    return row && fromStoredRow(row);
  }

  async count(): Promise<number> {
    return (this.database.prepare("SELECT count(*) AS count FROM ledger_rows").get() as { count: number }).count;
  }

  async close(): Promise<void> {
    await Promise.all([this.inserts?.close(), this.reports?.close()]);
    if (this.database.open) this.database.close();
  }
}
