/**
 * The cost of one request, as the provider bills it.
 *
 * Rules (sources in ../../../shared/reference/pricing-rules.md §1.8, and docs/PRICING.md):
 *  - the tier is chosen on raw token counts before any multiplier: the whole request (output too)
 *    moves to the long-context tier when input + cache writes + cache reads is strictly above the
 *    threshold; fast mode has its own rate block (and, in Feb 2026, its own long-context tier);
 *  - every class has an explicit rate in the catalog (Haiku 3's off-ratio cache rates, per-model
 *    cache-read multipliers, Bedrock regional and GovCloud rates, inference_geo "us" routes);
 *  - batch multiplies every token class (caching stacks with it); fast mode cannot be batched;
 *  - web search is a flat fee per 1,000 searches, not discounted;
 *  - cache writes with an unknown TTL are priced as a range, and unknown classes make the total
 *    a lower bound: nothing unknown is ever priced as zero.
 */
import type { OtherModelRole } from "./normalize-usage.js";
import type { Source } from "../catalog/schema.js";
import { cardSource, fastModeWithdrawn, pricePeriod, type Offering, type PriceBlock, type RateCard } from "../catalog/model.js";
import { Decimal } from "./decimal.js";
import { moneyFromUsd, perTokenRate, type Money } from "./money.js";
import { totalInputTokens, type Speed, type TokenClass, type Usage } from "./usage.js";

export type Tier = "standard" | "long_context" | "fast" | "fast_long_context";

export interface PriceOptions {
  batch?: boolean;
  /** Requested speed; the usage's own `speed` (what actually ran) wins when present. */
  speed?: Speed;
}

export interface PricedLine {
  class: TokenClass | "web_search" | "agent_session";
  /** Tokens (or, for web_search, searches); undefined when the provider did not report them. */
  quantity: number | undefined;
  /**
   * USD per million tokens (per 1,000 searches for web_search, per hour for agent_session), after the batch multiplier.
   * Undefined only for web_search where the provider offers it but the catalog does not know its fee.
   */
  rate: Decimal | undefined;
  /** Exact cost; undefined when the quantity is unknown. */
  usd: Money | undefined;
  /** The model whose rates these are, when not the answering model's (an advisor's sub-inference, a fallback's attempt: pricing/other-models.ts). */
  model?: string;
  /** Why that model's: with `model`. */
  role?: OtherModelRole;
}

export interface PriceResult {
  /** Exact total when `exact`; otherwise the lower bound. */
  total: Money;
  /** Upper bound when the TTL of some cache writes is unknown; undefined when unbounded. */
  upper: Money | undefined;
  exact: boolean;
  tier: Tier;
  /** Where the rates of the card used (the tier's) come from: the card's own source, else the block's. */
  source: Source;
  speed: Speed;
  batch: boolean;
  lines: PricedLine[];
  warnings: string[];
  /** Other models whose tokens the usage has but that could not be priced (pricing/other-models.ts): `total` leaves them out. */
  unpricedModels?: string[];
}

export class PricingError extends Error {
  override readonly name = "PricingError";
  constructor(
    message: string,
    /** the input that cannot be priced: "speed", "batch", "cache_read", "inference_geo", ... */
    readonly field: string,
  ) {
    super(message);
  }
}

/** Per-token rates in attodollars for one (tier, batch) pair, computed once per price block. */
interface CompiledCard {
  card: RateCard;
  multiplier: Decimal;
  rates: Record<TokenClass, Money | undefined>;
  perMtok: Record<TokenClass, Decimal | undefined>;
}

const compiled = new WeakMap<RateCard, Map<string, CompiledCard>>();

function compile(card: RateCard, multiplier: Decimal): CompiledCard {
  let byMultiplier = compiled.get(card);
  if (!byMultiplier) {
    byMultiplier = new Map();
    compiled.set(card, byMultiplier);
  }
  const key = multiplier.toString();
  const cached = byMultiplier.get(key);
  if (cached) return cached;
  const scale = (rate: Decimal | undefined) => (rate === undefined ? undefined : rate.mul(multiplier));
  const perMtok: Record<TokenClass, Decimal | undefined> = {
    input: scale(card.input),
    output: scale(card.output),
    cache_write_5m: scale(card.cacheWrite5m),
    cache_write_1h: scale(card.cacheWrite1h),
    // Priced at the 5-minute rate as the lower bound; the 1-hour rate gives the upper bound.
    cache_write_unknown_ttl: scale(card.cacheWrite5m),
    cache_read: scale(card.cacheRead),
  };
  const rates = Object.fromEntries(
    Object.entries(perMtok).map(([tokenClass, rate]) => [tokenClass, rate === undefined ? undefined : perTokenRate(rate)]),
  ) as Record<TokenClass, Money | undefined>;
  const result = { card, multiplier, rates, perMtok };
  byMultiplier.set(key, result);
  return result;
}

