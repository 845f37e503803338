/**
 * Starts the gateway: provider clients from the config, the key cache and budget tracker over
 * the ledger, and the HTTP server. Returns its URL and a close() that drains the ledger.
 */
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import type { Catalog } from "../catalog/catalog.js";
import type { GatewayConfig } from "../config/gateway-config.js";
import type { ResolvedConfig } from "../config/load-gateway-config.js";
import type { KeyStore, LedgerRow, LedgerStore, LedgerWriter } from "../ledger/ledger.js";
import type { ProviderClient } from "../providers/provider.js";
import { createProviderClient } from "../providers/registry.js";
import { createAgent } from "../providers/shared/http.js";
import { AffinityTable } from "../routing/affinity.js";
import { HealthBook } from "../routing/health.js";
import { BudgetTracker } from "./budgets.js";
import { RateLimiter } from "./rate-limiter.js";
import { SharedAffinityTable } from "./shared-affinity.js";
import { SharedRateLimiter } from "./shared-rate-limiter.js";
import { KeyCache } from "./key-cache.js";
import { createGatewayApp } from "./server.js";
import type { GatewayState } from "./state.js";

export interface GatewayLedger {
  store: LedgerStore;
  keys: KeyStore;
  writer: LedgerWriter;
}

export interface StartGatewayOptions {
  config: ResolvedConfig;
  catalog: Catalog;
  ledger: GatewayLedger;
  env?: NodeJS.ProcessEnv;
  /** Overrides config.listen (tests use port 0). */
  host?: string;
  port?: number;
  now?: () => number;
  keyRefreshMs?: number;
  /** More routes on the same server (the dashboard, metrics). */
  extraRoutes?: (app: FastifyInstance, state: GatewayState) => void;
  /** Called with every ledger row as it is recorded (metrics are derived from rows). Must be cheap. */
  onRecord?: (row: LedgerRow) => void;
}

export interface RunningGateway {
  url: string;
  port: number;
  state: GatewayState;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Prompt-cache prefixes remembered per replica (the oldest are forgotten first). */
const AFFINITY_ENTRIES = 100_000;

/** Budgets' reload period when gateways share a PostgreSQL ledger (config `budgets.refresh_ms`). */
export const DEFAULT_SHARED_BUDGET_REFRESH_MS = 5_000;

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const env = options.env ?? process.env;
  const { config } = options.config;
  const agent = createAgent({ connectTimeoutMs: config.timeouts.connect_ms });
  const clients = new Map<string, ProviderClient>();
  for (const [name, providerConfig] of Object.entries(config.providers)) clients.set(name, createProviderClient(name, providerConfig, env, agent));
  const now = options.now ?? Date.now;
  // First: a missing Redis URL is a configuration error, before anything else starts.
  const localLimiter = new RateLimiter(now);
  const reportRedis = throttled((error: Error) => process.stderr.write(`switchyard redis: ${error.message}\n`), 10_000, now);
  const redis = config.redis ? await connectRedis(config.redis, env, config.timeouts.connect_ms, reportRedis) : undefined;
  const keys = new KeyCache(options.ledger.keys, options.keyRefreshMs ?? 1_000);
  const budgets = new BudgetTracker(options.ledger.store, () => options.ledger.writer.progress(), (error) => process.stderr.write(`switchyard budgets: ${error.message}\n`));
  budgets.startRefreshing(config.budgets.refresh_ms ?? (options.ledger.store.shared ? DEFAULT_SHARED_BUDGET_REFRESH_MS : 0), now);
  let affinity: AffinityTable;
  try {
    await keys.start();
    affinity = redis
      ? await SharedAffinityTable.start(redis, { channel: `${config.redis?.key_prefix ?? "switchyard:"}affinity`, onError: reportRedis, now, maxEntries: AFFINITY_ENTRIES, waitMs: config.timeouts.connect_ms })
      : new AffinityTable(AFFINITY_ENTRIES, now);
  } catch (error) {
    keys.stop();
    budgets.stop();
    redis?.disconnect();
    throw error;
  }
  const state: GatewayState = {
    config: options.config,
    catalog: options.catalog,
    clients,
    keys,
    budgets,
    ledger: options.onRecord ? observed(options.ledger.writer, options.onRecord) : options.ledger.writer,
    store: options.ledger.store,
    adminKey: env[config.admin_key_env] || undefined,
    health: new HealthBook(
      {
        windowMs: config.routing.health.window_ms,
        maxSamples: 512,
        failureThreshold: config.routing.health.failure_threshold,
        errorRateThreshold: config.routing.health.error_rate_threshold,
        minSamples: config.routing.health.min_samples,
        cooldownMs: config.routing.health.cooldown_ms,
        maxCooldownMs: config.routing.health.max_cooldown_ms,
        throttleCooldownMs: config.routing.health.throttle_cooldown_ms,
        snapshotMs: 100,
      },
      now,
    ),
    affinity,
    limiter: redis ? new SharedRateLimiter(redis, localLimiter, { keyPrefix: config.redis?.key_prefix ?? "switchyard:", onError: reportRedis, now }) : localLimiter,
    rotation: 0,
    now,
  };
  const app = createGatewayApp(state, options.extraRoutes ? (fastify) => options.extraRoutes?.(fastify, state) : undefined);
  const host = options.host ?? config.listen.host;
  await app.listen({ host, port: options.port ?? config.listen.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    state,
    app,
    async close() {
      keys.stop();
      budgets.stop();
      if (affinity instanceof SharedAffinityTable) affinity.stop();
      redis?.disconnect();
      await app.close();
      await Promise.all([...clients.values()].map((client) => client.close()));
      await agent.close();
      await options.ledger.writer.flush();
    },
  };
}

/**
 * The shared-state Redis: commands fail at once while it is unreachable (no offline queue, no
 * retries), so a request falls back to this replica's own rate limits instead of waiting; the
 * client reconnects by itself. Waits up to `connectMs` for the first connection, and starts
 * without it (saying so) rather than refusing to serve.
 */
async function connectRedis(settings: NonNullable<GatewayConfig["redis"]>, env: NodeJS.ProcessEnv, connectMs: number, report: (error: Error) => void): Promise<Redis> {
  const url = env[settings.url_env];
  if (!url) throw new Error(`redis: set ${settings.url_env} to the Redis URL (redis://host:6379), or remove the redis section to keep rate limits per replica`);
  const redis = new Redis(url, {
    commandTimeout: settings.command_timeout_ms,
    connectTimeout: connectMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // Commands issued in the same tick of the event loop leave in one write.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on("error", (error: Error) => report(new Error(`${error.message}; rate limits are per replica until it answers`)));
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), connectMs);
    redis.once("ready", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (!(await ready)) report(new Error(`no connection to ${settings.url_env} within ${connectMs} ms; starting with rate limits per replica until it answers`));
  return redis;
}

/** `write`, at most once every `everyMs`. */
function throttled(write: (error: Error) => void, everyMs: number, now: () => number): (error: Error) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (error) => {
    if (now() - last < everyMs) return;
    last = now();
    write(error);
  };
}

/** The writer, with an observer told of each row after it is durably accepted. */
function observed(writer: LedgerWriter, onRecord: (row: LedgerRow) => void): LedgerWriter {
  return {
    record(row) {
      writer.record(row);
      onRecord(row);
    },
    progress: () => writer.progress(),
    flush: () => writer.flush(),
    close: () => writer.close(),
  };
}
