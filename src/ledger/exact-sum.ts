/**
 * Exact sums of USD decimal text, for SQLite (which has no exact decimal type: its SUM and total()
 * are binary floats) and for the journal's checks. Amounts are attodollars (10^-18 USD) in a BigInt,
 * the same unit as pricing/money.ts, so a sum never rounds.
 */
import { MONEY_SCALE, formatUsd } from "../pricing/money.js";

const USD_TEXT = /^(-?)(\d{1,20})(?:\.(\d{1,18}))?$/;
/** Canonical storable text: no leading zeros, no trailing fractional zeros, no "-0". */
const CANONICAL_USD = /^(?:0|-?[1-9]\d{0,19})(?:\.\d{0,17}[1-9])?$|^-0\.\d{0,17}[1-9]$/;

/**
 * True for the money text the ledger stores: a plain decimal with at most 18 places and 20 whole
 * digits (what PostgreSQL's NUMERIC(38,18) holds without rounding).
 */
export function isStorableUsd(text: string): boolean {
  return USD_TEXT.test(text);
}

/** Parses stored USD text to attodollars. Faster than Decimal.parse: this runs once per row in a sum. */
export function attodollarsFromText(text: string): bigint {
  const match = USD_TEXT.exec(text);
  if (!match) throw new RangeError(`not a USD amount with at most ${MONEY_SCALE} decimal places: ${JSON.stringify(text)}`);
  const [, sign, whole, fraction = ""] = match;
  const value = BigInt(`${whole}${fraction.padEnd(MONEY_SCALE, "0")}`);
  return sign === "-" ? -value : value;
}

/**
 * Canonical text for a stored amount ("0.30" and "0.300000000000000000" both become "0.3"), the same
 * as formatUsd(attodollarsFromText(text)) but with string operations: it runs for every stored row.
 */
export function canonicalUsd(text: string): string {
  // Most text is canonical already (the engine writes it so): one test instead of three rewrites.
  if (CANONICAL_USD.test(text)) return text;
  const match = USD_TEXT.exec(text);
  if (!match) throw new RangeError(`not a USD amount with at most ${MONEY_SCALE} decimal places: ${JSON.stringify(text)}`);
  const [, sign, whole = "0", fraction = ""] = match;
  const wholeDigits = whole.replace(/^0+(?=\d)/, "");
  const fractionDigits = fraction.replace(/0+$/, "");
  const body = fractionDigits.length > 0 ? `${wholeDigits}.${fractionDigits}` : wholeDigits;
  return sign === "-" && body !== "0" ? `-${body}` : body;
}

/** Accumulator for a running exact sum; null inputs (unpriced rows) add nothing. */
export class UsdSum {
  private total = 0n;

  add(text: string | null | undefined): this {
    if (text !== null && text !== undefined) this.total += attodollarsFromText(text);
    return this;
  }

  get attodollars(): bigint {
    return this.total;
  }

  toString(): string {
    return formatUsd(this.total);
  }
}
