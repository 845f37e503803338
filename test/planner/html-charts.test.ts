/**
 * What the --html report's charts show (src/planner/report/html.ts): the cost chart says what it
 * leaves out and mentions hatching only when a bar is hatched.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCatalogChecked } from "../../src/catalog/files.js";
import type { Catalog } from "../../src/catalog/catalog.js";
import { plan } from "../../src/planner/plan.js";
import { renderHtml } from "../../src/planner/report/html.js";
import { volumeCurves } from "../../src/planner/volume-curves.js";
import { loadWorkload } from "../../src/planner/workload-models.js";
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
