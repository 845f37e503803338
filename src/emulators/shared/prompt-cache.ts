/**
 * A real prompt cache, one per emulator instance (real caches are per organisation, model and
 * region). Follows https://platform.claude.com/docs/en/build-with-claude/prompt-caching:
 * - a breakpoint caches the whole prefix up to and including its block;
 * - a lookup also checks the 20 block boundaries before each breakpoint;
 * - prefixes shorter than the model's minimum are not cached (and cost nothing extra);
 * - an entry lives 5 minutes or 1 hour, and each hit refreshes it;
 * - tokens after the longest hit up to the last breakpoint are written, split by TTL.
 */
import type { Clock } from "./clock.js";
import type { PromptLayout } from "./prompt-layout.js";

export type CacheTtl = "5m" | "1h";

export const TTL_MS: Record<CacheTtl, number> = { "5m": 5 * 60_000, "1h": 60 * 60_000 };

/** How many block boundaries before a breakpoint are checked for a hit. */
export const LOOKBACK_BLOCKS = 20;

export interface CachePolicy {
  /** Smallest prefix, in tokens, that can be cached. */
  minTokens: number;
  /** TTLs the model accepts; a breakpoint asking for another falls back to 5m. */
  ttls: readonly CacheTtl[];
}

export interface CacheUsage {
  readTokens: number;
  write5mTokens: number;
  write1hTokens: number;
}

export interface CachePlan extends CacheUsage {
  /** Record the writes and refresh the hit; call only when the request succeeds. */
  commit(): void;
}

interface Entry {
  ttl: CacheTtl;
  expiresAt: number;
}

const NO_CACHE: CachePlan = { readTokens: 0, write5mTokens: 0, write1hTokens: 0, commit: () => undefined };

export class PromptCache {
  private readonly entries = new Map<string, Entry>();
  private lastSweep = 0;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    this.sweep(true);
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  plan(layout: PromptLayout, policy: CachePolicy | null): CachePlan {
    if (!policy) return NO_CACHE;
    const now = this.clock.now();
    this.sweep(false);
    const breakpoints: { index: number; ttl: CacheTtl }[] = [];
    layout.pieces.forEach((piece, index) => {
      if (!piece.cacheControl) return;
      const asked = piece.cacheControl.ttl ?? "5m";
      breakpoints.push({ index, ttl: policy.ttls.includes(asked) ? asked : "5m" });
    });
    if (breakpoints.length === 0) return NO_CACHE;

    let hitIndex = -1;
    for (const breakpoint of breakpoints) {
      for (let index = breakpoint.index; index >= 0 && index > breakpoint.index - LOOKBACK_BLOCKS; index -= 1) {
        if (index <= hitIndex) break;
        const piece = layout.pieces[index];
        const entry = piece ? this.entries.get(piece.prefixHash) : undefined;
        if (entry && entry.expiresAt > now) {
          hitIndex = index;
          break;
        }
      }
    }
    const hitPiece = hitIndex >= 0 ? layout.pieces[hitIndex] : undefined;
    const readTokens = hitPiece?.prefixTokens ?? 0;

    const writes: { hash: string; ttl: CacheTtl }[] = [];
    const usage = { write5mTokens: 0, write1hTokens: 0 };
    let boundary = readTokens;
    for (const breakpoint of breakpoints) {
      const piece = layout.pieces[breakpoint.index];
      if (!piece || breakpoint.index <= hitIndex || piece.prefixTokens < policy.minTokens) continue;
      const tokens = piece.prefixTokens - boundary;
      if (breakpoint.ttl === "1h") usage.write1hTokens += tokens;
      else usage.write5mTokens += tokens;
      boundary = piece.prefixTokens;
      writes.push({ hash: piece.prefixHash, ttl: breakpoint.ttl });
    }
    // A hit is refreshed with the longest TTL any breakpoint at or after it asks for.
    const refreshTtl: CacheTtl | undefined = hitPiece
      ? breakpoints.some((breakpoint) => breakpoint.index >= hitIndex && breakpoint.ttl === "1h")
        ? "1h"
        : (this.entries.get(hitPiece.prefixHash)?.ttl ?? "5m")
      : undefined;

    return {
      readTokens,
      ...usage,
      commit: () => {
        const at = this.clock.now();
        if (hitPiece && refreshTtl) this.entries.set(hitPiece.prefixHash, { ttl: refreshTtl, expiresAt: at + TTL_MS[refreshTtl] });
        for (const write of writes) this.entries.set(write.hash, { ttl: write.ttl, expiresAt: at + TTL_MS[write.ttl] });
      },
    };
  }

  /** Drops expired entries now and then, so a long-running emulator does not grow forever. */
  private sweep(force: boolean): void {
    const now = this.clock.now();
    if (!force && now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [hash, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(hash);
  }
}