function chooseCard(block: PriceBlock, speed: Speed, totalInput: number, offering: Offering): { tier: Tier; card: RateCard } {
  if (speed === "fast") {
    if (!block.fast) {
      throw new PricingError(
        `fast mode is not available for ${offering.model.id} on ${offering.provider}/${offering.route} ` +
          `in the price period ${pricePeriod(block)}`,
        "speed",
      );
    }
    if (block.fastLongContext && totalInput > block.fastLongContext.thresholdTokens) {
      return { tier: "fast_long_context", card: block.fastLongContext };
    }
    return { tier: "fast", card: block.fast };
  }
  if (block.longContext && totalInput > block.longContext.thresholdTokens) return { tier: "long_context", card: block.longContext };
  return { tier: "standard", card: block.standard };
}

const LINE_ORDER: TokenClass[] = ["input", "cache_write_5m", "cache_write_1h", "cache_write_unknown_ttl", "cache_read", "output"];
const QUANTITY: Record<TokenClass, (usage: Usage) => number | undefined> = {
  input: (usage) => usage.input,
  output: (usage) => usage.output,
  cache_write_5m: (usage) => usage.cacheWrite5m,
  cache_write_1h: (usage) => usage.cacheWrite1h,
  cache_write_unknown_ttl: (usage) => usage.cacheWriteUnsplit,
  cache_read: (usage) => usage.cacheRead,
};
/** Classes that must be reported for a total to be exact (cache classes may be absent = none). */
const REQUIRED: ReadonlySet<TokenClass> = new Set(["input", "output"]);

const PER_THOUSAND = Decimal.parse("0.001");
const MS_PER_HOUR = Decimal.fromInteger(3_600_000);

