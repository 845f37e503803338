/**
 * FastCounter and FastHistogram against prom-client's own Counter and Histogram: the same
 * observations must give the same exposition text, line for line.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Counter, Histogram, Registry } from "prom-client";
import { FastCounter, FastHistogram } from "../../src/metrics/fast-series.js";

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVATIONS: [string, number][] = [
  ["a", 0.0005],
  ["a", 0.001], // on a bound: le="0.001" counts it
  ["a", 0.05],
  ["b", 7],
  ["a", 2],
  ["b", 0.01],
];

test("FastHistogram exposes the same buckets, sums and counts as prom-client's Histogram", async () => {
  const reference = new Registry();
  const fast = new Registry();
  const histogram = new Histogram({ name: "t_seconds", help: "h", labelNames: ["deployment"], buckets: BUCKETS, registers: [reference] });
  const fastHistogram = new FastHistogram(fast, "t_seconds", "h", BUCKETS);
  for (const [deployment, value] of OBSERVATIONS) {
    histogram.observe({ deployment }, value);
    fastHistogram.at(deployment, () => ({ deployment })).observe(value);
  }
  fastHistogram.at("never-observed", () => ({ deployment: "never-observed" }));
  assert.equal(await fast.metrics(), await reference.metrics());
});

test("FastCounter exposes the same totals as prom-client's Counter; series nothing was added to are absent", async () => {
  const reference = new Registry();
  const fast = new Registry();
  const counter = new Counter({ name: "t_total", help: "c", labelNames: ["deployment", "status"], registers: [reference] });
  const fastCounter = new FastCounter(fast, "t_total", "c");
  for (const [deployment, value] of OBSERVATIONS) {
    counter.inc({ deployment, status: "200" }, value);
    fastCounter.at(`${deployment}/200`, () => ({ deployment, status: "200" })).inc(value);
  }
  counter.inc({ deployment: "a", status: "429" });
  fastCounter.at("a/429", () => ({ deployment: "a", status: "429" })).inc();
  fastCounter.at("c/200", () => ({ deployment: "c", status: "200" }));
  assert.equal(await fast.metrics(), await reference.metrics());
});

test("reset() empties the series", async () => {
  const registry = new Registry();
  const counter = new FastCounter(registry, "r_total", "c");
  counter.at("x", () => ({ k: "x" })).inc(3);
  registry.resetMetrics();
  assert.equal(await registry.metrics(), "# HELP r_total c\n# TYPE r_total counter\n");
});
