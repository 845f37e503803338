/** Money in sentences ("$39,420.00"): lever titles and reasons are read by people. Exact figures stay in the numbers. */
import { formatUsdRounded, type Money } from "../pricing/money.js";

/** "$1,234.57" (half-even to cents); sub-cent amounts keep six places; "n/a" when unknown. */
export function dollars(amount: Money | undefined): string {
  if (amount === undefined) return "n/a";
  const negative = amount < 0n;
  const magnitude = negative ? -amount : amount;
  const places = magnitude !== 0n && magnitude < 10n ** 16n ? 6 : 2; // below one cent, show micro-dollars
  const [whole = "0", fraction] = formatUsdRounded(magnitude, places).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}$${grouped}${fraction ? `.${fraction}` : ""}`;
}
