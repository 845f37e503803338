/**
 * Virtual keys on the hot path: an in-memory map from the SHA-256 of a secret to its record,
 * refreshed from the key store whenever its version changes (so `switchyard keys revoke`
 * takes effect within the refresh interval without a restart).
 */
import { hashSecret } from "../ledger/api-keys.js";
import type { ApiKeyRecord, KeyStore } from "../ledger/ledger.js";

const MAX_VERIFIED = 10_000;

export class KeyCache {
  private byHash = new Map<string, ApiKeyRecord>();
  /**
   * Secrets already verified against byHash, so a key's SHA-256 is computed once per refresh
   * rather than per request (it was 2% of the gateway's CPU). Emptied whenever byHash is
   * replaced (revocations apply as before) and when it reaches MAX_VERIFIED entries. Only valid
   * secrets are remembered: a wrong one always pays the hash.
   */
  private verified = new Map<string, ApiKeyRecord>();
  private version = -1;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: KeyStore,
    private readonly refreshMs = 1_000,
  ) {}

  async start(): Promise<void> {
    await this.refresh(true);
    this.timer = setInterval(() => void this.refresh(false).catch(() => undefined), this.refreshMs);
    this.timer.unref();
  }

  async refresh(force = true): Promise<void> {
    const version = await this.store.version();
    if (!force && version === this.version) return;
    const records = await this.store.list();
    this.byHash = new Map(records.filter((record) => record.revoked_at === null).map((record) => [record.hash, record]));
    this.verified = new Map();
    this.version = version;
  }

  /**
   * The active key for a secret, found by its SHA-256 digest (the store holds only digests), so a
   * lookup's time depends on the digest, which says nothing about how close a guess came to a
   * stored secret. A secret verified since the last refresh is found by itself in `verified`: a
   * guess is compared there only with a secret whose string hash it happens to share.
   */
  verify(secret: string): ApiKeyRecord | undefined {
    const known = this.verified.get(secret);
    if (known) return known;
    const record = this.byHash.get(hashSecret(secret));
    if (!record) return undefined;
    if (this.verified.size >= MAX_VERIFIED) this.verified.clear();
    this.verified.set(secret, record);
    return record;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
