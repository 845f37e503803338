/** A LedgerRow to SQLite column values and back. JSON columns hold the nested parts. */
import { RowsRefusedError, type AttemptRecord, type LedgerRow } from "../ledger.js";
import { canonicalUsd } from "../exact-sum.js";
import { errorCode } from "../../util/error-code.js";
import type { SqliteDatabase } from "./connection.js";
import type { UsageCountsJson } from "../../pricing/usage.js";

type Statement = ReturnType<SqliteDatabase["prepare"]>;

/** ledger_rows as better-sqlite3 returns it. */
export interface StoredRow extends UsageCountsJson {
  request_id: string;
  created_at: number;
  key_id: string | null;
  tags: string;
  requested_model: string;
  deployment: string | null;
  provider: string | null;
  route: string | null;
  region: string | null;
  model: string | null;
  upstream_model_id: string | null;
  status: number;
  error_type: string | null;
  stream: number;
  attempts: string;
  latency_ms: number;
  ttft_ms: number | null;
  overhead_ms: number;
  cost_usd: string | null;
  cost_exact: number;
  cost_usd_upper: string | null;
  shadow_costs: string;
  warnings: string;
}

export const COLUMNS: readonly (keyof StoredRow)[] = [
  "request_id", "created_at", "key_id", "tags", "requested_model", "deployment", "provider", "route", "region", "model",
  "upstream_model_id", "status", "error_type", "stream", "attempts", "latency_ms", "ttft_ms", "overhead_ms", "input_tokens",
  "output_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens", "cache_write_unsplit_tokens", "cache_read_tokens",
  "web_search_requests", "cost_usd", "cost_exact", "cost_usd_upper", "shadow_costs", "warnings",
];

const canonicalOrNull = (text: string | null) => (text === null ? null : canonicalUsd(text));

function canonicalShadowCosts(costs: Record<string, string>): Record<string, string> {
  const canonical: Record<string, string> = {};
  for (const [deployment, cost] of Object.entries(costs)) canonical[deployment] = canonicalUsd(cost);
  return canonical;
}

/** The values of one row, in COLUMNS order (positional binding: no object built per row). */
export function storedValues(row: LedgerRow): (string | number | null)[] {
  return [
    row.request_id,
    row.created_at,
    row.key_id,
    JSON.stringify(row.tags),
    row.requested_model,
    row.deployment,
    row.provider,
    row.route,
    row.region,
    row.model,
    row.upstream_model_id,
    row.status,
    row.error_type,
    row.stream ? 1 : 0,
    JSON.stringify(row.attempts),
    row.latency_ms,
    row.ttft_ms,
    row.overhead_ms,
    row.input_tokens,
    row.output_tokens,
    row.cache_write_5m_tokens,
    row.cache_write_1h_tokens,
    row.cache_write_unsplit_tokens,
    row.cache_read_tokens,
    row.web_search_requests,
    canonicalOrNull(row.cost_usd),
    row.cost_exact ? 1 : 0,
    canonicalOrNull(row.cost_usd_upper),
    JSON.stringify(canonicalShadowCosts(row.shadow_costs)),
    JSON.stringify(row.warnings),
  ];
}

export function fromStoredRow(stored: StoredRow): LedgerRow {
  return {
    request_id: stored.request_id,
    created_at: stored.created_at,
    key_id: stored.key_id,
    tags: JSON.parse(stored.tags) as Record<string, string>,
    requested_model: stored.requested_model,
    deployment: stored.deployment,
    provider: stored.provider,
    route: stored.route,
    region: stored.region,
    model: stored.model,
    upstream_model_id: stored.upstream_model_id,
    status: stored.status,
    error_type: stored.error_type,
    stream: stored.stream === 1,
    attempts: JSON.parse(stored.attempts) as AttemptRecord[],
    latency_ms: stored.latency_ms,
    ttft_ms: stored.ttft_ms,
    overhead_ms: stored.overhead_ms,
    input_tokens: stored.input_tokens,
    output_tokens: stored.output_tokens,
    cache_write_5m_tokens: stored.cache_write_5m_tokens,
    cache_write_1h_tokens: stored.cache_write_1h_tokens,
    cache_write_unsplit_tokens: stored.cache_write_unsplit_tokens,
    cache_read_tokens: stored.cache_read_tokens,
    web_search_requests: stored.web_search_requests,
    cost_usd: stored.cost_usd,
    cost_exact: stored.cost_exact === 1,
    cost_usd_upper: stored.cost_usd_upper,
    shadow_costs: JSON.parse(stored.shadow_costs) as Record<string, string>,
    warnings: JSON.parse(stored.warnings) as string[],
  };
}

/**
 * Rows per INSERT statement: 8 × 30 columns = 240 parameters. One statement for several rows: a
 * statement run per row cost about a fifth of the insert thread's time (bench:ledger). 8, 16 and 32
 * rows per statement inserted at the same rate in a scratch check (16–17 µs a row, 100,000 rows on
 * the calling thread), and 8 rows are about 0.1 ms of work: the step between two of the insert
 * thread's pauses (insert-worker.ts).
 */
export const ROWS_PER_STATEMENT = 8;

/**
 * The insert of a batch, as one transaction (a commit per row would cost a write() each, even in
 * WAL mode); a row whose request_id is stored already is skipped, so replays change nothing.
 * Rows go in ROWS_PER_STATEMENT at a time, the rest in one shorter statement. `pause`, if given,
 * runs between two statements (inside the transaction).
 */
export function prepareInsert(database: SqliteDatabase): (rows: LedgerRow[], pause?: () => void) => void {
  const statements = new Map<number, Statement>();
  const statement = (rows: number): Statement => {
    let prepared = statements.get(rows);
    if (prepared === undefined) {
      const one = `(${COLUMNS.map(() => "?").join(", ")})`;
      prepared = database.prepare(`INSERT OR IGNORE INTO ledger_rows (${COLUMNS.join(", ")}) VALUES ${Array.from({ length: rows }, () => one).join(", ")}`);
      statements.set(rows, prepared);
    }
    return prepared;
  };
  /** One statement; an error about what the rows hold (see refusesContents) becomes a RowsRefusedError. */
  const run = (rows: LedgerRow[], from: number, to: number): void => {
    try {
      const values: (string | number | null)[] = [];
      for (let row = from; row < to; row += 1) values.push(...storedValues(rows[row] as LedgerRow));
      statement(to - from).run(values);
    } catch (error) {
      if (refusesContents(error)) throw new RowsRefusedError(`SQLite refused the rows: ${(error as Error).message}`, { cause: error });
      throw error;
    }
  };
  const insert = database.transaction((rows: LedgerRow[], pause: (() => void) | undefined) => {
    for (let index = 0; index < rows.length; index += ROWS_PER_STATEMENT) {
      if (index > 0) pause?.();
      run(rows, index, Math.min(index + ROWS_PER_STATEMENT, rows.length));
    }
  });
  return (rows, pause) => insert(rows, pause);
}

/**
 * Errors about what a row holds: a constraint or a STRICT column's type (SQLITE_CONSTRAINT_*),
 * text or a blob too big, or a value better-sqlite3 cannot bind (a TypeError or RangeError).
 * The others (SQLITE_FULL, SQLITE_BUSY, SQLITE_IOERR, …) are the database's state, and pass.
 */
function refusesContents(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return true;
  const code = errorCode(error);
  return code.startsWith("SQLITE_CONSTRAINT") || code === "SQLITE_MISMATCH" || code === "SQLITE_TOOBIG";
}
