/**
 * The same usage priced on many offerings, ranked (`switchyard compare`). An offering that cannot
 * serve it (no price that day, no batch, no fast mode, no cache rates) stays in the list with the
 * reason; one whose context window or output limit a single request of this usage would exceed
 * says so among its reasons. One whose total is a lower bound with no upper one (a web search fee
 * the catalog does not know) ranks after those whose cost is known.
 */
import { blockInForce, pricePeriod } from "../catalog/model.js";
import type { Catalog } from "../catalog/catalog.js";
import type { Offering } from "../catalog/model.js";
import { priceRequest, PricingError, type PriceOptions, type PriceResult } from "./price-request.js";
import { asOneRequest, requestLimitProblems } from "./request-limits.js";
import type { Usage } from "./usage.js";
import type { ModelUsage } from "./normalize-usage.js";
import { withOtherModels } from "./other-models.js";

export interface ComparedOption {
  offering: Offering;
  feasible: boolean;
  result: PriceResult | undefined;
  /** Why it is not feasible, and every note on it (warnings below included). */
  reasons: string[];
  /** The notes price would warn of (a request over a limit, an unverified price, the price's own): the reasons that do not rule it out. */
  warnings: string[];
}

/**
 * `usage` priced on each offering, feasible and cheapest first. `otherModels` (an advisor's
 * sub-inferences) are priced on each at their own model's rates there (pricing/other-models.ts).
 */
export function compareOfferings(catalog: Catalog, offerings: Offering[], usage: Usage, otherModels: readonly ModelUsage[] | undefined, at: string, options: PriceOptions = {}): ComparedOption[] {
  const compared = offerings.map((offering): ComparedOption => {
    const block = blockInForce(offering, at);
    if (!block) {
      const periods = offering.prices.map(pricePeriod).join(", ");
      return { offering, feasible: false, result: undefined, reasons: [`no price on ${at} (priced ${periods})`], warnings: [] };
    }
    const retired = offering.model.retired[offering.provider];
    const retiredNow = retired !== undefined && retired <= at;
    const ruledOut = retiredNow ? [`retired on ${offering.provider} since ${retired}`] : [];
    // A note, not a verdict: the usage may sum several requests (the issue's own example does).
    const warnings = requestLimitProblems(offering, usage, at, catalog.data.betas).map(asOneRequest);
    try {
      const result = withOtherModels(catalog, offering, at, priceRequest(offering, block, usage, options), otherModels);
      if (!result.source.verified) warnings.push("price from unverified third-party quotes");
      warnings.push(...result.warnings);
      return { offering, feasible: !retiredNow, result, reasons: [...ruledOut, ...warnings], warnings };
    } catch (error) {
      if (error instanceof PricingError) return { offering, feasible: false, result: undefined, reasons: [...ruledOut, ...warnings, error.message], warnings };
      throw error;
    }
  });
  return compared.sort((a, b) => {
    if (a.feasible !== b.feasible) return a.feasible ? -1 : 1;
    // A lower bound with no upper one (a fee the catalog does not know) is not cheaper than a known
    // price however small it is: those with a known most come first.
    if (a.result && b.result && unbounded(a.result) !== unbounded(b.result)) return unbounded(a.result) ? 1 : -1;
    if (a.result && b.result) return a.result.total < b.result.total ? -1 : a.result.total > b.result.total ? 1 : a.offering.key.localeCompare(b.offering.key);
    return a.result ? -1 : b.result ? 1 : a.offering.key.localeCompare(b.offering.key);
  });
}

/** A total that is only a lower bound, with no known most (some usage or a fee unknown). */
export function unbounded(result: PriceResult): boolean {
  return !result.exact && result.upper === undefined;
}

/** The offerings of every model matching a name: a family ("sonnet-4.6") or any id form. */
export function offeringsForModelQuery(catalog: Catalog, query: string): Offering[] {
  const models = catalog.modelsMatching(query);
  const ids = models.length > 0 ? models.map((model) => model.id) : [catalog.resolve(query).model.id];
  return ids.flatMap((id) => catalog.offeringsOf(id));
}
