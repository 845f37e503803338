/**
 * A key's month so far against its monthly budget: cumulative spend per UTC day, and a straight
 * projection to the end of the month (spend so far ÷ time elapsed × month length). Budgets are
 * calendar months in UTC, as the gateway enforces them (ledger/budget-window.ts).
 */
import { monthWindow } from "../ledger/budget-window.js";
import { Decimal } from "../pricing/decimal.js";
import { moneyToDecimal, type Money } from "../pricing/money.js";

const DAY_MS = 86_400_000;

export interface BurnDown {
  monthStart: number;
  resetsAt: number;
  daysInMonth: number;
  /** Days elapsed, fractional (now - month start) / 1 day. */
  elapsedDays: number;
  /** Cumulative spend at the end of each day so far: index 0 = end of day 1. */
  cumulative: Money[];
  spent: Money;
  /** Linear projection to the end of the month, exact to 18 places (an estimate: show it rounded). */
  projected: Decimal;
}

/** @param daily exact spend per day (YYYY-MM-DD -> attodollars) of one key this month */
export function burnDown(daily: ReadonlyMap<string, Money>, now: number): BurnDown {
  const { from, resets_at } = monthWindow(now);
  const daysInMonth = Math.round((resets_at - from) / DAY_MS);
  const elapsedMs = Math.max(1, now - from);
  const today = Math.min(daysInMonth, Math.floor((now - from) / DAY_MS) + 1);
  const cumulative: Money[] = [];
  let running = 0n;
  for (let day = 1; day <= today; day += 1) {
    running += daily.get(new Date(from + (day - 1) * DAY_MS).toISOString().slice(0, 10)) ?? 0n;
    cumulative.push(running);
  }
  const projected = moneyToDecimal(running)
    .mul(Decimal.fromInteger(resets_at - from))
    .div(Decimal.fromInteger(elapsedMs), 18);
  return { monthStart: from, resetsAt: resets_at, daysInMonth, elapsedDays: elapsedMs / DAY_MS, cumulative, spent: running, projected };
}
