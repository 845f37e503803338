/**
 * Virtual API keys: making a secret, the record stored for it, and checking a presented secret.
 * Only the SHA-256 of a secret is stored. A secret carries 32 base62 characters (~190 bits), so a
 * fast unsalted hash is enough: there is nothing to brute-force as there is with a password.
 */
import { createHash, randomBytes } from "node:crypto";
import type { ApiKeyRecord } from "./ledger.js";

export const SECRET_PREFIX = "sk-sy-";
const SECRET_LENGTH = 32;
const ID_LENGTH = 16;
/** Characters of the secret kept in the record so people can tell their keys apart. */
const DISPLAY_PREFIX_LENGTH = SECRET_PREFIX.length + 4;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** Bytes >= 248 are dropped so that byte % 62 is uniform (248 = 4 x 62). */
const UNBIASED_LIMIT = 248;

export function randomBase62(length: number): string {
  let text = "";
  while (text.length < length) {
    for (const byte of randomBytes(length + 8)) {
      if (byte < UNBIASED_LIMIT) text += BASE62[byte % 62];
      if (text.length === length) break;
    }
  }
  return text;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export class DuplicateKeyNameError extends Error {
  override readonly name = "DuplicateKeyNameError";
  constructor(readonly keyName: string) {
    super(`an active key named ${JSON.stringify(keyName)} already exists`);
  }
}

export interface NewKeyRequest {
  name: string;
  allowed_models?: string[];
  tags?: Record<string, string>;
  monthly_budget_usd?: string | null;
  now?: number;
}

/** A fresh key: the secret (show it once, then forget it) and the record to store. */
export function newApiKey(request: NewKeyRequest): { secret: string; record: ApiKeyRecord } {
  const secret = `${SECRET_PREFIX}${randomBase62(SECRET_LENGTH)}`;
  return {
    secret,
    record: {
      id: `key_${randomBase62(ID_LENGTH)}`,
      name: request.name,
      prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH),
      hash: hashSecret(secret),
      allowed_models: request.allowed_models ?? [],
      tags: request.tags ?? {},
      monthly_budget_usd: request.monthly_budget_usd ?? null,
      created_at: request.now ?? Date.now(),
      revoked_at: null,
    },
  };
}

