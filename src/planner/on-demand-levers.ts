/**
 * The levers of one pay-per-token deployment: prompt caching (which TTL, or none, and when a write
 * pays for itself) and batch (applied for batch-ok segments, shown as a potential saving for
 * realtime ones). Each carries its saving, preconditions and formula.
 */
import type { Offering, PriceBlock } from "../catalog/model.js";
import { Decimal } from "../pricing/decimal.js";
import { formatUsd, type Money } from "../pricing/money.js";
import { PricingError } from "../pricing/price-request.js";
import type { CacheSplit } from "./cache-model.js";
import { priceMonth, type PricedMonth } from "./on-demand-cost.js";
import type { Lever } from "./option.js";
import type { RequestTokens } from "./request-tokens.js";
import type { CacheTtl } from "./workload.js";

/** Reads after which one write has paid for itself: (write rate - input rate) / (input rate - read rate). */
export function breakEvenReadsPerWrite(input: Decimal, write: Decimal, read: Decimal): Decimal | undefined {
  const saving = input.sub(read);
  if (saving.compare(Decimal.ZERO) <= 0) return undefined;
  return write.sub(input).div(saving, 4);
}

export function cachingLever(
  offering: Offering,
  block: PriceBlock,
  tokens: RequestTokens,
  minimum: number | undefined,
  ttls: CacheTtl[],
  splits: Map<CacheTtl, CacheSplit>,
  priced: PricedMonth[],
  chosen: PricedMonth,
  net: (gross: Money) => Money,
): Lever {
  const card = block.standard;
  const formula =
    "month = writes x price(input + prefix as cache write + output) + reads x price(input + prefix as cache read + output); " +
    "break-even reads per write = (write rate - input rate) / (input rate - read rate)";
  const base = { lever: "prompt_caching" as const, formula };
  if (ttls.length === 0) {
    return {
      ...base,
      title: `prompt caching is not offered for ${offering.model.id} on ${offering.provider}/${offering.route}`,
      applied: false,
      saving: undefined,
      preconditions: ["a deployment that offers prompt caching for this model"],
      detail: { prefix_tokens: tokens.prefix },
    };
  }
  if (minimum !== undefined && tokens.prefix < minimum) {
    return {
      ...base,
      title: `the ${tokens.prefix}-token prefix is below the ${minimum}-token minimum cacheable length of ${offering.model.id}`,
      applied: false,
      saving: undefined,
      preconditions: [`a cached prefix of at least ${minimum} tokens (requests with a shorter prefix are not cached, and not charged for caching)`],
      detail: { prefix_tokens: tokens.prefix, min_cacheable_tokens: minimum },
    };
  }
  const sameBatch = priced.filter((month) => month.config.batch === chosen.config.batch);
  const uncached = sameBatch.find((month) => !month.config.cache) as PricedMonth;
  const bestCached = sameBatch.filter((month) => month.config.cache).reduce<PricedMonth | undefined>((best, month) => (!best || month.gross < best.gross ? month : best), undefined);
  const detail: Lever["detail"] = { prefix_tokens: tokens.prefix, min_cacheable_tokens: minimum ?? null, chosen_ttl: chosen.config.cache?.ttl ?? null };
  for (const ttl of ttls) {
    const split = splits.get(ttl);
    const month = sameBatch.find((candidate) => candidate.config.cache?.ttl === ttl);
    const write = ttl === "5m" ? card.cacheWrite5m : card.cacheWrite1h;
    const breakEven = write && card.cacheRead ? breakEvenReadsPerWrite(card.input, write, card.cacheRead) : undefined;
    detail[`writes_${ttl}`] = split ? split.writes.toString() : null;
    detail[`reads_${ttl}`] = split ? split.reads.toString() : null;
    detail[`hit_rate_${ttl}`] = split ? split.hitRate.toString() : null;
    detail[`estimate_${ttl}`] = split ? split.method : null;
    detail[`monthly_usd_${ttl}`] = month ? formatUsd(net(month.gross)) : null;
    detail[`break_even_reads_per_write_${ttl}`] = breakEven ? breakEven.toString() : null;
  }
  detail.monthly_usd_uncached = formatUsd(net(uncached.gross));
  const applied = chosen.config.cache !== undefined;
  const saving = bestCached ? net(uncached.gross) - net(bestCached.gross) : undefined;
  const chosenSplit = chosen.config.cache;
  return {
    ...base,
    title: applied && chosenSplit
      ? `cache the ${tokens.prefix}-token prefix with the ${chosenSplit.ttl} TTL: ${chosenSplit.writes} writes, ${chosenSplit.reads} reads a month (hit rate ${chosenSplit.hitRate.toString()})`
      : `caching the ${tokens.prefix}-token prefix would cost more than it saves at this traffic (too few reads per write)`,
    applied,
    saving,
    preconditions: [
      "the prefix is byte-identical across requests and marked with cache_control",
      ...(chosenSplit?.ttl === "1h" ? ['the 1-hour TTL: cache_control {"type": "ephemeral", "ttl": "1h"}'] : []),
      ...(chosenSplit?.method === "arrival" ? ["arrivals are spread as the arrival pattern says (Poisson within each hour)"] : []),
    ],
    detail: { ...detail, writes_formula: (chosenSplit ?? [...splits.values()][0])?.formula ?? null },
  };
}

