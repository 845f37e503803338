/** LedgerStore on SQLite (better-sqlite3): the default, one-process ledger. */
import type { LedgerRow, LedgerStore, SpendGroup, SpendQuery } from "../ledger.js";
import type { SqliteDatabase } from "./connection.js";
import { COLUMNS, fromStoredRow, toStoredRow, type StoredRow } from "./rows.js";
import { migrate } from "./schema.js";
import { spend } from "./spend.js";

export class SqliteLedgerStore implements LedgerStore {
  private readonly insertRows: (rows: LedgerRow[]) => void;

  /** The store owns `database`: close() closes it (the key store borrows it). */
  constructor(readonly database: SqliteDatabase) {
    migrate(database);
    const insertRow = database.prepare(
      `INSERT OR IGNORE INTO ledger_rows (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map((column) => `@${column}`).join(", ")})`,
    );
    const insertTag = database.prepare("INSERT OR IGNORE INTO ledger_tags (request_id, key, value) VALUES (?, ?, ?)");
    this.insertRows = database.transaction((rows: LedgerRow[]) => {
      for (const row of rows) {
        // A replayed row is already stored: skip its tags too, so a replay changes nothing.
        if (insertRow.run(toStoredRow(row)).changes === 0) continue;
        for (const [key, value] of Object.entries(row.tags)) insertTag.run(row.request_id, key, value);
      }
    });
  }

  async migrate(): Promise<void> {
    migrate(this.database);
  }

  async insertBatch(rows: LedgerRow[]): Promise<void> {
    if (rows.length > 0) this.insertRows(rows);
  }

  async spend(query: SpendQuery): Promise<SpendGroup[]> {
    return spend(this.database, query);
  }

  async keySpend(keyId: string, from: number): Promise<string> {
    const row = this.database
      .prepare("SELECT decimal_sum(cost_usd) AS total FROM ledger_rows WHERE key_id = ? AND created_at >= ?")
      .get(keyId, from) as { total: string };
    return row.total;
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
    if (this.database.open) this.database.close();
  }
}
