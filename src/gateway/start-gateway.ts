/**
 * Starts the gateway: provider clients from the config, the key cache and budget tracker over
 * the ledger, and the HTTP server. Returns its URL and a close() that drains the ledger.
 */
import type { FastifyInstance } from "fastify";
import type { Catalog } from "../catalog/catalog.js";
import type { ResolvedConfig } from "../config/load-gateway-config.js";
import type { KeyStore, LedgerRow, LedgerStore, LedgerWriter } from "../ledger/ledger.js";
import type { ProviderClient } from "../providers/provider.js";
import { createProviderClient } from "../providers/registry.js";
import { createAgent } from "../providers/shared/http.js";
import { HealthBook } from "../routing/health.js";
import { FieldRefusals } from "../routing/field-refusals.js";
import { BudgetTracker } from "./budgets.js";
import { throttled } from "../util/throttled.js";
import { UndoStack } from "../util/undo-stack.js";
import { within } from "../util/within.js";
import { openSharedState } from "./shared-state.js";
import { KeyCache } from "./key-cache.js";
import { deploymentRefusalReport, faultReport, lostRowReport } from "./request-report.js";
import { createGatewayApp } from "./server.js";
import type { GatewayState } from "./state.js";

export interface GatewayLedger {
  store: LedgerStore;
  keys: KeyStore;
  writer: LedgerWriter;
  /** Where the ledger reports its troubles (openLedger's onError); lost rows are reported there too. */
  onError?: (error: Error) => void;
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

/** Budgets' reload period when gateways share a PostgreSQL ledger (config `budgets.refresh_ms`). */
export const DEFAULT_SHARED_BUDGET_REFRESH_MS = 5_000;

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const env = options.env ?? process.env;
  const { config } = options.config;
  const agent = createAgent({ connectTimeoutMs: config.timeouts.connect_ms });
  const clients = new Map<string, ProviderClient>();
  for (const [name, providerConfig] of Object.entries(config.providers)) clients.set(name, createProviderClient(name, providerConfig, env, agent));
  const now = options.now ?? Date.now;
  const keyReport = throttled((error) => process.stderr.write(`switchyard keys: ${error.message}\n`), 10_000, () => performance.now());
  const keys = new KeyCache(options.ledger.keys, options.keyRefreshMs ?? 1_000, keyReport, now);
  /** What has started, undone newest first: on close() (a second one finds nothing left), and on a failed start. */
  const started = new UndoStack();
  started.push(() => agent.close(), () => Promise.all([...clients.values()].map((client) => client.close())));
  const stop = () => started.undo();
  try {
    const health = new HealthBook(
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
    );
    const fieldRefusals = new FieldRefusals();
    // First: a missing Redis URL is a configuration error. What other replicas tell of deployments
    // reaches the health book and the refusals from the moment the channel is subscribed.
    const shared = await openSharedState(config, env, now, { health, refusals: fieldRefusals });
    started.push(() => shared.close());
    started.push(() => keys.stop());
    await keys.start();
    // Rows an earlier process left in the journal count against this month's budgets: a key's
    // first load waits for the writer to replay them (up to 10 s; a request waits up to
    // LOAD_TIMEOUT_MS of that, then gets a 529).
    const replayed = within(options.ledger.writer.flush().catch(() => undefined), 10_000);
    // At most one report every 10 s: a ledger that is away fails every request's first load.
    const budgetReport = throttled((error) => process.stderr.write(`switchyard budgets: ${error.message}\n`), 10_000, () => performance.now());
    const budgets = new BudgetTracker(options.ledger.store, () => options.ledger.writer.storedRows(), budgetReport, replayed);
    started.push(() => budgets.stop());
    const lostRows = lostRowReport(options.ledger.onError);
    const faults = faultReport();
    const deploymentRefusals = deploymentRefusalReport();
    started.push(() => lostRows.stop(), () => faults.stop(), () => deploymentRefusals.stop());
    budgets.startRefreshing(config.budgets.refresh_ms ?? (options.ledger.store.shared ? DEFAULT_SHARED_BUDGET_REFRESH_MS : 0), now);
    const state: GatewayState = {
      config: options.config,
      catalog: options.catalog,
      clients,
      keys,
      budgets,
      ledger: options.onRecord ? observed(options.ledger.writer, options.onRecord) : options.ledger.writer,
      lostRows,
      faults,
      deploymentRefusals,
      store: options.ledger.store,
      adminKey: env[config.admin_key_env] || undefined,
      health,
      affinity: shared.affinity,
      fieldRefusals,
      limiter: shared.limiter,
      sharedState: () => shared.status(),
      rotation: 0,
      now,
    };
    const app = createGatewayApp(state, options.extraRoutes ? (fastify) => options.extraRoutes?.(fastify, state) : undefined);
    started.push(() => app.close());
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
        await stop();
        await options.ledger.writer.flush();
      },
    };
  } catch (error) {
    // A failed start (the port taken, keys unreadable) must not leave Redis connections or timers holding the process open.
    return await started.undoAfter(error);
  }
}

/** The writer, with an observer told of each row after it is durably accepted. */
function observed(writer: LedgerWriter, onRecord: (row: LedgerRow) => void): LedgerWriter {
  return {
    record(row) {
      const number = writer.record(row);
      onRecord(row);
      return number;
    },
    storedRows: () => writer.storedRows(),
    flush: () => writer.flush(),
    close: () => writer.close(),
  };
}
