/**
 * Prometheus metrics of the gateway, on a registry of its own (several gateways can run in one
 * process, as the tests do). Request metrics are derived from ledger rows as they are recorded
 * (`observe`, the gateway's onRecord: a few counter increments, no I/O); the circuit breakers and
 * key budgets are read when Prometheus scrapes.
 *
 * Names follow the Prometheus conventions: snake_case with the `switchyard_` prefix, base units
 * (seconds, USD) in the name, `_total` on counters. Money is a float here because that is what
 * Prometheus stores; the ledger keeps the exact decimal.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { throttled } from "../util/throttled.js";
import { FastCounter, FastHistogram, type CounterSeries, type HistogramSeries } from "./fast-series.js";
import type { GatewayState } from "../gateway/state.js";
import { CLIENT_GONE, streamEndedEarlyKind, type ApiKeyRecord, type KeyStore, type LedgerRow } from "../ledger/ledger.js";
import { monthWindow } from "../ledger/budget-window.js";
import { formatUsd, parseUsd, type Money } from "../pricing/money.js";
import type { BreakerState } from "../routing/health.js";

/** Label value for requests no deployment served (refused, unknown model, every attempt failed). */
export const NONE = "none";
const BREAKER_STATES: BreakerState[] = ["closed", "half_open", "open"];

const TOKEN_CLASSES: [string, (row: LedgerRow) => number | null][] = [
  ["input", (row) => row.input_tokens],
  ["output", (row) => row.output_tokens],
  ["cache_write_5m", (row) => row.cache_write_5m_tokens],
  ["cache_write_1h", (row) => row.cache_write_1h_tokens],
  ["cache_write_unknown_ttl", (row) => row.cache_write_unsplit_tokens],
  ["cache_read", (row) => row.cache_read_tokens],
];

interface MetricsSource {
  state: GatewayState;
  keys: KeyStore;
}

/** One gauge sample: its labels and value. */
type GaugeValue = [Record<string, string>, number];

interface ServedSeries {
  labels: { deployment: string; provider: string; model: string };
  key: string;
  /** By HTTP status. */
  requests: Map<number, CounterSeries>;
  /** In TOKEN_CLASSES order. */
  tokens: CounterSeries[];
  webSearches: CounterSeries;
  cost: CounterSeries;
  inexact: CounterSeries;
  /** [non-streaming, streaming] */
  duration: [HistogramSeries, HistogramSeries];
  ttft: [HistogramSeries, HistogramSeries];
  overhead: HistogramSeries;
}

/** Active keys that have a monthly budget. */
async function budgetedKeys(keys: KeyStore): Promise<ApiKeyRecord[]> {
  return (await keys.list()).filter((key) => key.revoked_at === null && key.monthly_budget_usd !== null);
}

export interface MetricsOptions {
  /** Node.js process metrics (process_*, nodejs_*). Default true. */
  processMetrics?: boolean;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private source: MetricsSource | undefined;
  private readonly ledgerSpend = new Map<string, { from: number; at: number; amount: Money }>();

