/**
 * Virtual keys on the hot path: an in-memory map from the SHA-256 of a secret to its record,
 * refreshed from the key store whenever its version changes (so `switchyard keys revoke`
 * takes effect within the refresh interval without a restart).
 */
import { timingSafeEqual } from "node:crypto";
import { hashSecret } from "../ledger/api-keys.js";
import type { ApiKeyRecord, KeyStore } from "../ledger/ledger.js";

export class KeyCache {
  private byHash = new Map<string, ApiKeyRecord>();
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
    this.version = version;
  }

  /** The active key for a secret, compared in constant time on the digests. */
  verify(secret: string): ApiKeyRecord | undefined {
    const digest = hashSecret(secret);
    const record = this.byHash.get(digest);
    if (!record) return undefined;
    return timingSafeEqual(Buffer.from(record.hash, "hex"), Buffer.from(digest, "hex")) ? record : undefined;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
