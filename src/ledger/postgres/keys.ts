/** KeyStore on PostgreSQL: the api_keys table, and a version counter bumped in the same transaction. */
import type { QueryConfig } from "pg";
import type { ApiKeyRecord, KeyStore } from "../ledger.js";
import { DuplicateKeyNameError } from "../api-keys.js";
import { canonicalUsd } from "../exact-sum.js";
import { errorCode } from "../../util/error-code.js";
import { quoteSchema, withTransaction, type PostgresClient, type PostgresPool } from "./connection.js";
import { migrate } from "./schema.js";

interface StoredKey {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  allowed_models: string[];
  tags: Record<string, string>;
  monthly_budget_usd: string | null;
  created_at: string;
  revoked_at: string | null;
}

function fromStoredKey(stored: StoredKey): ApiKeyRecord {
  return {
    ...stored,
    monthly_budget_usd: stored.monthly_budget_usd === null ? null : canonicalUsd(stored.monthly_budget_usd),
    created_at: Number(stored.created_at),
    revoked_at: stored.revoked_at === null ? null : Number(stored.revoked_at),
  };
}

export class PostgresKeyStore implements KeyStore {
  private readonly s: string;

  /** Borrows the ledger store's pool; closing is the ledger's job. */
  constructor(
    private readonly pool: PostgresPool,
    private readonly schema: string,
  ) {
    this.s = quoteSchema(schema);
  }

  async migrate(): Promise<void> {
    await migrate(this.pool, this.schema);
  }

  async create(key: ApiKeyRecord): Promise<void> {
    try {
      await withTransaction(this.pool, async (client) => {
        await client.query(
          `INSERT INTO ${this.s}.api_keys (id, name, prefix, hash, allowed_models, tags, monthly_budget_usd, created_at, revoked_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            key.id,
            key.name,
            key.prefix,
            key.hash,
            JSON.stringify(key.allowed_models),
            JSON.stringify(key.tags),
            // canonicalUsd refuses more than 18 places, which NUMERIC(38,18) would round away silently.
            key.monthly_budget_usd === null ? null : canonicalUsd(key.monthly_budget_usd),
            key.created_at,
            key.revoked_at,
          ],
        );
        await this.bumpVersion(client);
      });
    } catch (error) {
      if (isUniqueViolation(error, "api_keys_active_name")) throw new DuplicateKeyNameError(key.name);
      throw error;
    }
  }

  async list(): Promise<ApiKeyRecord[]> {
    const result = await this.pool.query<StoredKey>(bounded(`SELECT * FROM ${this.s}.api_keys ORDER BY created_at, id`));
    return result.rows.map(fromStoredKey);
  }

  async revoke(idOrName: string, at: number): Promise<boolean> {
    // An id wins over a name, so a key named like another key's id cannot shadow it.
    return withTransaction(this.pool, async (client) => {
      let result = await client.query(`UPDATE ${this.s}.api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, [at, idOrName]);
      if (result.rowCount === 0) {
        result = await client.query(`UPDATE ${this.s}.api_keys SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL`, [at, idOrName]);
      }
      const revoked = (result.rowCount ?? 0) > 0;
      if (revoked) await this.bumpVersion(client);
      return revoked;
    });
  }

  async version(): Promise<number> {
    const result = await this.pool.query<{ value: string }>(bounded(`SELECT value FROM ${this.s}.ledger_meta WHERE name = 'keys_version'`));
    return Number(result.rows[0]?.value ?? 0);
  }

  private async bumpVersion(client: PostgresClient): Promise<void> {
    await client.query(`UPDATE ${this.s}.ledger_meta SET value = value + 1 WHERE name = 'keys_version'`);
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  return errorCode(error) === "23505" && typeof error === "object" && error !== null && "constraint" in error && error.constraint === constraint;
}

/**
 * The gateway reads keys every second: a database that hangs fails these in 5 s (pg's own
 * query_timeout, per query; @types/pg does not declare it on QueryConfig) instead of the pool's 300 s.
 */
function bounded(text: string): QueryConfig {
  const config: QueryConfig & { query_timeout: number } = { text, query_timeout: KEY_QUERY_TIMEOUT_MS };
  return config;
}

const KEY_QUERY_TIMEOUT_MS = 5_000;
