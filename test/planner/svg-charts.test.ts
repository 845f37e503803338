/**
 * The SVG charts (src/planner/report/svg-charts.ts) without a browser: names shortened in the middle
 * to fit, legends that name each series whole or with the whole as a tooltip, and degenerate input
 * (what a $0 budget's burn-down gives the line chart). test/dashboard/chart-labels.test.ts measures
 * the drawn labels in Chromium.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fitText, lineChart, stackedBarChart, textWidth } from "../../src/planner/report/svg-charts.js";

test("fitText keeps a name that fits whole, and shortens a longer one in the middle: its start and its end stay, so names that differ at the end stay apart", () => {
  assert.equal(fitText("search", 100), "search");
  assert.equal(fitText("search", textWidth("search")), "search", "exactly as wide fits");
  const retry = fitText("payments-reconciliation-nightly-retry", 150);
  const batch = fitText("payments-reconciliation-nightly-batch", 150);
  assert.equal(retry, "payments-re…htly-retry");
  assert.equal(batch, "payments-r…htly-batch");
  for (const shown of [retry, batch]) assert.ok(textWidth(shown) <= 150, `${shown} fits`);
  assert.equal(fitText("日本語のなまえ", 40), "日本…まえ", "by characters, not UTF-16 units");
  assert.equal(fitText("abcdef", 20), "…", "no room for a character either side");
});

test("a legend entry wider than a row is shortened in the middle with the whole name as its tooltip; the others read whole, without one", () => {
  const long = `${"a-series-name-far-too-long-for-any-legend-row-".repeat(3)}end`;
  const lines = [long, "short"].map((label, index) => ({ id: `s${index}`, label, colour: "#000", points: [{ x: 0, y: 1 }, { x: 1, y: 2 }] }));
  const line = lineChart("legend", "legend", lines, [], "day", "legend");
  const entry = /<g data-legend="s0">[^]*?<\/g>/.exec(line)?.[0] ?? "";
  assert.match(entry, new RegExp(`>a-series-name-far-too-long-for[^<]*…[^<]*row-end<title>${long}</title></text>`));
  assert.match(line, /<g data-legend="s1">[^]*?>short<\/text><\/g>/);
  const stacked = stackedBarChart("parts", "parts", [{ id: "bar", label: "bar", parts: [{ key: long, value: 1, text: "1" }, { key: "short", value: 1, text: "1" }], note: "" }], {});
  assert.match(stacked, new RegExp(`<g data-legend="${long}">[^]*?…[^<]*row-end<title>${long}</title></text></g>`));
  assert.match(stacked, /<g data-legend="short">[^]*?>short<\/text><\/g>/);
});

test("a y cap of 0 (a $0 budget's burn-down, nothing spent) is no cap: every coordinate is a number", () => {
  const flat = [{ id: "spent", label: "spent", colour: "#000", points: [{ x: 0, y: 0 }, { x: 3, y: 0 }] }];
  const svg = lineChart("burn-down-zero", "a $0 budget", flat, [{ x: 3, label: "now", kind: "today" }], "day", "zero", 0);
  assert.doesNotMatch(svg, /NaN|Infinity/);
  assert.match(svg, /<path [^>]*d="M\d/);
});
