/**
 * What the --html report's charts show (src/planner/report/html.ts): the cost chart says what it
 * leaves out and mentions hatching only when a bar is hatched; a deployment's line has one style
 * in every segment's chart, and no line has a marker's colour.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCatalogChecked } from "../../src/catalog/files.js";
import type { Catalog } from "../../src/catalog/catalog.js";
import { plan } from "../../src/planner/plan.js";
import { renderHtml } from "../../src/planner/report/html.js";
import { volumeCurves } from "../../src/planner/volume-curves.js";
import { loadWorkload } from "../../src/planner/workload-models.js";
import { MARKER_COLOURS, SERIES_PALETTE, seriesStyles } from "../../src/planner/report/series-palette.js";
import { labDistance } from "../../src/dashboard/series-colours.js";
import { AT, plannerCatalog } from "./planner-fixture.js";

function html(yaml: string, catalog: Catalog = plannerCatalog()): string {
  const resolved = loadWorkload(yaml, "w.yaml", catalog);
  const planned = plan(catalog, resolved, { at: AT });
  return renderHtml(planned, volumeCurves(catalog, resolved, planned, 6));
}

const THREE_MODELS = (residency: string) => `name: w
segments:
  - name: s
    requests_per_month: 10000
    input_tokens: 2000
    output_tokens: 300
    models: [claude-haiku-4-5, claude-sonnet-4-6, claude-opus-4-6]
constraints: { residency: ${residency} }
`;

const costChartOf = (page: string) => /<figure><svg data-chart="cost-per-option"[^]*?<\/figure>/.exec(page)?.[0] ?? "";

test("the cost chart's title mentions hatching only when a bar is hatched", () => {
  const allFeasible = costChartOf(html(THREE_MODELS("any")));
  assert.match(allFeasible, /Monthly cost per option — s</);
  assert.doesNotMatch(allFeasible, /hatched/);
  assert.doesNotMatch(allFeasible, /url\(#hatch\)"/);
  const someNot = costChartOf(html(THREE_MODELS("eu")));
  assert.match(someNot, /url\(#hatch\)"/);
  assert.match(someNot, /Monthly cost per option — s \(hatched = not feasible\)</);
});

test("every option is drawn when there are few, with no caption", () => {
  const chart = costChartOf(html(THREE_MODELS("any")));
  assert.equal([...chart.matchAll(/<g data-bar=/g)].length, 12);
  assert.doesNotMatch(chart, /figcaption/);
});

const real = loadCatalogChecked().catalog;
test("with many options no model drops out silently: each model's cheapest is drawn, and the caption says what is left out", { skip: real ? false : "the repository catalog does not load" }, () => {
  const chart = costChartOf(html(THREE_MODELS("any"), real as Catalog));
  const bars = [...chart.matchAll(/<g data-bar="([^"]*)"/g)].map((match) => match[1] ?? "");
  for (const model of ["claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-6"]) {
    assert.ok(bars.some((id) => id.includes(`/${model}|`)), `${model} has a bar; drawn: ${bars.join(", ")}`);
  }
  const caption = /<figcaption class="note" data-caption>([^<]*)<\/figcaption>/.exec(chart)?.[1] ?? "";
  assert.match(caption, new RegExp(`^${bars.length} of \\d+ options shown: the 16 cheapest and the cheapest of each other model \\(claude-opus-4-6\\); the rest are in the table below\\.$`));
});

/** Each drawn line of each volume chart: segment, label (from its legend) and stroke. */
function linesOf(page: string): { segment: string; label: string; stroke: string; dash: string }[] {
  return [...page.matchAll(/<section data-segment="([^"]*)">[^]*?<\/section>/g)].flatMap((section) => {
    const chart = /<svg data-chart="cost-vs-volume"[^]*?<\/svg>/.exec(section[0])?.[0] ?? "";
    return [...chart.matchAll(/<g data-legend="[^"]*"><line [^>]*stroke="([^"]*)" stroke-width="3"(?: stroke-dasharray="([^"]*)")?\/><text [^>]*>([^<]*)</g)].map((match) => ({
      segment: section[1] ?? "",
      label: match[3] ?? "",
      stroke: match[1] ?? "",
      dash: match[2] ?? "",
    }));
  });
}

test("a deployment keeps its colour and dash across segments, wherever it comes in each chart's list", () => {
  // In "open" Bedrock's global route is the second line (after the Claude API's, 5% cheaper with
  // the discount, so the two are not within 1% and both are drawn); in "bedrock-only" the first.
  const page = html(`name: w
discounts:
  anthropic_percent: 5
segments:
  - name: open
    requests_per_month: 10000
    input_tokens: 2000
    output_tokens: 300
    models: [claude-sonnet-4-6]
  - name: bedrock-only
    requests_per_month: 10000
    input_tokens: 2000
    output_tokens: 300
    models: [claude-sonnet-4-6]
    constraints: { providers: [bedrock] }
`);
  const lines = linesOf(page);
  const shared = lines.filter((line) => line.label === "bedrock/global claude-sonnet-4-6");
  assert.deepEqual(shared.map((line) => line.segment), ["open", "bedrock-only"]);
  const [open, bedrockOnly] = shared;
  const inOpen = lines.filter((line) => line.segment === "open");
  assert.ok(inOpen.indexOf(open as (typeof inOpen)[number]) > 0, "not the first line in 'open'");
  assert.equal(lines.filter((line) => line.segment === "bedrock-only")[0], bedrockOnly, "the first line in 'bedrock-only'");
  assert.equal(bedrockOnly?.stroke, open?.stroke);
  assert.equal(bedrockOnly?.dash, open?.dash);
  // And no two names share a style.
  const styles = new Map(lines.map((line) => [line.label, `${line.stroke} ${line.dash}`]));
  assert.equal(new Set(styles.values()).size, styles.size);
});

test("no line has a marker's colour, nor one close to it: every series colour is 25+ apart (CIELAB) from the markers and from each other", () => {
  for (const colour of SERIES_PALETTE) {
    for (const [kind, marker] of Object.entries(MARKER_COLOURS)) assert.ok(labDistance(colour, marker) >= 25, `${colour} vs the ${kind} marker ${marker}`);
    for (const other of SERIES_PALETTE.filter((candidate) => candidate !== colour)) assert.ok(labDistance(colour, other) >= 25, `${colour} vs ${other}`);
  }
  const names = Array.from({ length: 60 }, (_, index) => `series ${index}`);
  const styles = [...seriesStyles(names).values()];
  assert.equal(new Set(styles.map((style) => `${style.colour} ${style.dash}`)).size, 60, "sixty names, sixty styles");
  // Eight lines: three providers' cheapest routes and five self-hosting entries (the seventh line was the marker's red).
  const entries = [1, 2, 3, 4, 5].map((index) => `  - { name: pool-${index}, model: my-model, gpu_usd_per_hour: ${index}, tokens_per_second: 2000 }`).join("\n");
  const page = html(THREE_MODELS("any").replace("claude-opus-4-6]", "claude-opus-4-6, my-model]") + `self_host:\n${entries}\n`);
  assert.ok(linesOf(page).length >= 7, `${linesOf(page).length} lines`);
  assert.match(page, new RegExp(`svg \\.marker\\.break_even\\{stroke:${MARKER_COLOURS.break_even}\\}`));
  for (const line of linesOf(page)) assert.ok(!Object.values(MARKER_COLOURS).includes(line.stroke as never), `${line.label} is drawn ${line.stroke}`);
});
