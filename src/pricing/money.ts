import { Decimal, formatScaled } from "./decimal.js";

/**
 * Money on the hot path: an integer count of attodollars (10^-18 USD) in a BigInt.
 *
 * Why this unit: a catalog rate is USD per million tokens with at most 12 decimal places
 * (checked when the catalog is loaded), so a rate per single token is an exact integer number
 * of attodollars, and tokens x rate is an exact integer product. Sums never round.
 */
export type Money = bigint;

export const MONEY_SCALE = 18;
const TOKENS_PER_MTOK_DIGITS = 6;
/** Digits a per-MTok rate may carry after the point so that a per-token rate is whole attodollars. */
export const RATE_MAX_PLACES = MONEY_SCALE - TOKENS_PER_MTOK_DIGITS;

/** Converts a USD-per-million-tokens rate to attodollars per token, exactly. */
export function perTokenRate(usdPerMillionTokens: Decimal): Money {
  return usdPerMillionTokens.toScaledBigInt(RATE_MAX_PLACES);
}

/** Converts a USD amount (a flat fee, a per-search price) to attodollars, exactly. */
export function moneyFromUsd(usd: Decimal): Money {
  return usd.toScaledBigInt(MONEY_SCALE);
}

export function moneyToDecimal(amount: Money): Decimal {
  return Decimal.fromBigInt(amount, MONEY_SCALE);
}

/** Exact USD text with no trailing zeros: "0.0825", "12", "0.000003". */
export function formatUsd(amount: Money): string {
  return moneyToDecimal(amount).toString();
}

/** Display text rounded half-even to `places` (for tables only; JSON always carries formatUsd). */
export function formatUsdRounded(amount: Money, places = 6): string {
  return moneyToDecimal(amount).toFixed(places);
}

/** Parses exact USD text (as written by formatUsd) back to Money. */
export function parseUsd(text: string): Money {
  return moneyFromUsd(Decimal.parse(text));
}

export function sumMoney(amounts: Iterable<Money>): Money {
  let total = 0n;
  for (const amount of amounts) total += amount;
  return total;
}

export { formatScaled };
