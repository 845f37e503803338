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
}

const TTL_MS = { "5m": 5 * 60_000, "1h": 60 * 60_000 } as const;

export const DEFAULT_AFFINITY_ENTRIES = 100_000;

/** Drops a map's oldest insertions until it holds at most `limit` (re-inserting an entry makes it newest). */
export function dropOldest(map: Map<string, unknown>, limit: number): void {
  while (map.size > limit) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
}

export class AffinityTable {
  private readonly entries = new Map<string, Holding>();

  constructor(
    private readonly maxEntries = DEFAULT_AFFINITY_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  /** The longest of the request's prefixes that a deployment holds, per deployment. */
  holdings(prefixes: CachePrefix[]): Map<string, Holding> {
    const now = this.now();
    const held = new Map<string, Holding>();
    for (const prefix of prefixes) {
      const entry = this.entries.get(prefix.hash);
      if (!entry || entry.expiresAt <= now) continue;
      const previous = held.get(entry.deployment);
      if (!previous || previous.tokens < entry.tokens) held.set(entry.deployment, entry);
    }
    return held;
  }

  /** After a deployment served the request: it now holds (or refreshed) every prefix. */
  remember(prefixes: CachePrefix[], deployment: string): void {
    const now = this.now();
    for (const prefix of prefixes) {
      this.entries.delete(prefix.hash);
      this.entries.set(prefix.hash, { deployment, expiresAt: now + TTL_MS[prefix.ttl], tokens: prefix.tokens });
    }
    dropOldest(this.entries, this.maxEntries);
  }

  get size(): number {
    return this.entries.size;
  }
}
