import { test } from "node:test";
import assert from "node:assert/strict";
import { sourceSchema } from "../../src/catalog/schema.js";
import { isCalendarDay } from "../../src/util/calendar-date.js";

test("isCalendarDay: days the calendar has, and not the ones Date.parse rolls over", () => {
  for (const day of ["2026-01-31", "2026-02-28", "2028-02-29", "2000-02-29", "2026-12-31"]) assert.equal(isCalendarDay(day), true, day);
  for (const day of ["2026-02-29", "2026-02-31", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "2026-1-01", "20260101", ""]) {
    assert.equal(isCalendarDay(day), false, day);
  }
});

test("a catalog source accessed on a day the month does not have is refused", () => {
  const parsed = sourceSchema.safeParse({ url: "https://example.com", accessed: "2026-02-30" });
  assert.equal(parsed.success, false);
  assert.match(parsed.error?.issues[0]?.message ?? "", /not a day of the calendar/);
  assert.equal(sourceSchema.safeParse({ url: "https://example.com", accessed: "2026-02-28" }).success, true);
});
