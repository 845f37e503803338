/**
 * Every deployment that could serve one segment at one monthly volume: each catalog offering of
 * each acceptable model (on-demand), each provisioned-throughput quote and each self-hosting entry.
 * Ranked: feasible options by monthly cost, then the infeasible ones with their reasons.
 */
import type { Option } from "./option.js";
import { evaluateOnDemand, type SegmentContext } from "./on-demand-option.js";
import { evaluateProvisioned, type Comparator } from "./provisioned.js";
import { evaluateSelfHost } from "./self-host.js";
import { dollars } from "./money-text.js";
import { describeResidency } from "./feasibility.js";

export function cheapest(options: Option[]): Option | undefined {
  return options.reduce<Option | undefined>((best, option) => {
    if (option.monthly === undefined) return best;
    if (!best || best.monthly === undefined || option.monthly < best.monthly) return option;
    return best;
  }, undefined);
}

function comparatorOf(option: Option | undefined, context: SegmentContext): Comparator | undefined {
  return option && option.monthly !== undefined ? { option, monthly: option.monthly, requests: context.requests } : undefined;
}

export function onDemandOptions(context: SegmentContext, models = context.resolved.models): Option[] {
  return models.flatMap((model) => context.catalog.offeringsOf(model.id).map((offering) => evaluateOnDemand(context, offering)));
}

export function evaluateSegment(context: SegmentContext): Option[] {
  const onDemand = onDemandOptions(context);
  const feasibleOnDemand = onDemand.filter((option) => option.feasible);
  const provisioned = context.resolved.quotes.map((resolvedQuote) => {
    const { quote, model } = resolvedQuote;
    const ofModel = feasibleOnDemand.filter((option) => option.model === model.id);
    const sameProvider = ofModel.filter((option) => option.provider === quote.provider);
    // Spill-over goes to the same route when it can, else to the cheapest route of that model.
    const sameRoute = sameProvider.filter((option) => option.route === quote.route && (!quote.region || !option.regions || option.regions.includes(quote.region)));
    const spill = cheapest(sameRoute) ?? cheapest(sameProvider);
    // What the team would otherwise pay for the model: its cheapest feasible on-demand option on any
    // provider (the spill-over route, then the quote's provider, first among equals).
    const preferred = [spill, ...sameProvider, ...ofModel].filter((option): option is Option => option !== undefined);
    return evaluateProvisioned(context, resolvedQuote, comparatorOf(spill, context), comparatorOf(cheapest(preferred), context));
  });
  const apiBest = comparatorOf(cheapest(feasibleOnDemand), context);
  const selfHosted = context.resolved.selfHost.map((entry) => evaluateSelfHost(context, entry, apiBest));
  const options = [...onDemand, ...provisioned, ...selfHosted];
  addResidencyAlternatives(options, context);
  return rank(options);
}

/** A residency failure says which routes of the same provider and model would keep the data in place. */
function addResidencyAlternatives(options: Option[], context: SegmentContext): void {
  const required = context.resolved.segment.constraints.residency;
  for (const option of options) {
    const failed = option.checks.find((check) => check.check === "residency" && !check.ok);
    if (!failed) continue;
    const siblings = options.filter(
      (other) => other !== option && other.kind === option.kind && other.provider === option.provider && other.model === option.model &&
        other.checks.every((check) => check.check !== "residency" || check.ok),
    );
    // A self-hosting entry or a provisioned quote is known by its name: its "route" (always-on, us) names no entry.
    const named = option.kind !== "on-demand";
    const kindText = option.kind === "self-host" ? "self_host entries" : option.kind === "provisioned" ? "provisioned_throughput quotes" : "routes";
    const hint =
      siblings.length > 0
        ? `; ${kindText} of ${option.kind === "self-host" ? "" : `${option.provider} `}${option.model} that keep data in ${describeResidency(required === "any" ? "global" : required)}: ` +
          siblings
            .map(
              (other) =>
                `${named && other.label ? other.label : other.route}${other.regions ? ` [${other.regions.join(", ")}]` : ""}` +
                `${other.monthly !== undefined ? ` (${dollars(other.monthly)}/month${other.feasible ? "" : ", but see its own reasons"})` : ""}`,
            )
            .join(", ")
        : `; ${option.provider} has no route of ${option.model} that keeps data there — pick another provider or relax residency`;
    failed.message += hint;
    option.reasons = option.checks.filter((check) => !check.ok).map((check) => check.message);
  }
}

export function rank(options: Option[]): Option[] {
  const byCost = (a: Option, b: Option) => {
    if (a.monthly === undefined || b.monthly === undefined) return a.monthly === undefined ? (b.monthly === undefined ? a.id.localeCompare(b.id) : 1) : -1;
    return a.monthly < b.monthly ? -1 : a.monthly > b.monthly ? 1 : a.id.localeCompare(b.id);
  };
  const feasible = options.filter((option) => option.feasible).sort(byCost);
  feasible.forEach((option, index) => {
    option.rank = index + 1;
  });
  const infeasible = options.filter((option) => !option.feasible).sort(byCost);
  for (const option of infeasible) option.rank = undefined;
  return [...feasible, ...infeasible];
}
