/**
 * The --html page in real Chromium: the three charts per segment are drawn, the figures are
 * there, nothing is fetched from the network, and a screenshot is kept in test-output/ for a
 * person to look at. Skipped, saying why, when /usr/bin/chromium is not installed
 * (apt-get install -y chromium).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { plan } from "../../src/planner/plan.js";
import { renderHtml } from "../../src/planner/report/html.js";
import { volumeCurves } from "../../src/planner/volume-curves.js";
import { loadWorkload } from "../../src/planner/workload-models.js";
import { launchChromium, skipWithoutChromium } from "../helpers/chromium.js";
import { REPO_ROOT } from "../helpers/paths.js";
import { AT, plannerCatalog, sonnetQuote } from "./planner-fixture.js";

const OUTPUT = resolve(REPO_ROOT, "test-output");

const WORKLOAD = `name: browser-check
description: Three segments; a provisioned-throughput quote and a self-hosting entry, each with its break-even point in view.
segments:
  - name: long-reports
    requests_per_month: 876000
    input_tokens: 10000
    output_tokens: 1000
    models: [claude-sonnet-4-6]
  - name: triage
    requests_per_month: 43800
    input_tokens: 100
    cached_prefix_tokens: 5000
    output_tokens: 100
    models: [claude-haiku-4-5, claude-sonnet-4-6]
  - name: llama-summaries
    requests_per_month: 1000000
    input_tokens: 500
    output_tokens: 500
    models: [llama-3-3-70b]
discounts: { aws_percent: 5 }
${sonnetQuote("sonnet-pt", "    segments: [long-reports]\n")}self_host:
  - name: h100
    model: llama-3-3-70b
    gpu_usd_per_hour: 1.99
    tokens_per_second: 850
    utilisation: 1
    residency: us
`;

test("the HTML report renders its charts and figures in Chromium", { skip: skipWithoutChromium }, async () => {
  const catalog = plannerCatalog();
  const resolved = loadWorkload(WORKLOAD, "browser-check.yaml", catalog);
  const planned = plan(catalog, resolved, { at: AT });
  mkdirSync(OUTPUT, { recursive: true });
  const page = resolve(OUTPUT, "plan-report.html");
  writeFileSync(page, renderHtml(planned, volumeCurves(catalog, resolved, planned)));

  const browser = await launchChromium();
  try {
    const tab = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requested: string[] = [];
    tab.on("request", (request) => requested.push(request.url()));
    await tab.goto(pathToFileURL(page).href);
    assert.deepEqual(requested.filter((url) => !url.startsWith("file:")), [], "the page fetches nothing from the network");

    for (const chart of ["cost-per-option", "cost-vs-volume", "breakdown"]) {
      const charts = tab.locator(`svg[data-chart="${chart}"]`);
      assert.equal(await charts.count(), 3, chart);
      for (let index = 0; index < 3; index += 1) {
        const box = await charts.nth(index).boundingBox();
        assert.ok(box && box.width > 600 && box.height > 100, `${chart} #${index} is drawn (${JSON.stringify(box)})`);
      }
    }
    // The recommended total: long-reports on 2 MUs (29,200 x 0.95 = 27,740) + triage on Bedrock global Haiku with
    // the 1h cache (48.1895 x 0.95 = 45.780025) + Llama on Bedrock (1M x 1,000 x 0.72 / 1e6 x 0.95 = 684) = 28,469.780025
    assert.equal((await tab.locator("[data-total-usd]").textContent())?.trim(), "$28,469.78/month");
    const section = tab.locator('section[data-segment="long-reports"]');
    assert.equal(await section.locator('g[data-bar*="provisioned"]').getAttribute("data-usd"), "$27,740.00");
    // Break-even for one MU: 14,600 x 0.95 = 13,870 <= 0.045 x 0.95 x V  ->  V >= 324,444.4 -> 324,445 requests
    assert.equal(await section.locator('g[data-marker="break_even"]').getAttribute("data-requests"), "324445");
    assert.equal(await section.locator('g[data-marker="current"]').getAttribute("data-requests"), "876000");
    const paths = await section.locator("svg[data-chart='cost-vs-volume'] path[data-series]").evaluateAll((nodes) => nodes.map((node) => node.getAttribute("d") ?? ""));
    assert.ok(paths.length >= 2 && paths.every((d) => d.split("L").length >= 20), "every series has its points");
    // Self-hosting breaks even when 1,452.70 (one H100 all month) <= 0.000684 x V -> V >= 2,123,830.4 -> 2,123,831
    const llama = tab.locator('section[data-segment="llama-summaries"]');
    assert.equal(await llama.locator('g[data-marker="break_even"]').getAttribute("data-requests"), "2123831");
    assert.equal(await llama.locator('g[data-bar*="self-host"]').getAttribute("data-usd"), "$1,452.70");
    const classes = await tab.locator('section[data-segment="triage"] svg[data-chart="breakdown"] rect[data-class]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-class")));
    for (const tokenClass of ["input", "cache_write_1h", "cache_read", "output"]) assert.ok(classes.includes(tokenClass), tokenClass);
    // Labels must stay inside their chart, on both sides.
    const clipped = await tab.locator("svg text").evaluateAll((nodes) =>
      nodes
        .filter((node) => {
          const box = (node as unknown as { getBBox(): { x: number; width: number } }).getBBox();
          return box.x < -1 || box.x + box.width > 901;
        })
        .map((node) => node.textContent),
    );
    assert.deepEqual(clipped, [], "no chart text runs outside its chart");
    await tab.screenshot({ path: resolve(OUTPUT, "plan-report.png"), fullPage: true });
    const figures = tab.locator("figure");
    for (let index = 0; index < (await figures.count()); index += 1) await figures.nth(index).screenshot({ path: resolve(OUTPUT, `plan-report-figure-${index}.png`) });
  } finally {
    await browser.close();
  }
});
