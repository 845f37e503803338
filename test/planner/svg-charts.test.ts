/**
 * The SVG charts (src/planner/report/svg-charts.ts) without a browser: names shortened in the middle
 * to fit, legends that name each series whole or with the whole as a tooltip, and degenerate input
 * (what a $0 budget's burn-down gives the line chart). test/dashboard/chart-labels.test.ts measures
 * the drawn labels in Chromium.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { barChart, fitText, lineChart, powerOfTenText, stackedBarChart, textWidth } from "../../src/planner/report/svg-charts.js";

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

test("a logarithmic bar chart has an axis: a gridline and a labelled tick at each power of ten from under the smallest bar to over the largest, and a bar ends where its value is on it", () => {
  const bars = [
    { id: "small", label: "small", value: 5, text: "$5.00", colour: "#000", muted: false },
    { id: "thousand", label: "thousand", value: 1000, text: "$1,000.00", colour: "#000", muted: false },
    { id: "large", label: "large", value: 5000, text: "$5,000.00", colour: "#000", muted: false },
  ];
  const svg = barChart("log", "costs", bars, { unit: "monthly cost", tickPrefix: "$" });
  assert.match(svg, /logarithmic scale/);
  const ticks = [...svg.matchAll(/<g data-tick="(-?\d+)"><line x1="([\d.]+)"[^>]*\/>(?:<text [^>]*>([^<]*)<\/text>)?<\/g>/g)].map((match) => ({ power: Number(match[1]), x: Number(match[2]), text: match[3] }));
  assert.deepEqual(ticks.map((tick) => tick.text), ["$1", "$10", "$100", "$1k", "$10k"], "one tick a decade, $1 (under $5) to $10k (over $5,000)");
  const gaps = ticks.slice(1).map((tick, index) => tick.x - (ticks[index] as { x: number }).x);
  for (const gap of gaps) assert.ok(Math.abs(gap - (gaps[0] as number)) < 0.2, "decades equally spaced");
  const end = (id: string) => {
    const match = new RegExp(`<g data-bar="${id}"[^]*?<rect x="([\\d.]+)"[^>]*width="([\\d.]+)"`).exec(svg);
    return Number(match?.[1]) + Number(match?.[2]);
  };
  assert.ok(Math.abs(end("thousand") - (ticks[3] as { x: number }).x) < 0.2, "the $1,000 bar ends on the $1k gridline");
  assert.match(svg, /<text [^>]*data-axis-label>monthly cost, logarithmic scale: each gridline is 10x the one before<\/text>/);
  assert.doesNotMatch(svg, /NaN|Infinity/);
});

test("the axis's ticks read as amounts below a dollar and above a million", () => {
  assert.deepEqual([-2, -1, 0, 1, 2, 3, 4, 5, 6, 9].map((power) => powerOfTenText(power, "$")), ["$0.01", "$0.1", "$1", "$10", "$100", "$1k", "$10k", "$100k", "$1M", "$1B"]);
  const wide = barChart("wide", "wide", [1e-3, 1e9].map((value, index) => ({ id: `b${index}`, label: `b${index}`, value, text: String(value), colour: "#000", muted: false })), { tickPrefix: "$" });
  const labels = [...wide.matchAll(/<g data-tick="-?\d+">[^]*?<\/g>/g)].map((match) => /<text [^>]*>([^<]*)</.exec(match[0])?.[1]);
  assert.equal(labels.length, 13, "a gridline for each of the twelve decades' ends");
  assert.ok(labels.filter((label) => label !== undefined).length < 13, "labels thinned out where 13 would crowd the axis");
  assert.equal(labels[0], "$0.001");
});

test("a linear bar chart draws no axis: its amounts are written beside the bars", () => {
  const svg = barChart("lin", "costs", [1, 1000].map((value, index) => ({ id: `b${index}`, label: `b${index}`, value, text: String(value), colour: "#000", muted: false })), { linear: true });
  assert.doesNotMatch(svg, /data-tick|logarithmic/);
});
