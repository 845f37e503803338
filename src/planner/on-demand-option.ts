/**
 * One segment on one catalog offering (pay per token): feasibility, the cheapest combination of
 * the caching and batch levers, the discount, and each lever's saving with its formula.
 */
import { CatalogLookupError, type Catalog } from "../catalog/catalog.js";
import type { Offering, PriceBlock } from "../catalog/model.js";
import { Decimal } from "../pricing/decimal.js";
import { formatUsd, type Money } from "../pricing/money.js";
import { PricingError } from "../pricing/price-request.js";
import { splitCacheTraffic, type CacheSplit } from "./cache-model.js";
import { discountAmount, discountFor, DISCOUNT_FORMULA } from "./discounts.js";
import { checkDeployment, type DeploymentFacts } from "./feasibility.js";
import { batchLeverFor, cachingLever } from "./on-demand-levers.js";
import { priceMonth, type OnDemandConfig, type PricedMonth } from "./on-demand-cost.js";
import { unpricedOption, type Check, type CostLine, type Lever, type Option } from "./option.js";
import { Rational } from "./rational.js";
import { requestTokens, type RequestTokens } from "./request-tokens.js";
import type { ResolvedSegment } from "./workload-models.js";
import type { CacheTtl, Discounts } from "./workload.js";

export interface SegmentContext {
  catalog: Catalog;
  resolved: ResolvedSegment;
  /** This month's requests (the file's figure, or a projected or charted volume). */
  requests: bigint;
  at: string;
  discounts: Discounts;
}

export function optionId(segment: string, provider: string, route: string, regions: string[] | undefined, model: string, kind: string, label?: string): string {
  return `${segment}|${provider}/${route}${regions && regions.length > 0 ? `[${regions.join("+")}]` : ""}/${model}|${kind}${label ? `|${label}` : ""}`;
}

/** Where an option runs, as the levers' titles say it: "bedrock/us [us-east-1, us-west-2]". */
export function routeText(option: Pick<Option, "provider" | "route" | "regions">): string {
  return `${option.provider}/${option.route}${option.regions && option.regions.length > 0 ? ` [${option.regions.join(", ")}]` : ""}`;
}

function cachingOn(offering: Offering, block: PriceBlock): CacheTtl[] {
  const declared = offering.capabilities.prompt_caching;
  if (declared === null) return [];
  const card = block.standard;
  if (card.cacheRead === undefined) return [];
  const ttls: CacheTtl[] = [];
  if (card.cacheWrite5m !== undefined && (declared === undefined || declared.ttls.includes("5m"))) ttls.push("5m");
  if (card.cacheWrite1h !== undefined && (declared === undefined || declared.ttls.includes("1h"))) ttls.push("1h");
  return ttls;
}

export function deploymentFacts(offering: Offering, block: PriceBlock | undefined): DeploymentFacts {
  return {
    provider: offering.provider,
    label: routeText(offering),
    model: offering.model.id,
    residency: offering.residency,
    compliance: offering.compliance,
    billing: offering.billing,
    capabilities: offering.capabilities,
    latency: offering.latency,
    declaredTtftP99Ms: undefined,
    caching: block ? cachingOn(offering, block).length > 0 : false,
    batch: block ? offering.capabilities.batch !== false && block.batchMultiplier !== undefined : false,
    webSearch: block ? offering.capabilities.web_search !== false && block.fees.webSearchPer1000 !== undefined : false,
  };
}

/** Searches a month: requests x searches per request, rounded half-even to whole searches. */
export function monthlySearches(requests: bigint, perRequest: Decimal): bigint {
  return Rational.fromDecimal(perRequest).mul(requests).roundHalfEven();
}

export function evaluateOnDemand(context: SegmentContext, offering: Offering): Option {
  const { catalog, resolved, at } = context;
  const { segment } = resolved;
  const model = offering.model;
  const tokens = requestTokens(segment, model, resolved.tokenCountsFrom);
  const warnings = [...tokens.notes];
  const checks: Check[] = [];
  const option: Option = unpricedOption({
    id: optionId(segment.name, offering.provider, offering.route, offering.regions, model.id, "on-demand"),
    segment: segment.name,
    kind: "on-demand",
    provider: offering.provider,
    route: offering.route,
    regions: offering.regions,
    model: model.id,
    modelId: offering.modelId,
    label: undefined,
    offering,
    residency: offering.residency,
    warnings,
    checks,
    tokens,
    priceSource: undefined,
  });

  let block: PriceBlock | undefined;
  try {
    block = catalog.priceOn(offering, at);
    option.priceSource = { url: block.source.url, accessed: block.source.accessed, verified: block.source.verified };
    if (!block.source.verified) warnings.push(`this price comes from a source marked unverified (${block.source.url}); check it against the provider's page`);
  } catch (error) {
    if (!(error instanceof CatalogLookupError)) throw error;
    checks.push({ check: "availability", ok: false, message: `${error.message}; plan for a date on which it has a price, or pick another model` });
  }
  const retired = model.retired[offering.provider];
  if (retired && retired <= at) {
    checks.push({ check: "availability", ok: false, message: `${model.id} was retired on ${offering.provider} on ${retired}; move this segment to a current model` });
  } else if (model.status === "deprecated") {
    warnings.push(`${model.id} is deprecated${retired ? ` (retires on ${offering.provider} ${retired})` : ""}; plan its replacement`);
  }

  const facts = deploymentFacts(offering, block);
  const result = checkDeployment(facts, segment, tokens, at, catalog.data.betas);
  checks.push(...result.checks);
  warnings.push(...result.warnings);

  if (block) priceOption(context, option, offering, block, tokens);
  const unit = catalog.provider(offering.provider)?.billing_unit;
  if (unit && option.monthly !== undefined) {
    option.billingUnits = { name: unit.name, quantity: Decimal.fromBigInt(option.monthly, 18).div(Decimal.parse(unit.usd_per_unit), 18) };
  }
  option.reasons = checks.filter((check) => !check.ok).map((check) => check.message);
  option.feasible = option.reasons.length === 0 && option.monthly !== undefined;
  return option;
}

