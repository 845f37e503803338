/**
 * The dashboard on a phone (390 px wide) in Chromium: the navigation wraps and stays on the dark
 * header, nothing makes the page scroll sideways, chart text is drawn at a readable size (a chart
 * scrolls inside its card instead of shrinking), and the planner's tables scroll inside theirs.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import type { DashboardContext } from "../../src/dashboard/context.js";
import { exampleWorkload } from "../../src/dashboard/example-workload.js";
import { renderPage, type PageOptions } from "../../src/dashboard/layout.js";
import { budgetsPage } from "../../src/dashboard/pages/budgets-page.js";
import { plannerPage } from "../../src/dashboard/pages/planner-page.js";
import { spendPage } from "../../src/dashboard/pages/spend-page.js";
import { PlanRunner } from "../../src/dashboard/plan-runner.js";
import type { ApiKeyRecord, SpendGroup } from "../../src/ledger/ledger.js";
import { launchChromium, skipWithoutChromium as skip } from "../helpers/chromium.js";
import { spendGroup } from "./spend-group.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const PHONE = 390;

function key(id: string, name: string, budget: string | null): ApiKeyRecord {
  return { id, name, prefix: "sk-sy-x", hash: "0".repeat(64), allowed_models: [], tags: {}, monthly_budget_usd: budget, created_at: 0, revoked_at: null };
}

const KEYS = [key("key_a", "search-team", "5"), key("key_b", "support-bot", "0.02"), key("key_c", "data-pipeline", null)];

/** Three days of spend by provider and by key, the same groups whatever the page groups by. */
function groups(): SpendGroup[] {
  return ["2026-11-21", "2026-11-22", "2026-11-23"].flatMap((day) =>
    [
      ["anthropic", "key_a", "0.0123"],
      ["bedrock", "key_b", "0.004"],
      ["claude-platform-aws", "key_c", "0.0009"],
    ].map(([provider, keyId, cost]) => spendGroup({ day, provider: provider as string, key: keyId as string }, { cost_usd: cost as string, charged_usd: cost as string, input_tokens: 100, output_tokens: 20 })),
  );
}

function context(): DashboardContext {
  return {
    state: { now: () => NOW, store: { spend: async () => groups(), recent: async () => [] }, config: { deployments: new Map() } },
    keys: { list: async () => KEYS },
    exampleWorkload: exampleWorkload(),
  } as unknown as DashboardContext;
}

interface Layout {
  scrollWidth: number;
  header: { left: number; right: number; top: number; bottom: number; background: string };
  navigation: { text: string; left: number; right: number; top: number; bottom: number }[];
  /** Each chart text's rendered font size in px: its CSS size times the SVG's scale. */
  chartText: { text: string; px: number }[];
  tables: { wrapped: boolean; wrapRight: number; cardRight: number }[];
}

/** Run in the page (a string: the tests compile without the DOM's types). */
const MEASURE = `(() => {
  const box = (element) => element.getBoundingClientRect().toJSON();
  const header = document.querySelector("header.top");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    header: { ...box(header), background: getComputedStyle(header).backgroundColor },
    navigation: [...document.querySelectorAll("header.top nav a, header.top button")].map((element) => ({ text: element.textContent, ...box(element) })),
    chartText: [...document.querySelectorAll("svg text")].map((text) => {
      const svg = text.closest("svg");
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      return { text: text.textContent, px: parseFloat(getComputedStyle(text).fontSize) * scale };
    }),
    tables: [...document.querySelectorAll("main table")].map((table) => {
      const wrap = table.closest(".table-wrap");
      return { wrapped: wrap !== null, wrapRight: box(wrap ?? table).right, cardRight: box(table.closest(".panel")).right };
    }),
  };
})()`;

async function layoutOf(page: Page, options: PageOptions): Promise<Layout> {
  await page.setContent(renderPage(options, "test-nonce"));
  return page.evaluate(MEASURE) as Promise<Layout>;
}

function assertFitsAPhone(layout: Layout, page: string): void {
  assert.ok(layout.scrollWidth <= PHONE, `${page}: the page is ${layout.scrollWidth} px wide, no wider than the phone's ${PHONE}`);
  assert.equal(layout.navigation.length, 7, `${page}: six pages and "Sign out"`);
  for (const item of layout.navigation) {
    assert.ok(item.left >= 0 && item.right <= PHONE, `${page}: "${item.text}" is on screen (${item.left}..${item.right})`);
    assert.ok(item.top >= layout.header.top && item.bottom <= layout.header.bottom, `${page}: "${item.text}" sits on the dark header`);
  }
  assert.ok(layout.header.left <= 0 && layout.header.right >= PHONE, `${page}: the header spans the screen`);
  assert.equal(layout.header.background, "rgb(17, 24, 39)");
  const small = layout.chartText.filter((text) => text.px < 10);
  assert.deepEqual(small, [], `${page}: no chart text under 10 px`);
  for (const table of layout.tables) {
    assert.ok(table.wrapped, `${page}: every table scrolls inside a .table-wrap`);
    assert.ok(table.wrapRight <= table.cardRight, `${page}: the table's scroller ends inside its card (${table.wrapRight} <= ${table.cardRight})`);
  }
}

let browser: Browser;
let page: Page;
const planner = new PlanRunner();

before(async () => {
  if (skip) return;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: PHONE, height: 844 } });
});

after(async () => {
  await planner.close();
  if (skip) return;
  await browser?.close();
});

describe("the dashboard at 390 px", { skip }, () => {
  test("Spend (by provider and by key) and Budgets: navigation on screen, charts legible, tables inside their cards", async () => {
    for (const by of ["provider", "key"]) {
      const layout = await layoutOf(page, await spendPage(context(), { by, days: "7" }));
      assert.ok(layout.chartText.length > 10, "the charts were drawn");
      assertFitsAPhone(layout, `Spend by ${by}`);
    }
    assertFitsAPhone(await layoutOf(page, await budgetsPage(context())), "Budgets");
  });

  test("the planner's report: its options and levers tables scroll inside the report's card", async () => {
    const outcome = await planner.run(exampleWorkload().text, undefined);
    assert.equal(outcome.kind, "plan");
    const layout = await layoutOf(page, plannerPage(context(), undefined, outcome));
    assert.ok(layout.tables.length >= 2, "the options and the levers tables");
    assertFitsAPhone(layout, "Planner");
  });
});
