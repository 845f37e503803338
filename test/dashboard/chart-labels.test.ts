/**
 * Chart legends and bar labels in real Chromium (Debian's /usr/bin/chromium, whose DejaVu Sans is
 * wider than most fonts): with long group names on the Spend page and long series names on a line
 * chart, every legend entry and bar label lies inside its chart, none overlaps another, and each
 * reads whole and exactly as it is ("team_a", not "team a"), or, if wider than a whole row, shortened
 * in the middle with the whole as its tooltip.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import type { DashboardContext } from "../../src/dashboard/context.js";
import { budgetsPage } from "../../src/dashboard/pages/budgets-page.js";
import { spendPage } from "../../src/dashboard/pages/spend-page.js";
import { DASHBOARD_CSS } from "../../src/dashboard/style.js";
import type { ApiKeyRecord, SpendGroup } from "../../src/ledger/ledger.js";
import { lineChart } from "../../src/planner/report/svg-charts.js";
import { launchChromium, skipWithoutChromium as skip } from "../helpers/chromium.js";
import { spendGroup } from "./spend-group.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const DAY = new Date(NOW).toISOString().slice(0, 10);
const LONG_NAMES = [
  "payments-reconciliation-nightly-batch",
  "payments-reconciliation-nightly-retry",
  "customer-support-escalations-eu-west",
  "fraud-screening-realtime-card-not-present",
  "marketing-copy-generation-emea",
  "internal-knowledge-base-answering",
  "team_a",
  "a-name-far-too-long-for-any-legend-row-".repeat(4) + "end",
];

function group(tag: string, cost: string): SpendGroup {
  return spendGroup({ day: DAY, tag }, { cost_usd: cost, charged_usd: cost, input_tokens: 1, output_tokens: 1 });
}

function contextWith(groups: SpendGroup[]): DashboardContext {
  return {
    state: { now: () => NOW, store: { spend: async () => groups, recent: async () => [{ tags: { job: "x" } }] } },
    keys: { list: async () => [] },
  } as unknown as DashboardContext;
}

interface Box {
  name: string;
  text: string;
  title: string | null;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Each legend entry (swatch and text) or bar label of the chart, as drawn, in the SVG's own units. */
async function boxes(page: Page, chart: string, selector: string): Promise<Box[]> {
  return page.locator(`svg[data-chart="${chart}"]`).evaluate((svg, selector) => {
    return [...svg.querySelectorAll(selector)].map((element) => {
      const box = (element as unknown as { getBBox(): { x: number; y: number; width: number; height: number } }).getBBox();
      const text = element.tagName === "text" ? element : element.querySelector("text");
      const title = text?.querySelector("title");
      return {
        name: element.getAttribute("data-legend") ?? "",
        text: [...(text?.childNodes ?? [])].filter((node) => node.nodeType === 3).map((node) => node.textContent).join(""),
        title: title ? title.textContent : null,
        left: box.x,
        right: box.x + box.width,
        top: box.y,
        bottom: box.y + box.height,
      };
    });
  }, selector);
}

/** The chart's other texts (titles, ticks, the axis's label, values), which no legend entry may cover. */
async function otherTexts(page: Page, chart: string): Promise<Box[]> {
  return boxes(page, chart, ":scope > text, g[data-bar] > text, g[data-stack] > text");
}

function overlap(box: Box, other: Box): boolean {
  return !(box.right <= other.left || other.right <= box.left || box.bottom <= other.top || other.bottom <= box.top);
}

function assertReadable(found: Box[], width: number, what: string, full: (box: Box) => string, others: Box[] = []): void {
  assert.ok(found.length > 0, `${what}: drawn`);
  for (const box of found) {
    assert.ok(box.left >= 0 && box.right <= width, `${what} "${box.text}" lies inside the chart (${box.left.toFixed(1)}..${box.right.toFixed(1)} of 0..${width})`);
    if (box.title === null) assert.equal(box.text, full(box), `${what}: whole, not cut`);
    else {
      assert.equal(box.title, full(box), `${what}: the whole name is the tooltip`);
      assert.match(box.text, /^.+….+$/, `${what}: shortened in the middle, keeping both ends`);
    }
  }
  for (const [index, box] of found.entries()) {
    for (const other of [...found.slice(index + 1), ...others]) assert.ok(!overlap(box, other), `${what}: "${box.text}" and "${other.text}" do not overlap`);
  }
}

let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  if (skip) return;
  await browser?.close();
});

