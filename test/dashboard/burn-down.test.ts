/** The budget projection (src/dashboard/burn-down.ts): a key's rate is measured from when it could spend, not from the 1st. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { burnDown } from "../../src/dashboard/burn-down.js";
import { parseUsd } from "../../src/pricing/money.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOV_1 = Date.UTC(2026, 10, 1);
const NOW = Date.UTC(2026, 10, 23, 12);
const spend = (entries: Record<string, string>) => new Map(Object.entries(entries).map(([day, usd]) => [day, parseUsd(usd)]));

test("a key older than the month projects from the 1st: $11.25 by the 23rd noon is $15 by the month's end", () => {
  const burn = burnDown(spend({ "2026-11-02": "11.25" }), NOW, NOV_1 - 40 * DAY);
  assert.equal(burn.rateSinceWhat, "month start");
  assert.equal(burn.rateSince, NOV_1);
  assert.equal(burn.rateSinceDays, 0);
  assert.equal(burn.projected.toString(), "15");
});

test("a key created on the 20th projects from its creation: $7 in 3.5 days is $2 a day, $22 by the month's end (not $9.33 from the 1st)", () => {
  const burn = burnDown(spend({ "2026-11-20": "3", "2026-11-23": "4" }), NOW, NOV_1 + 19 * DAY);
  assert.equal(burn.rateSinceWhat, "key created");
  assert.equal(burn.rateSince, NOV_1 + 19 * DAY);
  assert.equal(burn.rateSinceDays, 19);
  assert.equal(burn.projected.toString(), "22");
  assert.equal(burn.spent, parseUsd("7"));
  assert.equal(burn.cumulative.length, 23, "the chart still runs from the 1st");
});

test("a key created an hour ago is measured over a day at least: its first request is not a rate", () => {
  const burn = burnDown(spend({ "2026-11-23": "0.5" }), NOW, NOW - HOUR);
  assert.equal(burn.rateSinceWhat, "key created");
  assert.equal(burn.rateSinceDays, 22.5 - 1 / 24, "days are fractional");
  // $0.5 a day for the 7.5 days left, not $0.5 an hour.
  assert.equal(burn.projected.toString(), "4.25");
});

test("spend on a day before the key's recorded creation (another replica's clock) starts the line at that day", () => {
  const burn = burnDown(spend({ "2026-11-19": "1", "2026-11-23": "2.5" }), NOW, NOV_1 + 19 * DAY + 5 * HOUR);
  assert.equal(burn.rateSinceWhat, "first spend");
  assert.equal(burn.rateSince, NOV_1 + 18 * DAY);
  assert.equal(burn.rateSinceDays, 18);
  // $3.5 over 4.5 days, for 7.5 days more.
  assert.equal(burn.projected.round(6).toString(), "9.333333");
});
