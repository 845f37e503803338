/**
 * Which deployment holds which cached prefix, until when. A prefix's entry is refreshed by every
 * request that uses it there (a cache hit refreshes the provider's TTL too). Bounded: the oldest
 * entries are dropped first. One process's view; with a `redis:` config, replicas tell each other
 * what they learn (gateway/shared-affinity.ts).
 */
import type { CachePrefix } from "./cache-prefixes.js";

export interface Holding {
  deployment: string;
  expiresAt: number;
  tokens: number;
  /** When replicas were last told this deployment holds it (shared tables; undefined: never). */
  announcedAt?: number | undefined;
}

const TTL_MS = { "5m": 5 * 60_000, "1h": 60 * 60_000 } as const;

export const DEFAULT_AFFINITY_ENTRIES = 100_000;

export class AffinityTable {
  private readonly entries = new Map<string, Holding>();

  constructor(
    private readonly maxEntries = DEFAULT_AFFINITY_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The longest of the request's prefixes that a deployment holds, per deployment: its breakpoints'
   * and the block boundaries before them that the cache also checks (`lookback`, from
   * cachePrefixes), where an earlier request's breakpoint may have been.
   */
  holdings(prefixes: readonly CachePrefix[], lookback: readonly string[] = []): Map<string, Holding> {
    const now = this.now();
    const held = new Map<string, Holding>();
    const consider = (hash: string) => {
      const entry = this.entries.get(hash);
      if (!entry || entry.expiresAt <= now) return;
      const previous = held.get(entry.deployment);
      if (!previous || previous.tokens < entry.tokens) held.set(entry.deployment, entry);
    };
    for (const prefix of prefixes) consider(prefix.hash);
    for (const hash of lookback) consider(hash);
    return held;
  }

  /**
   * After a deployment served the request: it now holds (or refreshed) every prefix. Returns the
   * prefixes worth telling other replicas of, marked as told now: new, moved to another deployment,
   * or not told for a tenth of their TTL. `heard`: the prefixes are news from another replica, so
   * they are marked as told and none is returned (this replica need not tell the others again).
   */
  remember(prefixes: CachePrefix[], deployment: string, heard = false): CachePrefix[] {
    const now = this.now();
    const news: CachePrefix[] = [];
    for (const prefix of prefixes) {
      const previous = this.entries.get(prefix.hash);
      this.entries.delete(prefix.hash);
      let announcedAt = previous?.deployment === deployment ? previous.announcedAt : undefined;
      if (heard || announcedAt === undefined || now - announcedAt >= TTL_MS[prefix.ttl] / 10) {
        announcedAt = now;
        if (!heard) news.push(prefix);
      }
      this.entries.set(prefix.hash, { deployment, expiresAt: now + TTL_MS[prefix.ttl], tokens: prefix.tokens, announcedAt });
    }
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return news;
  }

  get size(): number {
    return this.entries.size;
  }
}
