import { Redis } from "ioredis";

/** The Redis the tests use (.ci/run starts it): SWITCHYARD_TEST_REDIS_URL or the local default. */
export const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export const START_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

/**
 * A Redis client for tests: fails fast instead of queueing or reconnecting, never reports errors
 * as unhandled, and is remembered in `clients` so the test file can disconnect them all.
 */
export function testRedis(clients: Redis[], url = REDIS_URL, options: { lazyConnect?: boolean } = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: 500, retryStrategy: () => null, ...options });
  redis.on("error", () => undefined);
  clients.push(redis);
  return redis;
}
