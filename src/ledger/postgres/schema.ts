/**
 * The PostgreSQL ledger schema: sqlite/schema.ts in PostgreSQL's types. Money is NUMERIC(38,18), so
 * SUM is exact in SQL; tags, attempts, shadow costs and warnings are JSONB (spend reads a tag with ->>).
 */
import { errorCode } from "../../util/error-code.js";
import { quoteSchema, withTransaction, type PostgresPool } from "./connection.js";
import { NotALedgerError } from "../ledger.js";

/** 2: the (model, created_at) and (provider, created_at) indexes dropped, as in SQLite's schema. */
export const SCHEMA_VERSION = 2;

function statements(schema: string): string {
  const s = quoteSchema(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.ledger_rows (
  request_id text PRIMARY KEY,
  created_at bigint NOT NULL,
  key_id text,
  tags jsonb NOT NULL,
  requested_model text NOT NULL,
  deployment text,
  provider text,
  route text,
  region text,
  model text,
  upstream_model_id text,
  status integer NOT NULL,
  error_type text,
  stream boolean NOT NULL,
  attempts jsonb NOT NULL,
  latency_ms double precision NOT NULL,
  ttft_ms double precision,
  overhead_ms double precision NOT NULL,
  input_tokens bigint,
  output_tokens bigint,
  cache_write_5m_tokens bigint,
  cache_write_1h_tokens bigint,
  cache_write_unsplit_tokens bigint,
  cache_read_tokens bigint,
  web_search_requests bigint,
  cost_usd numeric(38, 18),
  cost_exact boolean NOT NULL,
  cost_usd_upper numeric(38, 18),
  shadow_costs jsonb NOT NULL,
  warnings jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_rows_created_at ON ${s}.ledger_rows (created_at);
CREATE INDEX IF NOT EXISTS ledger_rows_key ON ${s}.ledger_rows (key_id, created_at);
DROP INDEX IF EXISTS ${s}.ledger_rows_model;
DROP INDEX IF EXISTS ${s}.ledger_rows_provider;

CREATE TABLE IF NOT EXISTS ${s}.api_keys (
  id text PRIMARY KEY,
  name text NOT NULL,
  prefix text NOT NULL,
  hash text NOT NULL UNIQUE,
  allowed_models jsonb NOT NULL,
  tags jsonb NOT NULL,
  monthly_budget_usd numeric(38, 18),
  created_at bigint NOT NULL,
  revoked_at bigint
);
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_active_name ON ${s}.api_keys (name) WHERE revoked_at IS NULL;

CREATE TABLE IF NOT EXISTS ${s}.ledger_meta (
  name text PRIMARY KEY,
  value bigint NOT NULL
);
INSERT INTO ${s}.ledger_meta (name, value) VALUES ('keys_version', 0), ('schema_version', 0) ON CONFLICT (name) DO NOTHING;
`;
}

/**
 * Creates what is missing; refuses a schema written by a newer version. Replicas starting together
 * take an advisory lock first: CREATE ... IF NOT EXISTS is not safe against itself run concurrently.
 * A schema already at this version is only read: a role that may read and insert, but not create
 * (a reporting user, a locked-down gateway), can open it.
 */
export async function migrate(pool: PostgresPool, schema: string, options: { mustExist?: boolean } = {}): Promise<void> {
  const found = await storedVersion(pool, schema);
  if (found > SCHEMA_VERSION) {
    throw new Error(`schema ${schema} has ledger version ${found}; this switchyard understands up to ${SCHEMA_VERSION}: upgrade switchyard`);
  }
  if (found === SCHEMA_VERSION) return;
  if (options.mustExist && found === 0) throw new NotALedgerError(`schema ${schema} holds no Switchyard ledger`);
  await withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`switchyard-ledger:${schema}`]);
    await client.query(statements(schema));
    const found = await client.query<{ value: string }>(`SELECT value FROM ${quoteSchema(schema)}.ledger_meta WHERE name = 'schema_version'`);
    const version = Number(found.rows[0]?.value ?? 0);
    if (version > SCHEMA_VERSION) {
      throw new Error(`schema ${schema} has ledger version ${version}; this switchyard understands up to ${SCHEMA_VERSION}: upgrade switchyard`);
    }
    await client.query(`UPDATE ${quoteSchema(schema)}.ledger_meta SET value = $1 WHERE name = 'schema_version'`, [SCHEMA_VERSION]);
  });
}

/** The schema's ledger version; 0 when it has no ledger yet. */
async function storedVersion(pool: PostgresPool, schema: string): Promise<number> {
  try {
    const found = await pool.query<{ value: string }>(`SELECT value FROM ${quoteSchema(schema)}.ledger_meta WHERE name = 'schema_version'`);
    return Number(found.rows[0]?.value ?? 0);
  } catch (error) {
    // 42P01: no such table; 3F000: no such schema. Anything else (unreachable, no permission) is real.
    const code = errorCode(error);
    if (code === "42P01" || code === "3F000") return 0;
    throw error;
  }
}
