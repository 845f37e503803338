/**
 * Per-key rate limits, answered like the Anthropic API answers them: token buckets that refill
 * continuously (a limit of N per minute refills N/60 each second), a 429 rate_limit_error with
 * retry-after, and anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset} headers.
 * https://platform.claude.com/docs/en/api/rate-limits
 */
import type { RateLimitSettings } from "../config/gateway-config.js";
import { GatewayError } from "./errors.js";

interface Bucket {
  capacity: number;
  level: number;
  updatedAt: number;
}

function refill(bucket: Bucket, now: number): void {
  const perMs = bucket.capacity / 60_000;
  // A clock stepped back refills nothing, and drains nothing.
  bucket.level = Math.min(bucket.capacity, bucket.level + Math.max(0, now - bucket.updatedAt) * perMs);
  bucket.updatedAt = now;
}

/** Milliseconds until the bucket holds `amount` again. */
function waitFor(bucket: Bucket, amount: number): number {
  if (bucket.level >= amount) return 0;
  return Math.ceil(((amount - bucket.level) * 60_000) / bucket.capacity);
}

/**
 * The endpoints whose requests a key's limits admit, each from buckets of its own. count_tokens
 * has a requests bucket with the key's requests_per_minute and no token limit: the Anthropic API
 * limits token counting by requests per minute, separately from Messages
 * (https://platform.claude.com/docs/en/build-with-claude/token-counting, "Pricing and rate
 * limits"), so counting does not eat the Messages allowance, and a key still cannot send the
 * upstream accounts every key shares counting requests without bound.
 */
export type LimitedEndpoint = "messages" | "count_tokens";

/** What a 429 calls the requests of each endpoint ("your key's rate limit of 5 count_tokens requests per minute"). */
const REQUESTS_OF: Record<LimitedEndpoint, string> = { messages: "requests", count_tokens: "count_tokens requests" };

/** What handleMessages and count_tokens ask of rate limits: this replica's own (RateLimiter) or shared ones (SharedRateLimiter). */
export interface Limiter {
  /**
   * Admits a request costing one request and `tokens` estimated tokens (none on count_tokens), or
   * throws (or rejects with) a 429 that says which limit and when to retry. Returns the headers
   * describing the key's state for that endpoint.
   */
  admit(keyId: string, limits: RateLimitSettings, tokens: number, endpoint?: LimitedEndpoint): Record<string, string> | Promise<Record<string, string>>;
  debitTokens(keyId: string, limits: RateLimitSettings, tokens: number): void;
}

/** anthropic-ratelimit-{name}-{limit,remaining,reset}, as the Anthropic API sends them. */
export function rateLimitHeaders(name: string, capacity: number, remaining: number, resetAtMs: number): Record<string, string> {
  return {
    [`anthropic-ratelimit-${name}-limit`]: String(capacity),
    [`anthropic-ratelimit-${name}-remaining`]: String(Math.max(0, Math.floor(remaining))),
    [`anthropic-ratelimit-${name}-reset`]: new Date(resetAtMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
}

export function rateLimitMessage(what: string, capacity: number, waitMs: number): string {
  return `This request would exceed your key's rate limit of ${capacity} ${what} per minute. Retry after ${Math.ceil(waitMs / 1000)} s or lower the request rate.`;
}

/**
 * The 429 of a refused request: which limit, the bucket's headers, and retry-after in whole
 * seconds. `name` is the headers' ("requests", "tokens"), `endpoint` whose requests they were.
 */
export function rateLimitError(name: string, capacity: number, remaining: number, untilFullAtMs: number, waitMs: number, endpoint: LimitedEndpoint = "messages"): GatewayError {
  return new GatewayError("rate_limited", rateLimitMessage(name === "requests" ? REQUESTS_OF[endpoint] : name, capacity, waitMs), {
    ...rateLimitHeaders(name, capacity, remaining, untilFullAtMs),
    "retry-after": String(Math.max(1, Math.ceil(waitMs / 1000))),
  });
}

export class RateLimiter implements Limiter {
  private readonly requests = new Map<string, Bucket>();
  private readonly tokens = new Map<string, Bucket>();
  private readonly countRequests = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  private bucket(map: Map<string, Bucket>, key: string, capacity: number, now: number): Bucket {
    let bucket = map.get(key);
    if (!bucket || bucket.capacity !== capacity) {
      bucket = { capacity, level: capacity, updatedAt: now };
      map.set(key, bucket);
    }
    refill(bucket, now);
    return bucket;
  }

  admit(keyId: string, limits: RateLimitSettings, tokens: number, endpoint: LimitedEndpoint = "messages"): Record<string, string> {
    const now = this.now();
    const headers: Record<string, string> = {};
    const checks: [string, Bucket, number][] = [];
    const counting = endpoint === "count_tokens";
    if (limits.requests_per_minute) checks.push(["requests", this.bucket(counting ? this.countRequests : this.requests, keyId, limits.requests_per_minute, now), 1]);
    if (limits.tokens_per_minute && !counting) checks.push(["tokens", this.bucket(this.tokens, keyId, limits.tokens_per_minute, now), tokens]);
    for (const [name, bucket, amount] of checks) {
      // A request larger than the bucket could never be admitted: it waits for a full bucket, then
      // takes all it costs, below zero, so the key waits that long before the next (it used to be
      // charged only the bucket's size: a 400k-token request a minute passed a 100k/minute limit).
      const wait = waitFor(bucket, Math.min(amount, bucket.capacity));
      // The reset header says when the bucket is full again, on a 429 as on a 200 (the Anthropic API's meaning); retry-after says when this request would pass.
      if (wait > 0) throw rateLimitError(name, bucket.capacity, bucket.level, now + waitFor(bucket, bucket.capacity), wait, endpoint);
    }
    for (const [name, bucket, amount] of checks) {
      bucket.level -= amount;
      Object.assign(headers, this.headers(name, bucket, now, waitFor(bucket, bucket.capacity)));
    }
    return headers;
  }

  debitTokens(keyId: string, limits: RateLimitSettings, tokens: number): void {
    if (!limits.tokens_per_minute || tokens <= 0) return;
    const bucket = this.bucket(this.tokens, keyId, limits.tokens_per_minute, this.now());
    bucket.level -= tokens;
  }

  private headers(name: string, bucket: Bucket, now: number, untilFullMs: number): Record<string, string> {
    return rateLimitHeaders(name, bucket.capacity, bucket.level, now + untilFullMs);
  }
}
