/**
 * Per-key rate limits shared by every gateway replica through Redis: the same continuously
 * refilling token buckets as RateLimiter (rate-limiter.ts), kept in Redis and updated by one Lua
 * script per request, so N replicas together admit what one would. Time is Redis's own clock
 * (TIME), so replicas whose clocks disagree still share one bucket correctly.
 *
 * A bucket is a hash {level, at, cap} that expires two minutes after it would be full again (a
 * request larger than the bucket leaves it in debt for longer than a minute), so an expired
 * bucket and a full one are the same thing.
 *
 * When Redis cannot answer in time (down, partitioned, slower than `commandTimeoutMs`), a request
 * is checked against this replica's own buckets instead, and the failure is reported (shared-state.ts
 * writes at most one report every 10 s): limits loosen to per replica for as long as Redis is away; no request fails because
 * of it.
 */
import type { Redis } from "ioredis";
import type { RateLimitSettings } from "../config/gateway-config.js";
import { rateLimitError, rateLimitHeaders, type LimitedEndpoint, type Limiter, type RateLimiter } from "./rate-limiter.js";

/** KEYS: requests bucket, tokens bucket. ARGV: requests capacity, tokens capacity (0 = no limit), tokens, mode. */
const BUCKET_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local capacities = { tonumber(ARGV[1]), tonumber(ARGV[2]) }
local amounts = { 1, tonumber(ARGV[3]) }
local mode = ARGV[4]
local levels = {}
for i = 1, 2 do
  local capacity = capacities[i]
  if capacity > 0 then
    local saved = redis.call('HMGET', KEYS[i], 'level', 'at', 'cap')
    local level, at, cap = tonumber(saved[1]), tonumber(saved[2]), tonumber(saved[3])
    if level == nil or cap ~= capacity then
      level = capacity
    else
      -- A clock that went back (a failover to a Redis whose clock is behind) refills nothing, drains nothing.
      level = math.min(capacity, level + math.max(0, now - at) * capacity / 60000)
    end
    levels[i] = level
  end
end
local function untilFull(i)
  local level = levels[i]
  if level == nil or level >= capacities[i] then return 0 end
  return math.ceil((capacities[i] - level) * 60000 / capacities[i])
end
local function remaining(i)
  if levels[i] == nil or levels[i] < 0 then return 0 end
  return math.floor(levels[i])
end
local function save(i)
  redis.call('HSET', KEYS[i], 'level', tostring(levels[i]), 'at', now, 'cap', capacities[i])
  -- Two minutes after it would be full again: an expired bucket is a full one, never a debt forgiven.
  redis.call('PEXPIRE', KEYS[i], 120000 + untilFull(i))
end
if mode == 'debit' then
  if levels[2] ~= nil then
    levels[2] = levels[2] - amounts[2]
    save(2)
  end
  return { 1 }
end
for i = 1, 2 do
  -- A request larger than the bucket waits for a full one, then takes it below zero (rate-limiter.ts).
  local need = levels[i] ~= nil and math.min(amounts[i], capacities[i]) or 0
  if levels[i] ~= nil and levels[i] < need then
    local wait = math.ceil((need - levels[i]) * 60000 / capacities[i])
    return { 0, i, wait, remaining(i), untilFull(i), now }
  end
end
for i = 1, 2 do
  if levels[i] ~= nil then
    levels[i] = levels[i] - amounts[i]
    save(i)
  end