describe("chart labels in Chromium", { skip }, () => {
  test("the Spend page's legend and bars name each group whole (a name wider than a row: both ends, and a tooltip)", async () => {
    const groups = LONG_NAMES.map((name, index) => group(name, `0.0${9 - index}`));
    const { body } = await spendPage(contextWith(groups), { by: "tag", tag: "job", days: "1" });
    await page.setContent(`<!doctype html><html><head><style>${DASHBOARD_CSS}</style></head><body><main>${body}</main></body></html>`);
    const legend = await boxes(page, "spend-over-time", "g[data-legend]");
    assert.deepEqual(legend.map((box) => box.name), LONG_NAMES, "a legend line per series, in order of size, under its whole name");
    assertReadable(legend, 900, "legend entry", (box) => box.name, await otherTexts(page, "spend-over-time"));
    const labels = await boxes(page, "spend-by-tag", "g[data-bar] > text:first-child");
    assertReadable(labels, 900, "bar label", (box) => box.title ?? box.text);
    assert.deepEqual(
      labels.map((box) => box.title ?? box.text),
      LONG_NAMES,
      "every bar's label is its group's whole name, shown or as its tooltip",
    );
    assert.equal(labels.filter((box) => box.title !== null).length, 1, "only the name wider than the label column is shortened");
  });

  test("a line chart's legend flows onto as many rows as its names need, clear of the axis's label", async () => {
    const long = LONG_NAMES.slice(0, 6).map((name) => `${name} claude-sonnet-4-6 (batch)`);
    // A budget's burn-down: three short names fill the first row up to the axis's label.
    const short = ["spent so far $0.003238", "straight-line projection ≈ $0.03 (its rate from its creation on the 23rd)", "budget $0.02"];
    for (const labels of [long, short]) {
      const lines = labels.map((label, index) => ({ id: `line-${index}`, label, colour: "#2563eb", points: [{ x: 0, y: index }, { x: 10, y: index + 1 }] }));
      const svg = lineChart("volume", "Monthly cost against monthly volume", lines, [], "day of the month (UTC)", "volume");
      await page.setContent(`<!doctype html><html><head><style>${DASHBOARD_CSS}</style></head><body><main><figure>${svg}</figure></main></body></html>`);
      const legend = await boxes(page, "volume", "g[data-legend]");
      const others = await otherTexts(page, "volume");
      assert.ok(others.some((box) => box.text === "day of the month (UTC)"), "the axis's label is among the texts checked");
      assertReadable(legend, 900, "legend entry", (box) => lines.find((line) => line.id === box.name)?.label ?? "", others);
    }
  });

  test("the budget-share chart: every text inside the chart, a key far over its budget too, and a dashed line at the budget (100 %)", async () => {
    const key = (id: string, budget: string): ApiKeyRecord => ({ id, name: id, prefix: "sk-sy-x", hash: "0".repeat(64), allowed_models: [], tags: {}, monthly_budget_usd: budget, created_at: 0, revoked_at: null });
    const keys = [key("eve", "0.0000001"), key("at_budget", "1"), key("team_a_app", "5")];
    const spent = { eve: "0.00162", at_budget: "1", team_a_app: "0.53791855" };
    const groups = Object.entries(spent).map(([id, cost]) => spendGroup({ key: id, day: DAY }, { cost_usd: cost, charged_usd: cost }));
    const context = { state: { now: () => NOW, store: { spend: async () => groups } }, keys: { list: async () => keys } } as unknown as DashboardContext;
    const { body } = await budgetsPage(context);
    await page.setContent(`<!doctype html><html><head><style>${DASHBOARD_CSS}</style></head><body><main>${body}</main></body></html>`);
    const texts = await boxes(page, "budget-used", "text");
    assert.ok(texts.some((box) => box.text === "$0.00162 of $0.0000001 (1620000.0%)"), "the note of the key 16,200 times over its budget");
    for (const box of texts) assert.ok(box.left >= 0 && box.right <= 900, `"${box.text}" lies inside the chart (${box.left.toFixed(1)}..${box.right.toFixed(1)} of 0..900)`);
    const labels = await boxes(page, "budget-used", "g[data-legend], g[data-marker] > text, g[data-stack] > text");
    for (const [index, box] of labels.entries()) for (const other of labels.slice(index + 1)) assert.ok(!overlap(box, other), `"${box.text}" and "${other.text}" do not overlap`);
    const geometry = await page.locator('svg[data-chart="budget-used"]').evaluate((svg) => {
      const number = (selector: string, attribute: string) => Number(svg.querySelector(selector)?.getAttribute(attribute));
      return {
        marker: number('g[data-marker="budget"] line', "x1"),
        start: number('g[data-stack="at_budget"] rect', "x"),
        atBudget: number('g[data-stack="at_budget"] rect', "width"),
        team: number('g[data-stack="team_a_app"] rect', "width"),
      };
    });
    assert.ok(Math.abs(geometry.start + geometry.atBudget - geometry.marker) < 0.2, `a key that spent its whole budget ends at the budget's line (${geometry.start + geometry.atBudget} against ${geometry.marker})`);
    assert.ok(Math.abs(geometry.team / geometry.atBudget - 0.1076) < 0.001, "10.8 % of the budget is drawn 10.8 % as long as the whole budget");
  });
});
