/**
 * Provisioned throughput from the user's quote: how many model units (MUs) to hold all month,
 * what spills over to on-demand in the busy hours, and the volume at which one MU pays off.
 *
 * One MU serves c requests an hour, c = min(input TPM x 60 / input tokens per request,
 * output TPM x 60 / output tokens per request) (all input counts: no cache discount inside a
 * unit). Units are paid for every hour of the 730-hour month, whatever the traffic. In hour h
 * the units serve min(demand_h, n x c); the rest spills to the on-demand deployment of the same
 * model and is charged at its average cost per request this month. The unit count minimises
 * n x rate x 730 + spill; cost(n) is convex in n, so a binary search on the marginal finds it.
 *
 * The saving and the break-even are measured against what the team would otherwise pay for the
 * model: its cheapest feasible on-demand option under the segment's constraints (the global route
 * when residency allows it, a regional one when residency forces it). That is not always the
 * spill-over route: Bedrock's units run in a region, and a us route costs 1.1x the global one.
 */
import { formatUsd, moneyFromUsd, type Money } from "../pricing/money.js";
import { Decimal } from "../pricing/decimal.js";
import { activeDaysPerMonth, HOURS_PER_MONTH, requestsByHour, weightShares } from "./arrival.js";
import { breakEvenClause, breakEvenDetail, breakEvenFound, NO_TRAFFIC_REASON, type BreakEven } from "./break-even.js";
import { discountAmount, discountFor, DISCOUNT_FORMULA } from "./discounts.js";
import { checkDeployment, type DeploymentFacts } from "./feasibility.js";
import { deploymentFacts, monthlySearches, optionId, routeText, type SegmentContext } from "./on-demand-option.js";
import { dollars } from "./money-text.js";
import { unpricedOption, type CostLine, type Option } from "./option.js";
import { Rational, sumRationals } from "./rational.js";
import { requestTokens, type RequestTokens } from "./request-tokens.js";
import type { ResolvedQuote } from "./workload-models.js";
import type { ArrivalProfile, ProvisionedQuote } from "./workload.js";

/** An on-demand deployment with its cost at this volume: the spill-over route, or the reference. */
export interface Comparator {
  option: Option;
  monthly: Money;
  requests: bigint;
}

/** Requests one MU serves in an hour. */
export function requestsPerMuHour(quote: ProvisionedQuote, tokens: RequestTokens): Rational {
  const input = tokens.input + tokens.prefix;
  const limits: Rational[] = [];
  if (input > 0) limits.push(Rational.of(quote.inputTokensPerMinutePerMu * 60, input));
  if (tokens.output > 0) limits.push(Rational.of(quote.outputTokensPerMinutePerMu * 60, tokens.output));
  return limits.reduce((smallest, limit) => smallest.min(limit));
}

/** Requests a month that n units serve (exact), given the hourly shape. */
export function servedByUnits(requests: bigint, profile: ArrivalProfile, units: number, perMuHour: Rational): Rational {
  const capacity = perMuHour.mul(units).mul(activeDaysPerMonth(profile));
  return sumRationals(requestsByHour(requests, profile).map((demand) => demand.min(capacity)));
}

function unitsHourCost(quote: ProvisionedQuote, units: number): Money {
  return moneyFromUsd(quote.usdPerMuHour.mul(Decimal.fromInteger(units * HOURS_PER_MONTH)));
}

/** An on-demand option as the lever's title names it: its route and model. */
function onDemandLabel(option: Option): string {
  return `${routeText(option)} ${option.model}`;
}

/**
 * `spill`: the on-demand route of the quote's provider that absorbs spill-over (undefined: none is
 * feasible). `reference`: the cheapest feasible on-demand option of the model, which the saving and
 * the break-even are measured against.
 */
