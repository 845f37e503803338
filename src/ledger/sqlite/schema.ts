/**
 * The SQLite ledger schema (docs/LEDGER.md describes each column). Money is TEXT holding exact
 * decimals, never REAL; STRICT tables refuse a value of the wrong type instead of converting it.
 * Tags, attempts, shadow costs and warnings are JSON text; spend reads tags with JSON1 (json_each),
 * which costs nothing at insert time, where a side table of tags cost a third of the insert.
 * postgres/schema.ts is the same schema in PostgreSQL's types.
 */
import type { SqliteDatabase } from "./connection.js";

/** 2: the (model, created_at) and (provider, created_at) indexes dropped (no query used them; each cost every insert). */
export const SCHEMA_VERSION = 2;

const STATEMENTS = `
CREATE TABLE IF NOT EXISTS ledger_rows (
  request_id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  key_id TEXT,
  tags TEXT NOT NULL,
  requested_model TEXT NOT NULL,
  deployment TEXT,
  provider TEXT,
  route TEXT,
  region TEXT,
  model TEXT,
  upstream_model_id TEXT,
  status INTEGER NOT NULL,
  error_type TEXT,
  stream INTEGER NOT NULL,
  attempts TEXT NOT NULL,
  latency_ms REAL NOT NULL,
  ttft_ms REAL,
  overhead_ms REAL NOT NULL,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cache_write_5m_tokens INTEGER,
  cache_write_1h_tokens INTEGER,
  cache_write_unsplit_tokens INTEGER,
  cache_read_tokens INTEGER,
  web_search_requests INTEGER,
  cost_usd TEXT,
  cost_exact INTEGER NOT NULL,
  cost_usd_upper TEXT,
  shadow_costs TEXT NOT NULL,
  warnings TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS ledger_rows_created_at ON ledger_rows (created_at);
CREATE INDEX IF NOT EXISTS ledger_rows_key ON ledger_rows (key_id, created_at);
-- Reports filter by time and key only; grouping by model or provider reads the rows of the window.
DROP INDEX IF EXISTS ledger_rows_model;
DROP INDEX IF EXISTS ledger_rows_provider;

CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  allowed_models TEXT NOT NULL,
  tags TEXT NOT NULL,
  monthly_budget_usd TEXT,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
-- A name picks out one active key (keys revoke NAME); a revoked key's name may be reused.
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;

CREATE TABLE IF NOT EXISTS ledger_meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO ledger_meta (name, value) VALUES ('keys_version', 0);
`;

/**
 * Creates what is missing; refuses a database written by a newer schema. Idempotent. A database
 * already at this version is not written to: a report opening it takes no write lock, so it
 * neither waits for the gateway's inserts nor fails on a file it may only read.
 */
export function migrate(database: SqliteDatabase): void {
  const found = database.pragma("user_version", { simple: true });
  if (typeof found === "number" && found > SCHEMA_VERSION) {
    throw new Error(`this ledger has schema version ${found}; this switchyard understands up to ${SCHEMA_VERSION}: upgrade switchyard`);
  }
  if (found === SCHEMA_VERSION) return;
  database.transaction(() => {
    database.exec(STATEMENTS);
    database.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}
