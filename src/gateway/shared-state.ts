/**
 * What the gateway's replicas share when the config has a `redis:` section: per-key rate limits
 * (shared-rate-limiter.ts), prompt-cache affinity (shared-affinity.ts), and what they learn of
 * deployments: circuit breakers, retry-after cooling and refused fields (shared-news.ts). Without
 * it, each replica keeps its own. Budgets are shared through the ledger instead (budgets.ts).
 *
 * The Redis client fails commands at once while Redis is unreachable (no offline queue, no
 * retries), so a request falls back to the replica's own state instead of waiting, and it
 * reconnects by itself. The gateway starts without Redis, saying so, rather than refusing to serve.
 */
import { Redis, type RedisOptions } from "ioredis";
import type { GatewayConfig } from "../config/gateway-config.js";
import { AffinityTable, DEFAULT_AFFINITY_ENTRIES } from "../routing/affinity.js";
import type { FieldRefusals } from "../routing/field-refusals.js";
import type { HealthBook } from "../routing/health.js";
import { RateLimiter, type Limiter } from "./rate-limiter.js";
import { SharedAffinityTable } from "./shared-affinity.js";
import { SharedNews } from "./shared-news.js";
import { SharedRateLimiter } from "./shared-rate-limiter.js";
import { within } from "../util/within.js";
import { throttled } from "../util/throttled.js";
import { redactedUrl } from "../util/redacted-url.js";

/** Redis problems are written to stderr at most this often. */
const REPORT_EVERY_MS = 10_000;

export type SharedStateStatus = "off" | "connected" | "unavailable";

export interface SharedState {
  limiter: Limiter;
  affinity: AffinityTable;
  /** Whether rate limits and affinity are shared right now: no redis section, Redis answering, or not. */
  status(): SharedStateStatus;
  close(): void;
}

/** What to do when the config has a redis section and the environment has no URL for it. */
export function missingRedisUrl(urlEnv: string): string {
  return `redis: set ${urlEnv} to the Redis URL (redis://host:6379), or remove the redis section to keep rate limits, affinity and deployment health per replica`;
}

/** The Redis a redis section points at, for people to read: its address (the password redacted) and key prefix. */
export function redisLocation(url: string, keyPrefix: string): string {
  return `${redactedUrl(url)}, keys under ${keyPrefix}`;
}

/** How the gateway's Redis client behaves (exported for the test that runs it against a read-only replica). */
export function redisOptions(commandTimeoutMs: number, connectMs: number): RedisOptions {
  return {
    commandTimeout: commandTimeoutMs,
    connectTimeout: connectMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // Commands issued in the same tick of the event loop leave in one write (+16% → +10% CPU per request).
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    // After a failover the connection may still reach the demoted node, which refuses every write
    // (READONLY) while looking connected: reconnect, to whatever the address names now (ioredis's
    // own advice for ElastiCache and Sentinel-less failovers). LOADING: a node still reading its data.
    // From a script (the rate limiter's), Redis 6 wraps it: "ERR Error running script … -READONLY …".
    reconnectOnError: (error) => /(?:^|-)(?:READONLY|LOADING)\b/.test(error.message),
  };
}

/**
 * `deployments`: this replica's health book and field refusals, whose news is told to the other
 * replicas and which hear theirs (with a redis section).
 */
export async function openSharedState(config: GatewayConfig, env: NodeJS.ProcessEnv, now: () => number, deployments: { health: HealthBook; refusals: FieldRefusals }): Promise<SharedState> {
  const local = new RateLimiter(now);
  const settings = config.redis;
  if (!settings) return { limiter: local, affinity: new AffinityTable(DEFAULT_AFFINITY_ENTRIES, now), status: () => "off", close() {} };
  const url = env[settings.url_env];
  if (!url) throw new Error(missingRedisUrl(settings.url_env));
  const report = throttled((error: Error) => process.stderr.write(`switchyard redis: ${error.message}\n`), REPORT_EVERY_MS, now);
  const connectMs = config.timeouts.connect_ms;
  const redis = new Redis(url, redisOptions(settings.command_timeout_ms, connectMs));
  redis.on("error", (error: Error) => report(new Error(`${error.message}; rate limits, prompt-cache affinity and deployment health are per replica until it answers`)));
  const deploymentIds = new Set(config.deployments.map((deployment) => deployment.id));
  // The waits at once: with Redis away, start-up waits connect_ms once, not three times.
  const [ready, affinity, news] = await Promise.all([
    // Not events.once: it rejects on the "error" an unreachable Redis emits first.
    within(new Promise<true>((resolve) => redis.once("ready", () => resolve(true))), connectMs),
    SharedAffinityTable.start(redis, { channel: `${settings.key_prefix}affinity`, isDeployment: (id) => deploymentIds.has(id), onError: report, now, waitMs: connectMs }),
    SharedNews.start(redis, { ...deployments, channel: `${settings.key_prefix}deployments`, isDeployment: (id) => deploymentIds.has(id), onError: report, now, waitMs: connectMs }),
  ]);
  if (!ready) report(new Error(`no connection to ${settings.url_env} within ${connectMs} ms; starting with rate limits, prompt-cache affinity and deployment health per replica until it answers`));
  return {
    limiter: new SharedRateLimiter(redis, local, { keyPrefix: settings.key_prefix, onError: report, now }),
    affinity,
    status: () => (redis.status === "ready" ? "connected" : "unavailable"),
    close() {
      affinity.stop();
      news.stop();
      redis.disconnect();
    },
  };
}