export function evaluateProvisioned(context: SegmentContext, resolvedQuote: ResolvedQuote, spill: Comparator | undefined, reference: Comparator | undefined): Option {
  const { catalog, resolved, requests, discounts } = context;
  const { segment } = resolved;
  const { quote, model } = resolvedQuote;
  const tokens = requestTokens(segment, model, resolved.tokenCountsFrom);
  const offering = catalog.findOffering(quote.provider, model.id, quote.route, quote.region);
  let facts: DeploymentFacts;
  if (offering) {
    facts = { ...deploymentFacts(offering, undefined), label: `${quote.provider}/${quote.route} provisioned` };
  } else {
    facts = {
      provider: quote.provider,
      label: `${quote.provider}/${quote.route} provisioned`,
      model: model.id,
      residency: quote.region ? (catalog.residencyOfRegion(quote.region) ?? "unknown") : "unknown",
      compliance: [],
      billing: quote.provider === "bedrock" ? "aws-invoice" : "gcp-invoice",
      capabilities: model.capabilities,
      latency: [],
      declaredTtftP99Ms: undefined,
      caching: false,
      batch: false,
      webSearch: false,
    };
  }
  const warnings = [...tokens.notes];
  if (!offering) warnings.push(`the catalog has no ${quote.provider}/${quote.route} offering of ${model.id}; residency comes from the quote's region, compliance is unknown`);
  const { checks, warnings: checkWarnings } = checkDeployment(facts, segment, tokens, context.at, catalog.data.betas);
  warnings.push(...checkWarnings);
  const option: Option = unpricedOption({
    id: optionId(segment.name, quote.provider, quote.route, quote.region ? [quote.region] : offering?.regions, model.id, "provisioned", quote.name),
    segment: segment.name,
    kind: "provisioned",
    provider: quote.provider,
    route: quote.route,
    regions: quote.region ? [quote.region] : offering?.regions,
    model: model.id,
    modelId: offering?.modelId ?? model.id,
    label: quote.name,
    offering,
    residency: facts.residency,
    warnings,
    checks,
    tokens,
    priceSource: { url: `your quote: ${quote.name}`, accessed: context.at, verified: true },
  });
  if (monthlySearches(requests, segment.webSearchesPerRequest) > 0n) {
    checks.push({ check: "pricing", ok: false, message: "provisioned units do not run the web search tool; set web_searches_per_request: 0 for this segment or drop the quote" });
  }

  const perMuHour = requestsPerMuHour(quote, tokens);
  const discount = quote.includesDiscount ? undefined : discountFor(quote.provider, discounts);
  const net = (gross: Money) => (discount ? gross - discountAmount(gross, discount.percent) : gross);
  const spillCost = (spilled: bigint) => (spill && spill.requests > 0n ? Rational.of(spill.monthly * spilled, spill.requests).roundHalfEven() : 0n);
  const costOf = (units: number) => {
    const spilled = Rational.of(requests).sub(servedByUnits(requests, segment.arrival, units, perMuHour)).roundHalfEven();
    const gross = unitsHourCost(quote, units);
    return { units, spill: spilled, gross, total: net(gross) + spillCost(spilled) };
  };
  const peakDemand = requestsByHour(requests, segment.arrival).reduce((peak, demand) => peak.max(demand)).div(activeDaysPerMonth(segment.arrival));
  const peakUnits = Math.max(quote.minUnits, Number(peakDemand.div(perMuHour).ceil()));
  let chosen = costOf(peakUnits);
  if (spill) {
    // First n whose marginal unit no longer pays for itself (cost is convex in n).
    let low = quote.minUnits;
    let high = peakUnits;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (costOf(middle + 1).total >= costOf(middle).total) high = middle;
      else low = middle + 1;
    }
    chosen = costOf(low);
  } else {
    warnings.push("sized for the busiest hour: there is no feasible on-demand deployment of this model to spill over to");
  }

  const discountOff = chosen.gross - net(chosen.gross);
  const lines: CostLine[] = [
    { class: "provisioned_units", tokens: undefined, quantity: `${chosen.units} MU x ${HOURS_PER_MONTH} h`, usd: chosen.gross },
  ];
  if (chosen.spill > 0n) lines.push({ class: "on_demand_spill", tokens: undefined, quantity: `${chosen.spill} requests`, usd: spillCost(chosen.spill) });
  if (discountOff > 0n) lines.push({ class: "discount", tokens: undefined, quantity: `${discount?.percent.toString()}%`, usd: -discountOff });
  option.breakdown = lines;
  option.monthly = chosen.total;
  option.baseline = chosen.gross + spillCost(chosen.spill);
  option.config = { ...option.config, units: chosen.units };

  // No figure without a reference to beat, a route to spill to, or traffic to price on demand: say which.
  const breakEven: BreakEven = !reference
    ? { kind: "none", reason: `${model.id} has no feasible on-demand option under this segment's constraints, so there is nothing to measure the units against (the on-demand options' reasons say what rules each out)` }
    : !spill
      ? { kind: "none", reason: `${quote.provider} has no feasible on-demand route of ${model.id} for the busy hours' spill-over, which the break-even counts at min_units; the units are sized for the busiest hour instead` }
      : requests === 0n
        ? { kind: "none", reason: NO_TRAFFIC_REASON }
        : breakEvenFound(breakEvenVolume(quote, segment.arrival, perMuHour, net(unitsHourCost(quote, quote.minUnits)), spill, reference));
  const against = reference ? `; measured against ${onDemandLabel(reference.option)} on demand (${dollars(reference.monthly)}/month), the cheapest feasible on-demand option of ${model.id}` : "";
  const served = servedByUnits(requests, segment.arrival, chosen.units, perMuHour);
  const utilisation = served.div(perMuHour.mul(chosen.units).mul(HOURS_PER_MONTH)).toDecimal(4);
  option.levers = [
    {
      lever: "provisioned_throughput",
      title: `${chosen.units} model unit${chosen.units === 1 ? "" : "s"} (${quote.term}) at $${quote.usdPerMuHour.toString()}/MU-hour` +
        (chosen.spill > 0n ? `, ${chosen.spill} requests a month spill to ${spill ? onDemandLabel(spill.option) : "on-demand"}` : ", no spill-over") +
        against +
        breakEvenClause(breakEven),
      applied: true,
      saving: reference ? reference.monthly - chosen.total : undefined,
      preconditions: [
        `a ${quote.term} commitment for ${chosen.units} MU${chosen.units === 1 ? "" : "s"}, paid for all ${HOURS_PER_MONTH} hours of the month`,
        "the quote's tokens-per-minute figures hold for this prompt shape",
      ],
      formula:
        "cost(n) = n x usd_per_mu_hour x 730 + spill(n) x spill-over route's cost per request; spill(n) = Σ_h max(0, demand_h - n x c); " +
        "c = min(input TPM x 60 / input tokens, output TPM x 60 / output tokens); n minimises cost(n). " +
        "saving = reference's monthly cost - cost(n), the reference being the model's cheapest feasible on-demand option. " +
        "Break-even volume = smallest V with min units' monthly cost + spill_min(V) x spill-over cost per request <= V x reference's cost per request",
      detail: {
        units: chosen.units,
        requests_per_mu_hour: perMuHour.toDecimal(4).toString(),
        peak_units: peakUnits,
        spill_requests: chosen.spill.toString(),
        utilisation: utilisation.toString(),
        on_demand_comparator: reference?.option.id ?? null,
        on_demand_monthly_usd: reference ? formatUsd(reference.monthly) : null,
        spill_over_route: spill?.option.id ?? null,
        spill_over_monthly_usd: spill ? formatUsd(spill.monthly) : null,
        ...breakEvenDetail(breakEven),
      },
      breakEven,
    },
  ];
  if (discountOff > 0n && discount) {
    option.levers.push({
      lever: "discount",
      title: `${discount.name}: ${discount.percent.toString()}% off the units`,
      applied: true,
      saving: discountOff,
      preconditions: ["an AWS enterprise agreement that covers Bedrock provisioned throughput (set includes_discount: true if the quote is already net)"],
      formula: DISCOUNT_FORMULA,
      detail: { percent: discount.percent.toString() },
    });
  }
  option.reasons = checks.filter((check) => !check.ok).map((check) => check.message);
  option.feasible = option.reasons.length === 0;
  return option;
}

