/** LedgerStore on PostgreSQL (node-postgres): the ledger several gateway replicas share. */
import { RowsRefusedError, type LedgerRow, type LedgerStore, type SpendGroup, type SpendQuery } from "../ledger.js";
import { canonicalUsd } from "../exact-sum.js";
import { batchJson } from "../row-json.js";
import { checkRow } from "../row-schema.js";
import { errorCode } from "../../util/error-code.js";
import { quoteSchema, type PostgresPool } from "./connection.js";
import { COLUMN_TYPES, fromStoredRow, type StoredRow } from "./rows.js";
import { migrate } from "./schema.js";
import { spend } from "./spend.js";

export class PostgresLedgerStore implements LedgerStore {
  /** The ledger several gateway replicas share. */
  readonly shared = true;
  private readonly table: string;
  private readonly insertSql: string;

  /** The store owns `pool`: close() ends it (the key store borrows it). */
  constructor(
    readonly pool: PostgresPool,
    readonly schema: string,
  ) {
    const s = quoteSchema(schema);
    this.table = `${s}.ledger_rows`;
    const columns = COLUMN_TYPES.map(([name]) => name).join(", ");
    const recordType = COLUMN_TYPES.map(([name, type]) => `${name} ${type}`).join(", ");
    // One statement, so one transaction; a replayed request_id is skipped.
    this.insertSql = `
      INSERT INTO ${this.table} (${columns})
      SELECT ${columns} FROM jsonb_to_recordset($1::jsonb) AS x(${recordType})
      ON CONFLICT (request_id) DO NOTHING`;
  }

  async migrate(options: { mustExist?: boolean } = {}): Promise<void> {
    await migrate(this.pool, this.schema, options);
  }

  async insertBatch(rows: LedgerRow[]): Promise<void> {
    if (rows.length === 0) return;
    // NUMERIC(38,18) would round a 19th decimal place away silently; SQLite's store refuses it, so must this.
    for (const row of rows) checkRow(row);
    try {
      await this.pool.query({ name: `ledger-insert-${this.schema}`, text: this.insertSql, values: [batchJson(rows)] });
    } catch (error) {
      // SQLSTATE class 22 (data exception: a value out of range, bad text) and 23 (a constraint) are
      // about the rows; anything else (a lost connection, a read-only replica, a timeout) is the server.
      const code = errorCode(error);
      if (code.startsWith("22") || code.startsWith("23")) {
        throw new RowsRefusedError(`PostgreSQL refused the rows: ${(error as Error).message} (SQLSTATE ${code})`, { cause: error });
      }
      throw error;
    }
  }

  async spend(query: SpendQuery): Promise<SpendGroup[]> {
    return spend(this.pool, this.schema, query);
  }

  async keysSpend(keyIds: string[], from: number): Promise<Map<string, string>> {
    const totals = new Map(keyIds.map((keyId) => [keyId, "0"]));
    if (keyIds.length === 0) return totals;
    const result = await this.pool.query<{ key_id: string; total: string }>(
      `SELECT key_id, COALESCE(sum(COALESCE(cost_usd_upper, cost_usd)), 0)::text AS total FROM ${this.table} WHERE key_id = ANY($1) AND created_at >= $2 GROUP BY key_id`,
      [keyIds, from],
    );
    for (const row of result.rows) totals.set(row.key_id, canonicalUsd(row.total));
    return totals;
  }

  async recent(limit: number, filter: { key_id?: string; status?: number } = {}): Promise<LedgerRow[]> {
    const conditions: string[] = [];
    const values: (string | number)[] = [];
    if (filter.key_id !== undefined) {
      values.push(filter.key_id);
      conditions.push(`key_id = $${values.length}`);
    }
    if (filter.status !== undefined) {
      values.push(filter.status);
      conditions.push(`status = $${values.length}`);
    }
    values.push(limit);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    const result = await this.pool.query<StoredRow>(
      `SELECT * FROM ${this.table} ${where} ORDER BY created_at DESC, request_id DESC LIMIT $${values.length}`,
      values,
    );
    return result.rows.map(fromStoredRow);
  }

  async get(requestId: string): Promise<LedgerRow | undefined> {
    const result = await this.pool.query<StoredRow>(`SELECT * FROM ${this.table} WHERE request_id = $1`, [requestId]);
    const row = result.rows[0];
    return row && fromStoredRow(row);
  }

  async count(): Promise<number> {
    const result = await this.pool.query<{ count: string }>(`SELECT count(*) AS count FROM ${this.table}`);
    return Number(result.rows[0]?.count ?? 0);
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
