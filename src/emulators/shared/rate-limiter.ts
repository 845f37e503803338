/**
 * Rate limits as token buckets that refill continuously, the way Anthropic describes its limits
 * (https://platform.claude.com/docs/en/api/rate-limits): a per-minute limit is a bucket of that
 * size refilled at limit/60 per second. Input tokens are taken when a request is admitted;
 * output tokens when the reply is known.
 */
import type { Clock } from "./clock.js";
import type { RateLimits } from "./profile-schema.js";

export type LimitDimension = "requests" | "input_tokens" | "output_tokens" | "tokens";

export interface BucketState {
  limit: number;
  remaining: number;
  /** When the bucket will be full again (epoch ms). */
  resetAt: number;
}

class TokenBucket {
  private level: number;
  private updatedAt: number;

  constructor(
    readonly limit: number,
    now: number,
  ) {
    this.level = limit;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    const perMs = this.limit / 60_000;
    this.level = Math.min(this.limit, this.level + (now - this.updatedAt) * perMs);
    this.updatedAt = now;
  }

  /** Milliseconds until `amount` is available; 0 when it is now. Infinity if it never fits. */
  waitFor(amount: number, now: number): number {
    this.refill(now);
    if (amount > this.limit) return Number.POSITIVE_INFINITY;
    return this.level >= amount ? 0 : ((amount - this.level) * 60_000) / this.limit;
  }

  take(amount: number, now: number): void {
    this.refill(now);
    this.level = Math.max(0, this.level - amount);
  }

  state(now: number): BucketState {
    this.refill(now);
    return { limit: this.limit, remaining: Math.floor(this.level), resetAt: now + ((this.limit - this.level) * 60_000) / this.limit };
  }
}

export type Admission = { ok: true } | { ok: false; dimension: LimitDimension; limit: number; retryAfterMs: number };

export class RateLimiter {
  private readonly buckets = new Map<LimitDimension, TokenBucket>();

  constructor(
    limits: RateLimits,
    private readonly clock: Clock,
  ) {
    const now = clock.now();
    const add = (dimension: LimitDimension, limit: number | undefined) => {
      if (limit !== undefined) this.buckets.set(dimension, new TokenBucket(limit, now));
    };
    add("requests", limits.requestsPerMinute);
    add("input_tokens", limits.inputTokensPerMinute);
    add("output_tokens", limits.outputTokensPerMinute);
    add("tokens", limits.tokensPerMinute);
  }

  /** Admits one request with this many input tokens, or says which limit it hit and for how long. */
  admit(inputTokens: number): Admission {
    const now = this.clock.now();
    const needs: [LimitDimension, number][] = [
      ["requests", 1],
      ["input_tokens", inputTokens],
      ["output_tokens", 1],
      ["tokens", inputTokens],
    ];
    for (const [dimension, amount] of needs) {
      const bucket = this.buckets.get(dimension);
      const wait = bucket?.waitFor(amount, now) ?? 0;
      if (bucket && wait > 0) {
        return { ok: false, dimension, limit: bucket.limit, retryAfterMs: Number.isFinite(wait) ? wait : 60_000 };
      }
    }
    this.buckets.get("requests")?.take(1, now);
    this.buckets.get("input_tokens")?.take(inputTokens, now);
    this.buckets.get("tokens")?.take(inputTokens, now);
    return { ok: true };
  }

  recordOutput(outputTokens: number): void {
    const now = this.clock.now();
    this.buckets.get("output_tokens")?.take(outputTokens, now);
    this.buckets.get("tokens")?.take(outputTokens, now);
  }

  state(dimension: LimitDimension): BucketState | undefined {
    return this.buckets.get(dimension)?.state(this.clock.now());
  }

  snapshot(): Partial<Record<LimitDimension, BucketState>> {
    const result: Partial<Record<LimitDimension, BucketState>> = {};
    for (const [dimension, bucket] of this.buckets) result[dimension] = bucket.state(this.clock.now());
    return result;
  }
}
