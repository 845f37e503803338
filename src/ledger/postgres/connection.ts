/**
 * One pg Pool shared by the ledger store and the key store of a process, and the schema their tables
 * live in. Several gateway replicas share one PostgreSQL; each names tables as "schema".table.
 */
import pg from "pg";

export type PostgresPool = pg.Pool;
export type PostgresClient = pg.PoolClient;

export const DEFAULT_SCHEMA = "switchyard";

/**
 * Few connections: the writer sends one batch at a time, reports and key lookups are occasional.
 * Bounded waits, so a database that stops answering fails the flush (which is retried; the rows
 * stay in the journal) instead of holding it forever. An idle connection's error (the database
 * restarting) is reported, not thrown: unhandled, pg's 'error' event would end the process.
 */
export function openPool(url: string, onError: (error: Error) => void): PostgresPool {
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000, query_timeout: 300_000, keepAlive: true });
  pool.on("error", (error) => onError(new Error(`PostgreSQL connection lost (it is replaced on the next query): ${error.message}`)));
  return pool;
}

/** The schema name quoted for SQL; only plain identifiers, since it is spliced into statements. */
export function quoteSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new RangeError(`PostgreSQL schema must be a plain identifier (letters, digits, _), got ${JSON.stringify(schema)}`);
  }
  return `"${schema}"`;
}

/** Runs `work` in one transaction, begun with `begin` (e.g. an isolation level), on a client of its own. */
export async function withTransaction<T>(pool: PostgresPool, work: (client: PostgresClient) => Promise<T>, begin = "BEGIN"): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined); // the original error is the one to report
    throw error;
  } finally {
    client.release();
  }
}
