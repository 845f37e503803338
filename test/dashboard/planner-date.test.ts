/**
 * The planner form's date in real Chromium: whatever is typed reaches the server, which answers
 * with its own message beside the field. A `pattern` on the input made the browser refuse the
 * form with a generic tooltip of its own ("Please match the requested format"), so the message
 * that names the field and says what to write was never shown.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { registerDashboard } from "../../src/dashboard/register-dashboard.js";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";
import { launchChromium, skipWithoutChromium as skip } from "./chromium.js";

let harness: Harness;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  harness = await startHarness({ observe: (ledger) => ({ extraRoutes: (app, state) => registerDashboard(app, state, { keys: ledger.keys }) }) });
  browser = await launchChromium();
  // Signed in as a script is: the admin key on every request, the form's POST included.
  page = await browser.newPage({ extraHTTPHeaders: { authorization: `Bearer ${harness.adminKey}` } });
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await harness?.close();
});

describe("the planner form's date in Chromium", { skip }, () => {
  test("a date the server refuses is sent to it, and its message is shown beside the field", async () => {
    await page.goto(`${harness.gateway.url}/dashboard/planner`);
    const date = page.locator('input[name="at"]');
    await date.fill("tomorrow");
    assert.equal(await date.evaluate((input) => (input as unknown as { checkValidity(): boolean }).checkValidity()), true, "the browser does not block the form itself");
    await page.click('[data-action="plan"]');
    const problem = page.locator("#at-problems");
    await problem.waitFor({ timeout: 10_000 });
    assert.equal((await problem.innerText()).trim(), 'The date is written YYYY-MM-DD (such as 2026-01-31), or left empty; got "tomorrow".');
    assert.equal(await date.getAttribute("aria-describedby"), "at-problems");
    assert.equal(await date.inputValue(), "tomorrow", "the text stays in the field to fix");
  });
});
