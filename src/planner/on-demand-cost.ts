/**
 * A month of a segment's traffic on one on-demand deployment, priced through the cost engine.
 *
 * The month is a handful of request shapes (plain; or prefix-writing and prefix-reading), each
 * priced once by priceRequest exactly as the provider bills one request (tier, batch, rates),
 * then multiplied by its whole number of requests. So a one-request workload costs exactly what
 * `switchyard price` says, and nothing here rounds.
 */
import type { Offering, PriceBlock } from "../catalog/model.js";
import type { Money } from "../pricing/money.js";
import { priceRequest } from "../pricing/price-request.js";
import type { Usage } from "../pricing/usage.js";
import type { CacheSplit } from "./cache-model.js";
import type { CostClass, CostLine } from "./option.js";
import type { RequestTokens } from "./request-tokens.js";

export interface OnDemandConfig {
  cache: CacheSplit | undefined;
  batch: boolean;
}

export interface RequestShape {
  kind: "plain" | "cache_write" | "cache_read";
  count: bigint;
  usage: Usage;
  /** Exact cost of one such request. */
  perRequest: Money;
}

export interface PricedMonth {
  config: OnDemandConfig;
  shapes: RequestShape[];
  lines: CostLine[];
  /** Before any discount. */
  gross: Money;
}

const CLASS_ORDER: CostClass[] = ["input", "cache_write_5m", "cache_write_1h", "cache_read", "output", "web_search"];

export function priceMonth(
  offering: Offering,
  block: PriceBlock,
  tokens: RequestTokens,
  requests: bigint,
  searches: bigint,
  config: OnDemandConfig,
  outputTokens = tokens.output,
): PricedMonth {
  const shapes: Omit<RequestShape, "perRequest">[] = [];
  const { cache } = config;
  if (cache && tokens.prefix > 0) {
    const write: Usage = cache.ttl === "5m" ? { cacheWrite5m: tokens.prefix } : { cacheWrite1h: tokens.prefix };
    shapes.push({ kind: "cache_write", count: cache.writes, usage: { input: tokens.input, output: outputTokens, ...write } });
    shapes.push({ kind: "cache_read", count: cache.reads, usage: { input: tokens.input, output: outputTokens, cacheRead: tokens.prefix } });
  } else {
    shapes.push({ kind: "plain", count: requests, usage: { input: tokens.input + tokens.prefix, output: outputTokens } });
  }
  const totals = new Map<CostClass, { tokens: bigint | undefined; quantity: bigint | undefined; usd: Money }>();
  const add = (tokenClass: CostClass, tokenCount: bigint | undefined, quantity: bigint | undefined, usd: Money) => {
    const entry = totals.get(tokenClass) ?? { tokens: undefined, quantity: undefined, usd: 0n };
    entry.usd += usd;
    if (tokenCount !== undefined) entry.tokens = (entry.tokens ?? 0n) + tokenCount;
    if (quantity !== undefined) entry.quantity = (entry.quantity ?? 0n) + quantity;
    totals.set(tokenClass, entry);
  };
  const priced: RequestShape[] = [];
  for (const shape of shapes) {
    const result = priceRequest(offering, block, shape.usage, { batch: config.batch });
    priced.push({ ...shape, perRequest: result.total });
    if (shape.count === 0n) continue;
    for (const line of result.lines) {
      // Flat fees are priced once for the month below (web search); the planner has no agent sessions.
      if (line.class === "web_search" || line.class === "agent_session" || line.usd === undefined) continue;
      add(line.class, BigInt(line.quantity ?? 0) * shape.count, undefined, line.usd * shape.count);
    }
  }
  if (searches > 0n) {
    // The search fee is flat per search, so the month's searches are priced as one usage record.
    const result = priceRequest(offering, block, { input: 0, output: 0, webSearchRequests: Number(searches) }, { batch: config.batch });
    add("web_search", undefined, searches, result.total);
  }
  const lines: CostLine[] = CLASS_ORDER.filter((tokenClass) => totals.has(tokenClass)).map((tokenClass) => {
    const entry = totals.get(tokenClass) as { tokens: bigint | undefined; quantity: bigint | undefined; usd: Money };
    return { class: tokenClass, tokens: entry.tokens, quantity: entry.quantity?.toString(), usd: entry.usd };
  });
  const gross = lines.reduce((sum, line) => sum + line.usd, 0n);
  return { config, shapes: priced, lines, gross };
}