/**
 * The smallest monthly volume (same shape) at which holding the minimum units costs no more than
 * the reference on demand: units' monthly cost + spill(V) x spill-over cost per request <=
 * V x reference cost per request. Spill(V) = V - served(V) is convex in V (served is a sum of
 * min(share_h x V, capacity)), so the difference f(V) is convex and piecewise linear, with its
 * minimum where an hour's demand meets the units' capacity. null when f stays above zero there:
 * even fully used units cost more than the traffic they carry. Below that minimum f falls, so a
 * binary search finds the first V with f(V) <= 0. Exact rationals throughout.
 */
export function breakEvenVolume(quote: ProvisionedQuote, profile: ArrivalProfile, perMuHour: Rational, unitsMonthly: Money, spill: Comparator, reference: Comparator): bigint | null {
  if (reference.requests === 0n || spill.requests === 0n || reference.monthly === 0n) return null;
  const spillPerRequest = Rational.of(spill.monthly, spill.requests);
  const referencePerRequest = Rational.of(reference.monthly, reference.requests);
  const excess = (volume: bigint) => {
    const spilled = Rational.of(volume).sub(servedByUnits(volume, profile, quote.minUnits, perMuHour));
    return Rational.of(unitsMonthly).add(spilled.mul(spillPerRequest)).sub(referencePerRequest.mul(volume));
  };
  const capacity = perMuHour.mul(quote.minUnits).mul(activeDaysPerMonth(profile));
  const kinks = weightShares(profile)
    .filter((share) => !share.isZero())
    .flatMap((share) => {
      const volume = capacity.div(share);
      return [volume.floor(), volume.ceil()];
    })
    .filter((volume) => volume > 0n);
  let lowest: bigint | undefined;
  for (const volume of kinks) {
    if (lowest === undefined || excess(volume).compare(excess(lowest)) < 0) lowest = volume;
  }
  if (lowest === undefined || excess(lowest).compare(Rational.of(0n)) > 0) return null;
  let low = 1n;
  let high = lowest;
  while (low < high) {
    const middle = (low + high) / 2n;
    if (excess(middle).compare(Rational.of(0n)) <= 0) high = middle;
    else low = middle + 1n;
  }
  return low;
}
