/**
 * Checks the catalog's explicit rates against the rules they should follow, so that a typo in a
 * data file shows up as a finding instead of a wrong bill. Findings are warnings: real exceptions
 * exist (Haiku 3's cache rates, per-model cache-read multipliers), and each one is listed by
 * `switchyard catalog validate` for a person to confirm.
 *
 *  - Anthropic ratios: 5m write = 1.25x input, 1h write = 2x input, cache read = 0.1x input
 *    (pricing-rules.md §1.2; per-model exceptions in §1.1).
 *  - Regional = 1.1x global on Bedrock and Vertex for Claude 4.5 and later; same price before (§2.1, §3).
 *  - inference_geo "us" = 1.1x global on the Anthropic API and Claude Platform on AWS (§1.4).
 */
import { Decimal } from "../pricing/decimal.js";
import type { Catalog } from "./catalog.js";
import { blockInForce, pricePeriod, type Offering, type PriceBlock, type RateCard } from "./model.js";
import { takesInferenceGeo } from "./schema.js";

export interface RuleFinding {
  offering: string;
  period: string;
  rule: string;
  message: string;
}

const RATIOS: [keyof RateCard, string][] = [
  ["cacheWrite5m", "1.25"],
  ["cacheWrite1h", "2"],
  ["cacheRead", "0.1"],
];
const PREMIUM_FROM = Decimal.parse("4.5");
const REGIONAL = Decimal.parse("1.1");

function cardsOf(block: PriceBlock): [string, RateCard][] {
  const cards: [string, RateCard | undefined][] = [
    ["standard", block.standard],
    ["long_context", block.longContext],
    ["fast", block.fast],
    ["fast_long_context", block.fastLongContext],
  ];
  return cards.filter((entry): entry is [string, RateCard] => entry[1] !== undefined);
}

function checkRatios(offering: Offering, findings: RuleFinding[]): void {
  if (offering.model.vendor !== "anthropic") return;
  for (const block of offering.prices) {
    for (const [tierName, card] of cardsOf(block)) {
      for (const [field, ratio] of RATIOS) {
        const rate = card[field] as Decimal | undefined;
        if (rate === undefined) continue;
        const expected = card.input.mul(Decimal.parse(ratio));
        if (!rate.equals(expected)) {
          findings.push({
            offering: offering.key,
            period: pricePeriod(block),
            rule: `${field}-ratio`,
            message: `${tierName} ${field} is ${rate} = ${rate.div(card.input, 4)}x input; the usual ratio is ${ratio}x (${expected})`,
          });
        }
      }
    }
  }
}

/** Compares one route's standard card with the base route's on each date where both have a price. */
function checkRouteMultiplier(offering: Offering, base: Offering, multiplier: Decimal, rule: string, findings: RuleFinding[]): void {
  for (const block of offering.prices) {
    const baseBlock = blockInForce(base, block.from);
    if (!baseBlock) continue;
    for (const field of ["input", "output", "cacheWrite5m", "cacheWrite1h", "cacheRead"] as const) {
      const rate = block.standard[field];
      const baseRate = baseBlock.standard[field];
      if (rate === undefined || baseRate === undefined) continue;
      const expected = baseRate.mul(multiplier);
      if (!rate.equals(expected)) {
        findings.push({
          offering: offering.key,
          period: pricePeriod(block),
          rule,
          message: `${field} is ${rate}; ${multiplier}x the ${base.route} rate ${baseRate} would be ${expected}`,
        });
      }
    }
  }
}

export function checkRules(catalog: Catalog): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const offering of catalog.offerings) {
    checkRatios(offering, findings);
    const siblings = catalog.offeringsOf(offering.model.id).filter((candidate) => candidate.provider === offering.provider);
    const global = siblings.find((candidate) => candidate.route === "global");
    if (!global || offering === global || offering.model.vendor !== "anthropic") continue;
    if (takesInferenceGeo(offering.provider)) {
      if (offering.route === "us") checkRouteMultiplier(offering, global, REGIONAL, "inference-geo-us-1.1x", findings);
      continue;
    }
    if ((offering.provider === "bedrock" || offering.provider === "vertex") && offering.residency !== "govcloud") {
      const premium = offering.model.generation !== undefined && offering.model.generation.compare(PREMIUM_FROM) >= 0;
      checkRouteMultiplier(offering, global, premium ? REGIONAL : Decimal.ONE, premium ? "regional-1.1x" : "no-regional-premium-before-4.5", findings);
    }
  }
  return findings;
}