function priceOption(context: SegmentContext, option: Option, offering: Offering, block: PriceBlock, tokens: RequestTokens): void {
  const { resolved, requests, discounts } = context;
  const { segment } = resolved;
  const searches = monthlySearches(requests, segment.webSearchesPerRequest);
  const facts = deploymentFacts(offering, block);
  if (searches > 0n && !facts.webSearch) {
    option.checks.push({
      check: "pricing",
      ok: false,
      message:
        // Offered where the catalog says so (as price-request.ts reads it), with or without a known fee.
        offering.capabilities.web_search === true
          ? `the segment makes ${searches} web searches a month, and the catalog has no fee for ${offering.provider}/${offering.route}'s searches (docs/CATALOG.md, Known gaps), so their cost is unknown; run searches elsewhere or set web_searches_per_request: 0`
          : `the segment makes ${searches} web searches a month, and ${offering.provider}/${offering.route} does not offer the web search tool; run searches elsewhere or set web_searches_per_request: 0`,
    });
    return;
  }
  if (block.longContext && tokens.largestInput > block.longContext.thresholdTokens && tokens.input + tokens.prefix <= block.longContext.thresholdTokens) {
    option.warnings.push(
      `requests above ${block.longContext.thresholdTokens} input tokens bill every token at the long-context rate; the estimate uses the mean request, so it is low for those`,
    );
  }

  const ttls = cachingOn(offering, block);
  const minimum = offering.capabilities.prompt_caching?.min_tokens;
  const cacheable = tokens.prefix > 0 && ttls.length > 0 && (minimum === undefined || tokens.prefix >= minimum);
  if (tokens.prefix > 0 && ttls.length > 0 && minimum === undefined) {
    option.warnings.push(`the catalog gives no minimum cacheable length for ${offering.model.id}; the ${tokens.prefix}-token prefix is assumed cacheable`);
  }
  const splits = new Map<CacheTtl, CacheSplit>();
  if (cacheable) {
    for (const ttl of ttls) {
      splits.set(
        ttl,
        splitCacheTraffic(
          { requests, profile: segment.arrival, prefixVariants: segment.prefixVariants, measuredHitRate: segment.cacheHitRate[ttl] },
          ttl,
        ),
      );
    }
  }
  const cacheChoices: (CacheSplit | undefined)[] = [undefined, ...splits.values()];
  const batchPossible = facts.batch;
  const batchChoices = segment.latency === "batch-ok" && batchPossible ? [false, true] : [false];

  const priced: PricedMonth[] = [];
  const failures: string[] = [];
  const attempt = (config: OnDemandConfig) => {
    try {
      return priceMonth(offering, block, tokens, requests, searches, config);
    } catch (error) {
      if (!(error instanceof PricingError)) throw error;
      failures.push(error.message);
      return undefined;
    }
  };
  for (const batch of batchChoices) {
    for (const cache of cacheChoices) {
      const month = attempt({ cache, batch });
      if (month) priced.push(month);
    }
  }
  const cheapest = (months: PricedMonth[]) => months.reduce<PricedMonth | undefined>((best, month) => (!best || month.gross < best.gross ? month : best), undefined);
  const chosen = cheapest(priced);
  if (!chosen) {
    option.checks.push({ check: "pricing", ok: false, message: `cannot be priced: ${failures.join("; ")}` });
    return;
  }
  const plain = priced.find((month) => !month.config.cache && !month.config.batch) ?? chosen;

  const discount = discountFor(offering.provider, discounts);
  const net = (gross: Money) => (discount ? gross - discountAmount(gross, discount.percent) : gross);
  const discountOff = discount ? discountAmount(chosen.gross, discount.percent) : 0n;
  const breakdown: CostLine[] = [...chosen.lines];
  if (discount) breakdown.push({ class: "discount", tokens: undefined, quantity: `${discount.percent.toString()}%`, usd: -discountOff });

  option.monthly = chosen.gross - discountOff;
  option.baseline = plain.gross;
  option.breakdown = breakdown;
  option.config = { ...option.config, cacheTtl: chosen.config.cache?.ttl, batch: chosen.config.batch };
  option.cache = chosen.config.cache;
  if (tokens.outputP90 !== tokens.output) {
    option.monthlyHighOutput = net(priceMonth(offering, block, tokens, requests, searches, chosen.config, tokens.outputP90).gross);
  }

  const levers: Lever[] = [];
  if (tokens.prefix > 0) levers.push(cachingLever(offering, block, tokens, minimum, ttls, splits, priced, chosen, net));
  const batchLever = batchLeverFor(segment.latency, batchPossible, offering, block, tokens, requests, searches, splits, priced, chosen, net);
  if (batchLever) levers.push(batchLever);
  if (discount) {
    levers.push({
      lever: "discount",
      title: `${discount.name}: ${discount.percent.toString()}% off`,
      applied: true,
      saving: discountOff,
      preconditions: [
        offering.provider === "bedrock"
          ? "an AWS enterprise agreement (EDP / private pricing) that covers Amazon Bedrock"
          : offering.provider === "claude-platform-aws"
            ? "an Anthropic private offer through AWS Marketplace; the discount applies before conversion to CCUs"
            : `a negotiated discount with ${offering.provider}`,
      ],
      formula: DISCOUNT_FORMULA,
      detail: { percent: discount.percent.toString(), gross_usd: formatUsd(chosen.gross) },
    });
  }
  option.levers = levers;
}
