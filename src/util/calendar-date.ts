/**
 * Days written as YYYY-MM-DD (catalog dates, a workload's `at`, --at/--from/--to). Date.parse alone
 * is not a check: it rolls 2026-02-31 over to March 3 instead of refusing it.
 */

/** The shape, checked first so that its message can say what is expected. */
export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * True for a day the calendar has: the shape, a year from 0001 to 9999, a month from 01 to 12, a day
 * the month has. Year 0000 parses (ISO 8601's year before 1 AD) but is no price's day, and no
 * --at the catalog could answer: refused here, as 10000 is by the shape.
 */
export function isCalendarDay(text: string): boolean {
  if (!DAY_PATTERN.test(text) || text.startsWith("0000-")) return false;
  const parsed = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 10) === text;
}

export const NOT_A_CALENDAR_DAY = "not a day of the calendar (a year from 0001 to 9999, a month from 01 to 12, a day that month has)";
