/**
 * A key's month so far against its monthly budget: cumulative spend per UTC day, and a straight
 * projection to the end of the month at the key's rate so far. Budgets are calendar months in UTC,
 * as the gateway enforces them (ledger/budget-window.ts).
 *
 * The rate is the spend so far over the time the key could have spent it: from the later of the
 * month's start and the key's creation. A key created on the 20th that spent $10 by the 25th burns
 * $2 a day, not $10 over 25 days. Spend on a day before the key's creation (another replica's
 * clock) moves the start back to that day: the rate never leaves out spend.
 * A straight line needs history, so the time is at least a day: a key created a minute ago is not
 * projected from its first request alone.
 */
import { monthWindow } from "../ledger/budget-window.js";
import { Decimal } from "../pricing/decimal.js";
import { moneyToDecimal, type Money } from "../pricing/money.js";

const DAY_MS = 86_400_000;

/** Where a projection's straight line starts. */
export type ProjectedFrom = "month start" | "key created" | "first spend";

export interface BurnDown {
  monthStart: number;
  resetsAt: number;
  daysInMonth: number;
  /** Days elapsed, fractional (now - month start) / 1 day. */
  elapsedDays: number;
  /** Cumulative spend at the end of each day so far: index 0 = end of day 1. */
  cumulative: Money[];
  spent: Money;
  /** The spend so far plus the rate so far until the month's end, exact to 18 places (an estimate: show it rounded). */
  projected: Decimal;
  /** When the rate is measured from (ms), and what that moment is. */
  rateSince: number;
  /** rateSince in days since the month's start, fractional: where the rate's line starts on a day axis. */
  rateSinceDays: number;
  rateSinceWhat: ProjectedFrom;
}

/**
 * @param daily exact spend per day (YYYY-MM-DD -> attodollars) of one key this month
 * @param createdAt when the key was created (ms since the epoch)
 */
export function burnDown(daily: ReadonlyMap<string, Money>, now: number, createdAt: number): BurnDown {
  const { from, resets_at } = monthWindow(now);
  const daysInMonth = Math.round((resets_at - from) / DAY_MS);
  const today = Math.min(daysInMonth, Math.floor((now - from) / DAY_MS) + 1);
  const cumulative: Money[] = [];
  let running = 0n;
  let firstSpendDay: number | undefined;
  for (let day = 1; day <= today; day += 1) {
    const dayStart = from + (day - 1) * DAY_MS;
    const amount = daily.get(new Date(dayStart).toISOString().slice(0, 10)) ?? 0n;
    if (amount !== 0n) firstSpendDay ??= dayStart;
    running += amount;
    cumulative.push(running);
  }
  const { at: rateSince, what: rateSinceWhat } = rateStart(from, createdAt, firstSpendDay);
  const rateMs = Math.max(DAY_MS, now - rateSince);
  const projected = moneyToDecimal(running).add(moneyToDecimal(running).mul(Decimal.fromInteger(Math.max(0, resets_at - now))).div(Decimal.fromInteger(rateMs), 18));
  return {
    monthStart: from,
    resetsAt: resets_at,
    daysInMonth,
    elapsedDays: Math.max(0, now - from) / DAY_MS,
    cumulative,
    spent: running,
    projected,
    rateSince,
    rateSinceDays: (rateSince - from) / DAY_MS,
    rateSinceWhat,
  };
}

function rateStart(monthStart: number, createdAt: number, firstSpendDay: number | undefined): { at: number; what: ProjectedFrom } {
  if (createdAt <= monthStart) return { at: monthStart, what: "month start" };
  // Spend is known by the day: only spend on a day before the creation's own day is earlier than it.
  if (firstSpendDay !== undefined && firstSpendDay + DAY_MS <= createdAt) return { at: firstSpendDay, what: "first spend" };
  return { at: createdAt, what: "key created" };
}
