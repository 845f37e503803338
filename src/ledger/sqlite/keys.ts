/** KeyStore on SQLite: the api_keys table, and a version counter bumped in the same transaction. */
import type { ApiKeyRecord, KeyStore } from "../ledger.js";
import { DuplicateKeyNameError } from "../api-keys.js";
import { canonicalUsd } from "../exact-sum.js";
import { errorCode } from "../../util/error-code.js";
import type { SqliteDatabase } from "./connection.js";
import { migrate } from "./schema.js";

interface StoredKey {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  allowed_models: string;
  tags: string;
  monthly_budget_usd: string | null;
  created_at: number;
  revoked_at: number | null;
}

function fromStoredKey(stored: StoredKey): ApiKeyRecord {
  return {
    ...stored,
    allowed_models: JSON.parse(stored.allowed_models) as string[],
    tags: JSON.parse(stored.tags) as Record<string, string>,
  };
}

export class SqliteKeyStore implements KeyStore {
  /** Borrows the ledger store's connection; closing is the ledger's job. */
  constructor(private readonly database: SqliteDatabase) {
    migrate(database);
  }

  async migrate(): Promise<void> {
    migrate(this.database);
  }

  async create(key: ApiKeyRecord): Promise<void> {
    const insert = this.database.prepare(
      `INSERT INTO api_keys (id, name, prefix, hash, allowed_models, tags, monthly_budget_usd, created_at, revoked_at)
       VALUES (@id, @name, @prefix, @hash, @allowed_models, @tags, @monthly_budget_usd, @created_at, @revoked_at)`,
    );
    try {
      this.database.transaction(() => {
        insert.run({
          ...key,
          allowed_models: JSON.stringify(key.allowed_models),
          tags: JSON.stringify(key.tags),
          // The same text PostgreSQL's NUMERIC gives back ("12.50" -> "12.5"), and a check that it is money.
          monthly_budget_usd: key.monthly_budget_usd === null ? null : canonicalUsd(key.monthly_budget_usd),
        });
        this.bumpVersion();
      })();
    } catch (error) {
      if (isUniqueViolation(error) && /api_keys\.name/.test(String(error))) throw new DuplicateKeyNameError(key.name);
      throw error;
    }
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = this.database.prepare("SELECT * FROM api_keys ORDER BY created_at, id").all() as StoredKey[];
    return rows.map(fromStoredKey);
  }

  async revoke(idOrName: string, at: number): Promise<boolean> {
    // An id wins over a name, so a key named like another key's id cannot shadow it.
    return this.database.transaction(() => {
      let changes = this.database.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(at, idOrName).changes;
      if (changes === 0) {
        changes = this.database.prepare("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL").run(at, idOrName).changes;
      }
      if (changes > 0) this.bumpVersion();
      return changes > 0;
    })();
  }

  async version(): Promise<number> {
    return (this.database.prepare("SELECT value FROM ledger_meta WHERE name = 'keys_version'").get() as { value: number }).value;
  }

  private bumpVersion(): void {
    this.database.prepare("UPDATE ledger_meta SET value = value + 1 WHERE name = 'keys_version'").run();
  }
}

function isUniqueViolation(error: unknown): boolean {
  return errorCode(error) === "SQLITE_CONSTRAINT_UNIQUE";
}