  private readonly requests = new FastCounter(
    this.registry,
    "switchyard_requests_total",
    "Requests answered, by the deployment that served them (none: refused or failed before any served) and the HTTP status returned to the client.",
  );
  private readonly tokens = new FastCounter(
    this.registry,
    "switchyard_tokens_total",
    "Tokens as reported by the upstream, by class (input = uncached input; cache_write_unknown_ttl = writes whose 5m/1h split was not reported). Unreported counts add nothing.",
  );
  private readonly webSearches = new FastCounter(this.registry, "switchyard_web_search_requests_total", "Server-side web searches, as reported by the upstream.");
  private readonly cost = new FastCounter(
    this.registry,
    "switchyard_cost_usd_total",
    "Cost in USD of the requests served, as priced by the gateway (a float here; the ledger holds the exact decimal).",
  );
  private readonly shadowCost = new FastCounter(
    this.registry,
    "switchyard_shadow_cost_usd_total",
    "What the priced requests served elsewhere would have cost on this deployment (the same usage at its prices), in USD.",
  );
  private readonly inexact = new FastCounter(
    this.registry,
    "switchyard_inexact_cost_requests_total",
    "Requests whose cost is a lower bound or unknown (the upstream did not report some usage, or no price applied).",
  );
  private readonly duration = new FastHistogram(
    this.registry,
    "switchyard_request_duration_seconds",
    "Time from the request's arrival to its last byte, failover included.",
    [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
  );
  private readonly timeToFirstToken = new FastHistogram(
    this.registry,
    "switchyard_time_to_first_token_seconds",
    "Time from the request's arrival to the first byte sent to the client (for streams, the first event).",
    [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30],
  );
  private readonly overhead = new FastHistogram(
    this.registry,
    "switchyard_gateway_overhead_seconds",
    "Time spent inside the gateway rather than waiting for upstreams.",
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
  );
  private readonly upstreamErrors = new FastCounter(
    this.registry,
    "switchyard_upstream_errors_total",
    "Failed upstream attempts, by deployment and error kind (rate_limited, overloaded, unavailable, upstream_server, timeout, connection, upstream_auth, ...).",
  );
  private readonly failovers = new FastCounter(this.registry, "switchyard_failovers_total", "Times a request moved from one deployment to the next after a failed attempt.");
  /** The series of one (deployment, provider, model), looked up once per row. */
  private readonly served = new Map<string, ServedSeries>();
  /** Scrape-time gauges whose source failed (the ledger away): counted, their last values kept. */
  readonly collectErrors = new Counter({
    name: "switchyard_metrics_collect_errors_total",
    help: "Scrapes in which a gauge read at scrape time could not be read (its source, the ledger or the key store, failed); its last values were kept.",
    labelNames: ["gauge"],
    registers: [this.registry],
  });
  /** At most a line every 10 s on stderr. */
  readonly reportCollectError = throttled((error: Error) => process.stderr.write(`switchyard ${error.message}\n`), 10_000, () => performance.now());

  constructor(options: MetricsOptions = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.scrapeGauge(
      "switchyard_circuit_breaker_state",
      "Circuit breaker of each deployment: 1 for its current state (closed, half_open, open), 0 for the others.",
      ["deployment", "state"],
      (source) => {
        const snapshot = source.state.health.snapshot();
        return [...source.state.config.deployments.keys()].flatMap((deployment) => {
          const current = snapshot.get(deployment)?.state ?? "closed";
          return BREAKER_STATES.map((state): GaugeValue => [{ deployment, state }, state === current ? 1 : 0]);
        });
      },
    );
    this.scrapeGauge(
      "switchyard_deployment_available",
      "1 when routing may use the deployment now; 0 while its circuit is open, a half-open probe is in flight, or it cools after a retry-after.",
      ["deployment"],
      (source) => {
        const snapshot = source.state.health.snapshot();
        return [...source.state.config.deployments.keys()].map((deployment): GaugeValue => [{ deployment }, snapshot.get(deployment)?.unavailable ? 0 : 1]);
      },
    );
    this.scrapeGauge(
      "switchyard_key_budget_spent_usd",
      "Month-to-date spend (the UTC calendar month a budget counts) of each active key that has a monthly budget, in USD: the figure the gateway checks the budget against.",
      ["key_id", "key_name"],
      async (source) => {
        const now = source.state.now();
        const budgeted = await budgetedKeys(source.keys);
        const spent = await this.monthSpend(source, budgeted.map((key) => key.id), now);
        return budgeted.map((key): GaugeValue => [{ key_id: key.id, key_name: key.name }, Number(formatUsd(spent.get(key.id) ?? 0n))]);
      },
    );
    this.scrapeGauge("switchyard_key_budget_usd", "Monthly budget of each active key that has one, in USD.", ["key_id", "key_name"], async (source) =>
      (await budgetedKeys(source.keys)).map((key): GaugeValue => [{ key_id: key.id, key_name: key.name }, Number(key.monthly_budget_usd)]),
    );
  }

  /** A gauge whose values are read when Prometheus scrapes (none until the gateway's state is attached). */
  private scrapeGauge(name: string, help: string, labelNames: string[], read: (source: MetricsSource) => GaugeValue[] | Promise<GaugeValue[]>): void {
    const metrics = this;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        const source = metrics.source;
        if (!source) return;
        let values: GaugeValue[];
        try {
          values = await read(source);
        } catch (error) {
          // One gauge the ledger cannot answer (the database is away) must not take the whole
          // scrape with it, when the rest (circuits, error rates) is what is needed: its last values
          // stay, and the failure is counted.
          metrics.collectErrors.inc({ gauge: name });
          metrics.reportCollectError(new Error(`metrics: reading ${name} failed (its last values stay): ${error instanceof Error ? error.message : String(error)}`));
          return;
        }
        this.reset();
        for (const [labels, value] of values) this.set(labels, value);
      },
    });
  }

  /**
   * Keys' spend this month without scanning the ledger on every scrape: the gateway's budget
   * tracker holds a key's exactly once it has made a request; the others come from one indexed
   * ledger query for all of them, remembered for a minute.
   */
  private async monthSpend(source: MetricsSource, keyIds: string[], now: number): Promise<Map<string, Money>> {
    const { from } = monthWindow(now);
    const spent = new Map<string, Money>();
    const unknown: string[] = [];
    for (const keyId of keyIds) {
      const remembered = this.ledgerSpend.get(keyId);
      const known = source.state.budgets.spent(keyId, now) ?? (remembered && remembered.from === from && now - remembered.at < 60_000 ? remembered.amount : undefined);
      if (known === undefined) unknown.push(keyId);
      else spent.set(keyId, known);
    }
    if (unknown.length > 0) {
      for (const [keyId, total] of await source.state.store.keysSpend(unknown, from)) {
        const amount = parseUsd(total);
        this.ledgerSpend.set(keyId, { from, at: now, amount });
        spent.set(keyId, amount);
      }
    }
    return spent;
  }

  /** Where scrape-time gauges read health and budgets (called once the gateway's state exists). */
  attach(state: GatewayState, keys: KeyStore): void {
    this.source = { state, keys };
  }

  private servedSeries(deployment: string, provider: string, model: string): ServedSeries {
    const key = `${deployment}\u0000${provider}\u0000${model}`;
    let series = this.served.get(key);
    if (series) return series;
    const served = { deployment, provider, model };
    const timing = (stream: boolean) => ({ deployment, provider, stream: String(stream) });
    const timingKey = (stream: boolean) => `${deployment}\u0000${provider}\u0000${stream}`;
    series = {
      labels: served,
      key,
      requests: new Map(),
      tokens: TOKEN_CLASSES.map(([tokenClass]) => this.tokens.at(`${key}\u0000${tokenClass}`, () => ({ ...served, class: tokenClass }))),
      webSearches: this.webSearches.at(key, () => served),
      cost: this.cost.at(key, () => served),
      inexact: this.inexact.at(key, () => served),
      duration: [this.duration.at(timingKey(false), () => timing(false)), this.duration.at(timingKey(true), () => timing(true))],
      ttft: [this.timeToFirstToken.at(timingKey(false), () => timing(false)), this.timeToFirstToken.at(timingKey(true), () => timing(true))],
      overhead: this.overhead.at(deployment, () => ({ deployment })),
    };
    this.served.set(key, series);
    return series;
  }

  /** The gateway's onRecord: counters from one ledger row. */
  readonly observe = (row: LedgerRow): void => {
    const series = this.servedSeries(row.deployment ?? NONE, row.provider ?? NONE, row.model ?? NONE);
    let requests = series.requests.get(row.status);
    if (!requests) {
      const status = String(row.status);
      requests = this.requests.at(`${series.key}\u0000${status}`, () => ({ ...series.labels, status }));
      series.requests.set(row.status, requests);
    }
    requests.inc();
    TOKEN_CLASSES.forEach(([, read], index) => {
      const tokens = read(row);
      if (tokens !== null && tokens > 0) series.tokens[index]?.inc(tokens);
    });
    if (row.web_search_requests !== null && row.web_search_requests > 0) series.webSearches.inc(row.web_search_requests);
    if (row.cost_usd !== null && row.cost_usd !== "0") series.cost.inc(Number(row.cost_usd));
    if (row.cost_usd === null || !row.cost_exact) series.inexact.inc();
    // Of the requests switchyard_cost_usd_total counts, as the ledger's reports sum them (SHADOW_OF_PRICED).
    if (row.cost_usd !== null) {
      for (const other in row.shadow_costs) {
        const amount = row.shadow_costs[other] as string;
        if (amount !== "0") this.shadowCost.at(other, () => ({ deployment: other })).inc(Number(amount));
      }
    }
    const stream = row.stream ? 1 : 0;
    series.duration[stream].observe(row.latency_ms / 1000);
    if (row.ttft_ms !== null) series.ttft[stream].observe(row.ttft_ms / 1000);
    series.overhead.observe(row.overhead_ms / 1000);
    row.attempts.forEach((attempt, index) => {
      // A client that left is not an upstream error (it is always a row's last attempt).
      if (attempt.error === null || attempt.error === CLIENT_GONE) return;
      const { deployment, provider, error: kind } = attempt;
      this.upstreamErrors.at(`${deployment}\u0000${provider}\u0000${kind}`, () => ({ deployment, provider, kind })).inc();
      const next = row.attempts[index + 1];
      if (next) this.failovers.at(`${deployment}\u0000${next.deployment}`, () => ({ from_deployment: deployment, to_deployment: next.deployment })).inc();
    });
    // A stream the upstream broke after its first event: its attempt was a success when it began,
    // so the failure is only in the row's warnings (streamEndedEarly).
    const broken = row.stream ? streamEndedEarlyKind(row.warnings) : undefined;
    const served = row.attempts.at(-1);
    if (broken && served && broken !== CLIENT_GONE) {
      this.upstreamErrors.at(`${served.deployment}\u0000${served.provider}\u0000${broken}`, () => ({ deployment: served.deployment, provider: served.provider, kind: broken })).inc();
    }
  };

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
