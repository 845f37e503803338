/**
 * The planner form when nothing, or not everything, can be planned: a date with no prices is the
 * date's problem, said beside the field that set it (not a report of empty charts telling the
 * person to use the command line's --at); a workload nothing can serve gets no empty figures.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { exampleWorkload } from "../../src/dashboard/example-workload.js";
import { registerDashboard } from "../../src/dashboard/register-dashboard.js";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
const EXAMPLE = exampleWorkload().text;

/** Posts the planner form, signed in with the admin key: the status and the page's main. */
async function plan(workload: string, at: string): Promise<{ status: number; main: string }> {
  const response = await fetch(`${harness.gateway.url}/dashboard/planner`, {
    method: "POST",
    headers: { authorization: `Bearer ${harness.adminKey}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ workload, at }).toString(),
  });
  const html = await response.text();
  return { status: response.status, main: html.slice(html.indexOf("<main>"), html.indexOf("</main>")) };
}

before(async () => {
  harness = await startHarness({ observe: (ledger) => ({ extraRoutes: (app, state) => registerDashboard(app, state, { keys: ledger.keys }) }) });
});
after(async () => harness.close());

test("a date on which nothing has a price is the date's problem, said beside the date's field, with no report of empty charts", async () => {
  const { status, main } = await plan(EXAMPLE, "1999-01-01");
  assert.equal(status, 400);
  assert.match(
    main,
    /<span class="field-problem" id="at-problems" data-field-problems="at" role="alert">No deployment has a price for the workload's models on 1999-01-01: the catalog's prices for them start on \d{4}-\d{2}-\d{2}\. Choose another date in “prices in force on”, or leave it empty for the workload's at:, else today\.<\/span>/,
  );
  assert.match(main, /<input type="text" name="at" value="1999-01-01"[^>]* aria-invalid="true" aria-describedby="at-problems">/);
  assert.match(main, /The date has a problem, shown with it\./);
  assert.doesNotMatch(main, /<figure|data-plan=|--at|No deployment satisfies/, "no report: every option would give the same reason");
});

test("the workload's own at: with no prices is the workload's problem, and says the form's date comes first", async () => {
  const { status, main } = await plan(EXAMPLE.replace(/^at: .*$/m, "at: 1999-01-01"), "");
  assert.equal(status, 400);
  assert.match(main, /data-field-problems="workload"[^]*?<li>Its at: 1999-01-01 is a day with no prices: no deployment has a price for the workload's models on 1999-01-01[^<]*Change at: in the workload, or give a date in “prices in force on” \(that comes first\)\.<\/li>/);
});

test("options a date leaves unpriced, beside others it prices, are advised in words for the form as for the command line (no --at)", async () => {
  // Claude Platform on AWS is priced from 2026-04-21; the Anthropic API and Bedrock earlier.
  const { status, main } = await plan(EXAMPLE, "2026-01-01");
  assert.equal(status, 200);
  assert.match(main, /data-plan="support-tickets-haiku"/);
  assert.ok(main.includes(`no price on 2026-01-01`), "some option has no price that day");
  assert.ok(main.includes("plan for a date on which it has a price"));
  assert.doesNotMatch(main, /--at/);
});

test("a workload no deployment can serve gets no empty figures: each figure left holds a drawn chart", async () => {
  const govcloud = EXAMPLE.replace("models: [claude-haiku-4-5]", "models: [claude-opus-4-7]").replace(/^ *consider_models: .*\n/m, "").replace("residency: any", "residency: govcloud");
  const { status, main } = await plan(govcloud, "");
  assert.equal(status, 200);
  assert.match(main, /No deployment satisfies this segment's constraints/);
  const figures = main.match(/<figure>[^]*?<\/figure>/g) ?? [];
  assert.ok(figures.length >= 1, "the cost per option, hatched");
  for (const figure of figures) assert.match(figure, /data-(?:bar|stack|series)="/, "a figure with something drawn in it");
  assert.doesNotMatch(main, /<figure><\/figure>/);
});

test("every column of the report's tables has a header: the levers' applied or not is 'in the recommendation'", async () => {
  const { status, main } = await plan(EXAMPLE, "");
  assert.equal(status, 200);
  assert.match(main, /<th>saving\/month<\/th><th>in the recommendation<\/th>/);
  assert.doesNotMatch(main, /<th><\/th>/);
});
