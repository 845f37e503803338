/**
 * Virtual keys on the hot path: an in-memory map from the SHA-256 of a secret to its record,
 * refreshed from the key store whenever its version changes (so `switchyard keys revoke`
 * takes effect within the refresh interval without a restart).
 */
import { hashSecret } from "../ledger/api-keys.js";
import type { ApiKeyRecord, KeyStore } from "../ledger/ledger.js";
import { withinOrFail } from "../util/within.js";

const MAX_VERIFIED = 10_000;
/** How often a secret not in memory may have the store asked again at once (recheck): a flood of wrong keys costs at most this many version queries. */
const RECHECK_MS = 100;
/** The longest a timed check may take before it is reported as failed (and the next may start): five periods, at least 1 s. */
const checkTimeoutMs = (refreshMs: number): number => Math.max(5 * refreshMs, 1_000);

export class KeyCache {
  private byHash = new Map<string, ApiKeyRecord>();
  /** Revoked keys by digest, so that a refusal can say the key was revoked (and when) rather than unknown. */
  private revokedByHash = new Map<string, ApiKeyRecord>();
  /**
   * Secrets already verified against byHash, so a key's SHA-256 is computed once per refresh
   * rather than per request (it was 2% of the gateway's CPU). Emptied whenever byHash is
   * replaced (revocations apply as before) and when it reaches MAX_VERIFIED entries. Only valid
   * secrets are remembered: a wrong one always pays the hash.
   */
  private verified = new Map<string, ApiKeyRecord>();
  private version = -1;
  /** Loads begun (refresh), and the number of the one the keys in memory come from. */
  private loadsBegun = 0;
  private loadApplied = 0;
  private timer: NodeJS.Timeout | undefined;
  /** A timed check under way: the next tick does not start another (a slow store would pile them up). */
  private checking = false;
  /** When the store last answered a check (the keys in memory are as of then), for the health endpoint. */
  checkedAt: number | undefined;
  /** The store asked again for a secret not in memory: every miss meanwhile waits for the same answer. */
  private rechecking: Promise<void> | undefined;
  private recheckedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: KeyStore,
    private readonly refreshMs = 1_000,
    /** Told when a timed check fails: until one succeeds, a key revoked meanwhile is still accepted here. */
    private readonly onError: (error: Error) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    await this.refresh(true);
    this.timer = setInterval(() => this.check(), this.refreshMs);
    this.timer.unref();
  }

  /**
   * One timed check at a time, however long it takes (the key store bounds its own queries), so
   * timed checks never pile up on a slow store (a recheck may overlap one: refresh keeps the newer
   * load); one that has not answered within five periods is reported, as a failed one is.
   */
  private check(): void {
    if (this.checking) return;
    this.checking = true;
    const running = this.refresh(false).finally(() => {
      this.checking = false;
    });
    withinOrFail(running, checkTimeoutMs(this.refreshMs)).catch((error: unknown) => {
      const since = this.checkedAt === undefined ? "" : ` (the keys in memory are as of ${new Date(this.checkedAt).toISOString()}; a key revoked since is still accepted here)`;
      this.onError(new Error(`reloading the virtual keys failed${since}: ${error instanceof Error ? error.message : String(error)}`));
    });
  }

  /**
   * Loads the keys if the store's version moved (or `force`). Loads may overlap (a recheck, an admin
   * refresh and a timed check): one begun before the load the keys in memory come from never
   * replaces them, or a slow load begun before a revocation would bring the revoked key back.
   */
  async refresh(force = true): Promise<void> {
    const asked = this.now();
    const load = ++this.loadsBegun;
    const version = await this.store.version();
    if (force || version !== this.version) {
      const records = await this.store.list();
      // Begun before the load in memory: what it read may be older (by start, not by version,
      // which a store made anew starts again from 0).
      if (load < this.loadApplied) return;
      this.loadApplied = load;
      this.byHash = new Map(records.filter((record) => record.revoked_at === null).map((record) => [record.hash, record]));
      this.revokedByHash = new Map(records.filter((record) => record.revoked_at !== null).map((record) => [record.hash, record]));
      this.verified = new Map();
      this.version = version;
    }
    // Never back in time (an admin refresh may overlap a timed check).
    this.checkedAt = Math.max(this.checkedAt ?? asked, asked);
  }

  /** An active key by its id, or else by its name (names are unique among active keys). */
  find(idOrName: string): ApiKeyRecord | undefined {
    let named: ApiKeyRecord | undefined;
    for (const record of this.byHash.values()) {
      if (record.id === idOrName) return record;
      if (record.name === idOrName) named = record;
    }
    return named;
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

  /**
   * A secret `verify` did not find, looked for again once the store has been asked now: a key
   * created a moment ago (`keys create`, then a request at once) is accepted without waiting for
   * the next timed check. The store is asked at most once per RECHECK_MS, whatever the number of
   * misses; one that fails leaves the keys in memory as they were (the timed check reports it).
   */
  async recheck(secret: string): Promise<ApiKeyRecord | undefined> {
    if (!this.rechecking && this.now() - this.recheckedAt >= RECHECK_MS) {
      this.recheckedAt = this.now();
      this.rechecking = withinOrFail(this.refresh(false), checkTimeoutMs(this.refreshMs))
        .catch(() => undefined)
        .finally(() => {
          this.rechecking = undefined;
        });
    }
    if (this.rechecking) await this.rechecking;
    return this.verify(secret);
  }

  /** The revoked key a refused secret is, if it is one (a refusal's path only: it hashes the secret). */
  revoked(secret: string): ApiKeyRecord | undefined {
    return this.revokedByHash.get(hashSecret(secret));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
