import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/emulators/shared/clock.js";
import { FaultInjector } from "../../src/emulators/shared/fault-injector.js";
import { drawLatency } from "../../src/emulators/shared/latency.js";
import { faultProfileSchema } from "../../src/emulators/shared/profile-schema.js";
import { applyProfileUpdate, presetProfile } from "../../src/emulators/shared/profiles.js";
import { RateLimiter } from "../../src/emulators/shared/rate-limiter.js";
import { SeededRandom } from "../../src/emulators/shared/seeded-random.js";

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

function near(actual: number, expected: number, tolerance: number, label: string): void {
  assert.ok(Math.abs(actual - expected) / expected <= tolerance, `${label}: ${actual.toFixed(0)} vs ${expected} (±${tolerance * 100}%)`);
}

for (const [provider, table] of [
  ["anthropic", { ttft: [620, 1450], total: [3100, 7800] }],
  ["bedrock", { ttft: [710, 1980], total: [3600, 10200] }],
] as const) {
  test(`seed-000 reproduces the seed table for ${provider} (TTFT and total for a 200-token reply)`, () => {
    const profile = presetProfile("seed-000", provider);
    const random = new SeededRandom(7);
    const ttft: number[] = [];
    const total: number[] = [];
    for (let index = 0; index < 40_000; index += 1) {
      const draw = drawLatency(profile.latency, random);
      ttft.push(draw.ttftMs);
      total.push(draw.ttftMs + 200 * draw.interTokenMs);
    }
    near(percentile(ttft, 0.5), table.ttft[0], 0.03, "TTFT p50");
    near(percentile(ttft, 0.99), table.ttft[1], 0.06, "TTFT p99");
    near(percentile(total, 0.5), table.total[0], 0.03, "total p50");
    near(percentile(total, 0.99), table.total[1], 0.06, "total p99");
    assert.ok(Object.values(profile.faults.errorRates).every((rate) => rate > 0 && rate < 0.01), "the seed's throttle rate");
  });
}

test("instant has no latency at all", () => {
  assert.deepEqual(drawLatency(presetProfile("instant", "anthropic").latency, new SeededRandom(1)), { ttftMs: 0, interTokenMs: 0 });
});

test("fault windows open and close on the clock; counts run out; the dice are seeded", () => {
  const clock = new ManualClock();
  const faults = faultProfileSchema.parse({
    rules: [
      { fault: { kind: "error", status: 429 }, window: { durationMs: 30_000 } },
      { fault: { kind: "error", status: 500 }, count: 2 },
    ],
  });
  const injector = new FaultInjector(faults, clock.now(), clock);
  assert.equal(injector.decide(false)?.kind, "error");
  clock.advance(29_999);
  const inWindow = injector.decide(false);
  assert.ok(inWindow?.kind === "error" && inWindow.status === 429);
  clock.advance(2);
  const afterWindow = [injector.decide(false), injector.decide(false), injector.decide(false)];
  assert.deepEqual(afterWindow.map((fault) => (fault?.kind === "error" ? fault.status : "none")), [500, 500, "none"]);

  const rolls = (seed: number) => {
    const dice = new FaultInjector(faultProfileSchema.parse({ seed, errorRates: { "529": 0.3 } }), 0, clock);
    return Array.from({ length: 200 }, () => (dice.decide(true) ? 1 : 0)).join("");
  };
  assert.equal(rolls(1), rolls(1));
  assert.notEqual(rolls(1), rolls(2));
  const hits = rolls(3).split("").filter((bit) => bit === "1").length;
  assert.ok(hits > 35 && hits < 85, `about 30% of 200, got ${hits}`);
});

test("repeating windows model bursts: every 60 s, 15 s on", () => {
  const clock = new ManualClock();
  const storm = presetProfile("storm-529", "anthropic");
  const start = clock.now();
  const injector = new FaultInjector({ ...storm.faults, rules: storm.faults.rules.map((rule) => ({ ...rule, probability: 1 })) }, start, clock);
  const at = (ms: number) => {
    clock.set(start + ms);
    return injector.decide(false) !== undefined;
  };
  assert.deepEqual([at(0), at(14_999), at(15_000), at(59_999), at(60_000), at(75_001)], [true, true, false, false, true, false]);
});

test("rate limits: a bucket per minute that refills continuously", () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter({ requestsPerMinute: 2, inputTokensPerMinute: 1000 }, clock);
  assert.equal(limiter.admit(100).ok, true);
  assert.equal(limiter.admit(100).ok, true);
  const third = limiter.admit(100);
  assert.ok(!third.ok && third.dimension === "requests");
  assert.ok(!third.ok && third.retryAfterMs > 29_000 && third.retryAfterMs <= 30_000);
  clock.advance(30_000);
  assert.equal(limiter.admit(100).ok, true);
  clock.advance(60_000);
  const tooBig = limiter.admit(5000);
  assert.ok(!tooBig.ok && tooBig.dimension === "input_tokens");
});

test("profile updates: a preset, then replaced parts, validated", () => {
  const start = presetProfile("instant", "bedrock");
  const throttled = applyProfileUpdate(start, { profile: "throttled" }, "bedrock");
  assert.equal(throttled.faults.rateLimits.requestsPerMinute, 30);
  const custom = applyProfileUpdate(throttled, { rateLimits: { requestsPerMinute: 5 }, latency: "seed-000" }, "bedrock");
  assert.equal(custom.faults.rateLimits.requestsPerMinute, 5);
  assert.equal(custom.latency.ttftMs.p50, 710);
  assert.throws(() => applyProfileUpdate(start, { profile: "nope" }, "bedrock"), /unknown profile "nope"/);
  assert.throws(() => applyProfileUpdate(start, { rules: [{ fault: { kind: "explode" } }] } as never, "bedrock"));
  assert.equal(presetProfile("outage", "bedrock").faults.rules[0]?.fault.kind, "error");
});
