/**
 * Tokens a request spent on another model than the one that answered it (the advisor tool's
 * sub-inferences, a server-side fallback's attempt: normalize-usage.ts's `otherModels`), priced at
 * that model's rates on the same provider and route, and added to the answer's price. Unknown usage is not zero: a model the
 * catalog cannot price there leaves the total a lower bound with no upper one.
 */
import type { Catalog } from "../catalog/catalog.js";
import { blockInForce, type Offering, type PriceBlock } from "../catalog/model.js";
import type { ModelUsage } from "./normalize-usage.js";
import { priceRequest, PricingError, type PriceResult } from "./price-request.js";

/**
 * Where `model` is billed when `offering`'s request runs it: its offering on the same provider,
 * route and regions, and that offering's prices in force on `at`. A string says why there are none.
 */
export function consultedPrices(catalog: Catalog, offering: Offering, model: string, at: string): { offering: Offering; block: PriceBlock } | string {
  const matches = catalog.modelsMatching(model);
  const [match] = matches;
  if (!match || matches.length > 1) return `the catalog ${match ? "has several models named" : "does not know"} ${JSON.stringify(model)}`;
  // Any region of the answering offering names its region group (regional routes are priced per group).
  const found = catalog.findOffering(offering.provider, match.id, offering.route, offering.regions?.[0]);
  if (!found) return `the catalog has no ${offering.provider} ${offering.route} offering of ${JSON.stringify(model)}`;
  const block = blockInForce(found, at);
  return block ? { offering: found, block } : `${found.key} has no price in force on ${at}`;
}

/**
 * `result` (the answering model's price) with every other model's usage added at that model's
 * rates in force on `at`. Their lines carry the model's id. No other models: `result` itself. An
 * offering that does not run the advisor tool, or server-side fallback, cannot have had such usage:
 * a PricingError.
 */
export function withOtherModels(catalog: Catalog, offering: Offering, at: string, result: PriceResult, others: readonly ModelUsage[] | undefined): PriceResult {
  if (!others || others.length === 0) return result;
  // Usage that cannot have happened there: what it would cost is no price of this offering.
  for (const [role, runs, what] of [
    ["advisor", offering.capabilities.advisor_tool, "the advisor tool"],
    ["fallback", offering.capabilities.server_side_fallback, "server-side fallback"],
  ] as const) {
    const ofRole = others.filter((other) => other.role === role);
    if (ofRole.length > 0 && runs === false) {
      throw new PricingError(`${offering.provider} does not run ${what}, and the usage has ${[...new Set(ofRole.map((other) => other.model))].join(", ")} ${role} tokens`, "usage_json");
    }
  }
  let { total, upper, exact } = result;
  const lines = [...result.lines];
  const warnings = [...result.warnings];
  const unpricedModels: string[] = [];
  for (const other of others) {
    const there = pricedThere(consultedPrices(catalog, offering, other.model, at), other);
    if (typeof there === "string") {
      // Unknown usage is not zero: the total is what is known, and nothing bounds it.
      warnings.push(`the ${other.role}'s ${other.model} tokens are not priced: ${there}; the total is a lower bound`);
      unpricedModels.push(other.model);
      exact = false;
      upper = undefined;
      continue;
    }
    const { priced, model } = there;
    total += priced.total;
    exact &&= priced.exact;
    upper = upper === undefined || priced.upper === undefined ? undefined : upper + priced.upper;
    lines.push(...priced.lines.map((line) => ({ ...line, model, role: other.role })));
    warnings.push(...priced.warnings.map((warning) => `${model} (${other.role}): ${warning}`));
  }
  return { ...result, total, upper: exact ? total : upper, exact, lines, warnings, ...(unpricedModels.length > 0 ? { unpricedModels } : {}) };
}

/** `other`'s usage at the prices found for it, and its model's id; or why it has none. */
function pricedThere(found: ReturnType<typeof consultedPrices>, other: ModelUsage): { priced: PriceResult; model: string } | string {
  if (typeof found === "string") return found;
  try {
    return { priced: priceRequest(found.offering, found.block, other.usage), model: found.offering.model.id };
  } catch (error) {
    if (!(error instanceof PricingError)) throw error;
    return error.message;
  }
}
