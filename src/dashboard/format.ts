/**
 * How the dashboard writes figures. Money is the ledger's exact decimal text, never re-rounded:
 * "$0.012345678" stays "$0.012345678". The few estimates (projections) say that they are rounded
 * and carry the exact value in a title attribute.
 */
import { attodollarsFromText } from "../ledger/exact-sum.js";
import { Decimal } from "../pricing/decimal.js";
import { formatUsd, type Money } from "../pricing/money.js";

export { escapeHtml } from "../planner/report/svg-charts.js";

/** "$1,234.000123" from exact USD text; "–" for null. Every digit the ledger holds is kept. */
export function usd(text: string | null | undefined): string {
  if (text === null || text === undefined) return "–";
  const negative = text.startsWith("-");
  const [whole = "0", fraction] = (negative ? text.slice(1) : text).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}$${grouped}${fraction ? `.${fraction}` : ""}`;
}

export function usdOfMoney(amount: Money): string {
  return usd(formatUsd(amount));
}

/** Display-only rounding to cents (or micro-dollars below a cent), for estimates. */
export function roundedUsd(amount: Decimal): string {
  const magnitude = amount.isNegative() ? amount.neg() : amount;
  const places = !magnitude.isZero() && magnitude.compare(Decimal.parse("0.01")) < 0 ? 6 : 2;
  return usd(amount.round(places).toFixed(places));
}

export function count(value: number): string {
  return value.toLocaleString("en-US");
}

/** A ratio as a percentage with one decimal place (display only; the counts are shown beside it). */
export function percent(part: number, whole: number): string {
  if (whole === 0) return "–";
  return `${((part / whole) * 100).toFixed(1)}%`;
}

export function milliseconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return `${value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1)} ms`;
}

/** A USD amount as a JavaScript number: chart geometry only, never a printed figure. */
export function chartValue(text: string | null | undefined): number {
  return text === null || text === undefined ? 0 : Number(text);
}

export function moneyOf(text: string | null | undefined): Money {
  return text === null || text === undefined ? 0n : attodollarsFromText(text);
}

/** `text` cut to at most `most` characters at the end of a word, with "…"; whole when it fits. */
export function shortened(text: string, most: number): string {
  if (text.length <= most) return text;
  const cut = text.slice(0, most - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > most / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, "")}…`;
}

export function isoDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
