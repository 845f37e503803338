/**
 * The `switchyard plan --json` contract (PRODUCT.md): options ranked by cost among the feasible
 * ones, each with provider, route, model, feasible, reasons, monthly_usd, breakdown and levers,
 * and a recommendation. Money is an exact decimal string; token and request counts are numbers
 * when they fit exactly in a JSON number, strings otherwise.
 */
import { Decimal } from "../pricing/decimal.js";
import { formatUsd, type Money } from "../pricing/money.js";
import type { CostLine, Lever, Option } from "./option.js";
import type { Plan, SegmentPlan } from "./plan.js";

const usd = (amount: Money | undefined) => (amount === undefined ? null : formatUsd(amount));

export function countJson(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

export function leverJson(lever: Lever, segment?: string) {
  return {
    ...(segment !== undefined ? { segment } : {}),
    lever: lever.lever,
    title: lever.title,
    applied: lever.applied,
    saving_usd: usd(lever.saving),
    preconditions: lever.preconditions,
    formula: lever.formula,
    detail: lever.detail,
  };
}

function lineJson(line: CostLine) {
  return {
    class: line.class,
    tokens: line.tokens === undefined ? null : countJson(line.tokens),
    quantity: line.quantity ?? null,
    usd: formatUsd(line.usd),
  };
}

export function optionJson(option: Option) {
  return {
    id: option.id,
    segment: option.segment,
    kind: option.kind,
    provider: option.provider,
    route: option.route,
    regions: option.regions ?? null,
    model: option.model,
    model_id: option.modelId,
    label: option.label ?? null,
    residency: option.residency,
    feasible: option.feasible,
    rank: option.rank ?? null,
    reasons: option.reasons,
    warnings: option.warnings,
    monthly_usd: usd(option.monthly),
    baseline_usd: usd(option.baseline),
    monthly_usd_high_output: usd(option.monthlyHighOutput),
    breakdown: option.breakdown.map(lineJson),
    levers: option.levers.map((lever) => leverJson(lever)),
    config: {
      cache_ttl: option.config.cacheTtl ?? null,
      batch: option.config.batch,
      units: option.config.units ?? null,
      replicas: option.config.replicas ?? null,
    },
    cache: option.cache
      ? {
          ttl: option.cache.ttl,
          writes: countJson(option.cache.writes),
          reads: countJson(option.cache.reads),
          hit_rate: option.cache.hitRate.toString(),
          method: option.cache.method,
        }
      : null,
    tokens_per_request: option.tokens
      ? {
          input: option.tokens.input,
          cached_prefix: option.tokens.prefix,
          output: option.tokens.output,
          tokenizer_factor: option.tokens.tokenizerFactor.toString(),
          tool_overhead: option.tokens.toolOverheadTokens,
        }
      : null,
    billing_units: option.billingUnits ? { unit: option.billingUnits.name, quantity: option.billingUnits.quantity.toString() } : null,
    checks: option.checks,
    price_source: option.priceSource ?? null,
  };
}

function percent(part: Money | undefined, whole: Money | undefined): string | null {
  if (part === undefined || whole === undefined || whole === 0n) return null;
  return Decimal.fromBigInt(part * 100n).div(Decimal.fromBigInt(whole), 2).toString();
}

function segmentRecommendation(segment: SegmentPlan) {
  const option = segment.recommended;
  return {
    segment: segment.segment.name,
    requests_per_month: countJson(segment.requests),
    option_id: option?.id ?? null,
    kind: option?.kind ?? null,
    provider: option?.provider ?? null,
    route: option?.route ?? null,
    model: option?.model ?? null,
    monthly_usd: usd(option?.monthly),
    baseline_usd: usd(segment.baseline),
    levers_applied: segment.levers.filter((lever) => lever.applied).map((lever) => lever.lever),
    closest_infeasible: segment.closest.map((closest) => ({ option_id: closest.id, monthly_usd: usd(closest.monthly), reasons: closest.reasons })),
  };
}

export function planJson(plan: Plan) {
  const { recommendation } = plan;
  return {
    workload: plan.workload.name,
    at: plan.at,
    options: plan.segments.flatMap((segment) => segment.options.map(optionJson)),
    recommendation: {
      monthly_usd: usd(recommendation.monthly),
      baseline_usd: usd(recommendation.baseline),
      saving_usd: usd(recommendation.saving),
      saving_percent: percent(recommendation.saving, recommendation.baseline),
      baseline_definition:
        "per segment, the first-listed model on its cheapest feasible on-demand route, at list price without caching, batch or discounts; " +
        "where that model has no feasible route, the recommended option at list price",
      unserved_segments: recommendation.unserved,
      segments: plan.segments.map(segmentRecommendation),
      levers: plan.segments.flatMap((segment) => segment.levers.map((lever) => leverJson(lever, segment.segment.name))),
      projection: recommendation.projection.map((point) => ({
        month: point.month,
        monthly_usd: usd(point.monthly),
        requests: Object.fromEntries(Object.entries(point.requests).map(([name, value]) => [name, countJson(value)])),
        choices: point.choices,
        labels: point.labels,
      })),
    },
  };
}
