/** The SVG line chart (src/planner/report/svg-charts.ts) on degenerate input: what a $0 budget's burn-down gives it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { lineChart } from "../../src/planner/report/svg-charts.js";

test("a y cap of 0 (a $0 budget's burn-down, nothing spent) is no cap: every coordinate is a number", () => {
  const flat = [{ id: "spent", label: "spent", colour: "#000", points: [{ x: 0, y: 0 }, { x: 3, y: 0 }] }];
  const svg = lineChart("burn-down-zero", "a $0 budget", flat, [{ x: 3, label: "now", kind: "today" }], "day", "zero", 0);
  assert.doesNotMatch(svg, /NaN|Infinity/);
  assert.match(svg, /<path [^>]*d="M\d/);
});
