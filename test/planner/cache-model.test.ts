/**
 * Cache writes and reads from the arrival pattern and the TTL, each figure worked out by hand.
 * A month is 730 hours; P(miss) = e^(-λ x TTL) with λ the arrivals per minute per prefix.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Decimal } from "../../src/pricing/decimal.js";
import { splitCacheTraffic } from "../../src/planner/cache-model.js";
import type { ArrivalProfile } from "../../src/planner/workload.js";

const ones = Array.from({ length: 24 }, () => Decimal.ONE);
const uniform: ArrivalProfile = { kind: "uniform", weights: ones, daysPerWeek: 7 };
const businessHours: ArrivalProfile = {
  kind: "business-hours",
  weights: Array.from({ length: 24 }, (_, hour) => (hour >= 9 && hour < 17 ? Decimal.ONE : Decimal.ZERO)),
  daysPerWeek: 5,
};
const split = (requests: number, profile: ArrivalProfile, ttl: "5m" | "1h", prefixVariants = 1, measured?: string) =>
  splitCacheTraffic({ requests: BigInt(requests), profile, prefixVariants, measuredHitRate: measured ? Decimal.parse(measured) : undefined }, ttl);

test("uniform traffic, one request a minute: the 5-minute TTL misses e^-5 of the time", () => {
  // 43,800 requests / (730 h x 60) = 1 per minute; λ x TTL = 5; e^-5 = 0.0067379469990854671
  // writes = 43,800 x 0.0067379469990854671 = 295.122 -> 295; reads = 43,505
  const result = split(43_800, uniform, "5m");
  assert.equal(result.writes, 295n);
  assert.equal(result.reads, 43_505n);
  assert.equal(result.hitRate.toString(), "0.9933"); // 43,505 / 43,800 = 0.99326...
  assert.equal(result.method, "arrival");
});

test("the 1-hour TTL almost never expires at that rate, but the prefix is written at least once", () => {
  // λ x TTL = 60; e^-60 ~ 8.8e-27 rounds to 0 at 20 places -> expected writes 0 -> floor of 1 (the first write)
  const result = split(43_800, uniform, "1h");
  assert.equal(result.writes, 1n);
  assert.equal(result.reads, 43_799n);
});

test("ten distinct prefixes share the traffic: each sees a tenth of the rate", () => {
  // λ per prefix = 0.1 per minute; x 5 min = 0.5; e^-0.5 = 0.6065306597126334236
  // writes = 43,800 x 0.6065306597126334236 = 26,566.04 -> 26,566
  assert.equal(split(43_800, uniform, "5m", 10).writes, 26_566n);
});

test("business hours: every morning restarts cold, whatever the TTL", () => {
  // Active days a month = 730/24 x 5/7 = 21.726; 10,000 requests over 8 h a day = 57.53 an hour.
  // 1h TTL: λ x 60 = 57.5 -> e^-57.5 rounds to 0; restarts = 21.726 x (1 - 0) -> 22 writes
  const oneHour = split(10_000, businessHours, "1h");
  assert.equal(oneHour.writes, 22n);
  // 5m TTL: λ x 5 = 4.795 -> e^-4.795 = 0.008272; 10,000 x 0.008272 = 82.72 plus 21.726 x (1 - 0.008272) = 21.546 -> 104.27 -> 104
  assert.equal(split(10_000, businessHours, "5m").writes, 104n);
});

test("a measured hit rate replaces the estimate", () => {
  // writes = 10,001 x (1 - 0.8) = 2,000.2 -> 2,000
  const result = split(10_001, uniform, "5m", 1, "0.8");
  assert.equal(result.writes, 2_000n);
  assert.equal(result.reads, 8_001n);
  assert.equal(result.method, "measured");
});

test("one request writes and never reads", () => {
  const result = split(1, uniform, "5m");
  assert.deepEqual([result.writes, result.reads], [1n, 0n]);
});