export function batchLeverFor(
  latency: "realtime" | "batch-ok",
  possible: boolean,
  offering: Offering,
  block: PriceBlock,
  tokens: RequestTokens,
  requests: bigint,
  searches: bigint,
  splits: Map<CacheTtl, CacheSplit>,
  priced: PricedMonth[],
  chosen: PricedMonth,
  net: (gross: Money) => Money,
): Lever | undefined {
  const where = `${offering.provider}/${offering.route}`;
  const formula = `every token class x batch multiplier (${block.batchMultiplier?.toString() ?? "none here"}); caching stacks with it; the web search fee does not`;
  if (!possible) {
    if (latency === "realtime") return undefined;
    return {
      lever: "batch",
      title: `batch inference is not offered for ${offering.model.id} on ${where}`,
      applied: false,
      saving: undefined,
      preconditions: ["a deployment that offers batch for this model"],
      formula,
      detail: {},
    };
  }
  const cheapestOf = (months: PricedMonth[]) => months.reduce<PricedMonth | undefined>((best, month) => (!best || month.gross < best.gross ? month : best), undefined);
  if (latency === "batch-ok") {
    const online = cheapestOf(priced.filter((month) => !month.config.batch));
    const batched = cheapestOf(priced.filter((month) => month.config.batch));
    return {
      lever: "batch",
      title: `send this segment through batch (results within 24 h) at ${block.batchMultiplier?.toString()}x`,
      applied: chosen.config.batch,
      saving: online && batched ? net(online.gross) - net(batched.gross) : undefined,
      preconditions: ["the segment tolerates results within 24 hours", "cache hits inside a batch are best-effort"],
      formula,
      detail: {},
    };
  }
  // Realtime: show what batch would save if the segment could wait.
  let batched: PricedMonth | undefined;
  for (const cache of [undefined, ...splits.values()]) {
    try {
      const month = priceMonth(offering, block, tokens, requests, searches, { cache, batch: true });
      if (!batched || month.gross < batched.gross) batched = month;
    } catch (error) {
      if (!(error instanceof PricingError)) throw error;
    }
  }
  if (!batched) return undefined;
  return {
    lever: "batch",
    title: `if this segment could wait up to 24 h, batch would bill it at ${block.batchMultiplier?.toString()}x`,
    applied: false,
    saving: net(chosen.gross) - net(batched.gross),
    preconditions: ["change the segment to latency: batch-ok (results within 24 hours)"],
    formula,
    detail: {},
  };
}