export function priceRequest(offering: Offering, block: PriceBlock, usage: Usage, options: PriceOptions = {}): PriceResult {
  const warnings: string[] = [];
  const batch = options.batch === true || usage.serviceTier === "batch";
  const speed: Speed = usage.speed ?? options.speed ?? "standard";
  if (options.speed && usage.speed && options.speed !== usage.speed) {
    warnings.push(`requested speed ${options.speed} but the request ran at ${usage.speed}; billed at ${usage.speed}`);
  }
  if (batch && speed === "fast") throw new PricingError("fast mode is not available with the Batch API", "batch");
  if (batch && !block.batchMultiplier) {
    throw new PricingError(`batch is not offered for ${offering.model.id} on ${offering.provider}/${offering.route}`, "batch");
  }

  const totalInput = totalInputTokens(usage);
  const { tier, card } = chooseCard(block, speed, totalInput, offering);
  if (speed === "fast" && fastModeWithdrawn(block)) {
    warnings.push(
      `fast mode is no longer available for ${offering.model.id} on ${offering.provider}/${offering.route} ` +
        `(price period ${pricePeriod(block)}): a request asking for speed "fast" runs at standard speed and is billed at standard rates`,
    );
  }
  if (usage.serviceTier === "priority") {
    // Priority Tier draws down a capacity commitment paid for under its contract (at burn-down rates
    // that mirror the list rates' ratios), not at list prices per request.
    warnings.push(
      'served from a Priority Tier commitment (usage.service_tier "priority"): the commitment is paid under its contract, not per request; ' +
        "this is the request's list-price equivalent, the measure the commitment is drawn down by",
    );
  }
  if (usage.input === undefined && block.longContext) {
    warnings.push("input_tokens unknown: the long-context tier was chosen on the counts that are known");
  }
  const priced = compile(card, batch ? (block.batchMultiplier as Decimal) : Decimal.ONE);

  const lines: PricedLine[] = [];
  let total = 0n;
  let upper: Money | undefined = 0n;
  let exact = true;
  let unreported = false;
  for (const tokenClass of LINE_ORDER) {
    const quantity = QUANTITY[tokenClass](usage);
    if (quantity === undefined) {
      if (REQUIRED.has(tokenClass)) {
        exact = false;
        unreported = true;
        upper = undefined;
        lines.push({ class: tokenClass, quantity: undefined, rate: priced.perMtok[tokenClass] ?? Decimal.ZERO, usd: undefined });
      }
      continue;
    }
    // A cache class with no tokens adds nothing to the bill and nothing to read.
    if (quantity === 0 && !REQUIRED.has(tokenClass)) continue;
    const rate = priced.rates[tokenClass];
    if (rate === undefined) {
      throw new PricingError(
        `${offering.model.id} on ${offering.provider}/${offering.route} has no ${tokenClass.replaceAll("_", " ")} rate ` +
          `(${quantity} tokens given): ${tokenClass === "cache_write_1h" ? "the 1-hour cache TTL" : "prompt caching"} is not offered there`,
        tokenClass,
      );
    }
    const usd = BigInt(quantity) * rate;
    total += usd;
    if (tokenClass === "cache_write_unknown_ttl") {
      // The range is the result (exact false, upper); why the TTL is unknown is the usage's warning
      // (normalize-usage.ts names the field that lacked the split): one line for one fact.
      exact = false;
      const oneHour = priced.rates.cache_write_1h;
      if (upper !== undefined) upper = oneHour === undefined ? upper + usd : upper + BigInt(quantity) * oneHour;
    } else if (upper !== undefined) {
      upper += usd;
    }
    lines.push({ class: tokenClass, quantity, rate: priced.perMtok[tokenClass] as Decimal, usd });
  }

  if (usage.webSearchRequests !== undefined && usage.webSearchRequests > 0) {
    const per1000 = block.fees.webSearchPer1000;
    if (per1000) {
      // $10 per 1,000 searches, flat: batch and residency multipliers are not documented as applying to it.
      const usd = moneyFromUsd(per1000.mul(Decimal.fromInteger(usage.webSearchRequests)).mul(PER_THOUSAND));
      total += usd;
      if (upper !== undefined) upper += usd;
      lines.push({ class: "web_search", quantity: usage.webSearchRequests, rate: per1000, usd });
    } else if (offering.capabilities.web_search === true) {
      // Offered, but the catalog has no fee for it (Vertex AI): unknown is not zero, so the searches
      // stay out of the total, which becomes a lower bound with no upper one.
      exact = false;
      upper = undefined;
      warnings.push(
        `the web search fee for ${offering.model.id} on ${offering.provider}/${offering.route} is not in the catalog: ` +
          `${usage.webSearchRequests} searches are not priced, so the total is a lower bound`,
      );
      lines.push({ class: "web_search", quantity: usage.webSearchRequests, rate: undefined, usd: undefined });
    } else {
      throw new PricingError(`web search is not offered for ${offering.model.id} on ${offering.provider}/${offering.route}`, "web_search_requests");
    }
  }

  if (usage.agentSessionMs !== undefined && usage.agentSessionMs > 0) {
    const perHour = block.fees.agentSessionHour;
    if (!perHour) {
      throw new PricingError(`Managed Agents sessions are not offered for ${offering.model.id} on ${offering.provider}/${offering.route}`, "agent_session_ms");
    }
    // $0.08 per session-hour, measured to the millisecond, never batch-discounted. ms x rate / 3,600,000
    // does not terminate in decimal: the one amount the engine rounds (half-even, to the attodollar).
    const exactHours = Decimal.fromInteger(usage.agentSessionMs).mul(perHour);
    const usd = moneyFromUsd(exactHours.div(MS_PER_HOUR, 18));
    if (!exactHours.div(MS_PER_HOUR, 30).equals(exactHours.div(MS_PER_HOUR, 18))) {
      warnings.push("agent session cost rounded half-even to the attodollar (ms x $/hour / 3,600,000 does not terminate)");
    }
    total += usd;
    if (upper !== undefined) upper += usd;
    lines.push({ class: "agent_session", quantity: usage.agentSessionMs, rate: perHour, usd });
  }

  if (unreported) warnings.push("some token counts were not reported: the total is a lower bound");
  return { total, upper: exact ? total : upper, exact, tier, source: cardSource(block, card), speed, batch, lines, warnings };
}