end
return { 1, 0, 0, remaining(1), untilFull(1), now, remaining(2), untilFull(2) }
`;

const COMMAND = "switchyardRateBucket";
const DEFAULT_BYPASS_MS = 2_000;

type BucketCommand = (requestsKey: string, tokensKey: string, requestCapacity: number, tokenCapacity: number, tokens: number, mode: "admit" | "debit") => Promise<number[]>;

export interface SharedRateLimiterOptions {
  /** Prefix of every Redis key this writes ("switchyard:" by default). */
  keyPrefix: string;
  /** Told each time Redis failed and this replica's own buckets answered instead (the caller throttles). */
  onError: (error: Error) => void;
  /**
   * After a failure, how long this replica's own buckets answer without asking Redis (default
   * 2,000 ms). A Redis that hangs rather than refuses costs command_timeout_ms per command; without
   * this every request would pay it until the connection dropped.
   */
  bypassMs?: number;
  now?: () => number;
}

export class SharedRateLimiter implements Limiter {
  private readonly bucket: BucketCommand;
  private readonly now: () => number;
  /** Until when the replica's own buckets answer without a Redis command (see bypassMs). */
  private bypassUntil = Number.NEGATIVE_INFINITY;

  constructor(
    redis: Redis,
    /** This replica's own buckets, used while Redis cannot answer. */
    private readonly fallback: RateLimiter,
    private readonly options: SharedRateLimiterOptions,
  ) {
    redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: BUCKET_SCRIPT });
    const command = (redis as unknown as Record<string, BucketCommand>)[COMMAND] as BucketCommand;
    this.bucket = command.bind(redis);
    this.now = options.now ?? Date.now;
  }

  /** A key's buckets for an endpoint's requests (count_tokens has its own, and no token bucket it uses). */
  private keys(keyId: string, endpoint: LimitedEndpoint = "messages"): [string, string] {
    const owner = `${this.options.keyPrefix}ratelimit:${keyId}${endpoint === "count_tokens" ? ":count_tokens" : ""}`;
    return [`${owner}:requests`, `${owner}:tokens`];
  }

  admit(keyId: string, limits: RateLimitSettings, tokens: number, endpoint: LimitedEndpoint = "messages"): Record<string, string> | Promise<Record<string, string>> {
    const requestCapacity = limits.requests_per_minute ?? 0;
    const tokenCapacity = endpoint === "count_tokens" ? 0 : (limits.tokens_per_minute ?? 0);
    if (requestCapacity === 0 && tokenCapacity === 0) return {};
    if (this.now() < this.bypassUntil) return this.fallback.admit(keyId, limits, tokens, endpoint);
    const amount = tokenCapacity > 0 ? tokens : 0;
    return this.bucket(...this.keys(keyId, endpoint), requestCapacity, tokenCapacity, amount, "admit").then(
      (reply) => answer(reply, requestCapacity, tokenCapacity, endpoint),
      (error: unknown) => {
        this.report(error);
        return this.fallback.admit(keyId, limits, tokens, endpoint);
      },
    );
  }

  debitTokens(keyId: string, limits: RateLimitSettings, tokens: number): void {
    const tokenCapacity = limits.tokens_per_minute ?? 0;
    if (tokenCapacity === 0 || tokens <= 0) return;
    if (this.now() < this.bypassUntil) return this.fallback.debitTokens(keyId, limits, tokens);
    this.bucket(...this.keys(keyId), 0, tokenCapacity, tokens, "debit").catch((error: unknown) => {
      this.report(error);
      this.fallback.debitTokens(keyId, limits, tokens);
    });
  }

  private report(error: unknown): void {
    const bypassMs = this.options.bypassMs ?? DEFAULT_BYPASS_MS;
    this.bypassUntil = this.now() + bypassMs;
    const message = error instanceof Error ? error.message : String(error);
    this.options.onError(new Error(`Redis did not answer (${message}); rate limits are per replica until it does (Redis is asked again after ${bypassMs} ms)`));
  }
}

/** The script's reply as the headers of an admitted request, or the 429 of a refused one. */
function answer(reply: number[], requestCapacity: number, tokenCapacity: number, endpoint: LimitedEndpoint): Record<string, string> {
  const [allowed, dimension, wait, remaining, untilFull, now] = reply as [number, number, number, number, number, number];
  if (allowed === 0) {
    const name = dimension === 1 ? "requests" : "tokens";
    const capacity = dimension === 1 ? requestCapacity : tokenCapacity;
    throw rateLimitError(name, capacity, remaining, now + untilFull, wait, endpoint);
  }
  const [, , , requestsRemaining, requestsUntilFull, , tokensRemaining, tokensUntilFull] = reply as number[];
  return {
    ...(requestCapacity > 0 ? rateLimitHeaders("requests", requestCapacity, requestsRemaining ?? 0, now + (requestsUntilFull ?? 0)) : {}),
    ...(tokenCapacity > 0 ? rateLimitHeaders("tokens", tokenCapacity, tokensRemaining ?? 0, now + (tokensUntilFull ?? 0)) : {}),
  };
}
