/** Everything a request handler needs, built once by startGateway. */
import type { Catalog } from "../catalog/catalog.js";
import type { ResolvedConfig } from "../config/load-gateway-config.js";
import type { LedgerStore, LedgerWriter } from "../ledger/ledger.js";
import type { ProviderClient } from "../providers/provider.js";
import type { AffinityTable } from "../routing/affinity.js";
import type { FieldRefusals } from "../routing/field-refusals.js";
import type { HealthBook } from "../routing/health.js";
import type { BudgetTracker } from "./budgets.js";
import type { KeyCache } from "./key-cache.js";
import type { RequestReport } from "./request-report.js";
import type { Limiter } from "./rate-limiter.js";
import type { SharedStateStatus } from "./shared-state.js";

export interface GatewayState {
  config: ResolvedConfig;
  catalog: Catalog;
  /** Provider name (config key) -> client. */
  clients: Map<string, ProviderClient>;
  keys: KeyCache;
  budgets: BudgetTracker;
  ledger: LedgerWriter;
  /** Requests answered without a ledger row, reported where the ledger reports its troubles. */
  lostRows: RequestReport;
  /** Requests that failed inside the gateway (bugs), reported on stderr. */
  faults: RequestReport;
  /** Attempts refused for the gateway's own credentials or configuration (upstream_auth), reported on stderr. */
  deploymentRefusals: RequestReport;
  store: LedgerStore;
  adminKey: string | undefined;
  health: HealthBook;
  affinity: AffinityTable;
  /** Fields each deployment refused lately: requests carrying them try it last. */
  fieldRefusals: FieldRefusals;
  limiter: Limiter;
  /** Whether rate limits and affinity are shared through Redis right now. */
  sharedState: () => SharedStateStatus;
  /** Rotates ties between equally good deployments. */
  rotation: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now: () => number;
}

const DAY_MS = 86_400_000;
let cachedDay = { start: 0, text: "1970-01-01" };

/** YYYY-MM-DD (UTC) of a timestamp: the date whose prices apply. Formatted once per day. */
export function priceDate(now: number): string {
  if (now < cachedDay.start || now >= cachedDay.start + DAY_MS) {
    const start = now - (((now % DAY_MS) + DAY_MS) % DAY_MS);
    cachedDay = { start, text: new Date(start).toISOString().slice(0, 10) };
  }
  return cachedDay.text;
}
