/**
 * The dashboard in real Chromium (Debian's /usr/bin/chromium driven by playwright-core) against a
 * gateway that served seeded traffic through the emulators. Every page is loaded after signing in,
 * its figures are compared with the ledger's exact sums, a table is sorted, the planner form is
 * submitted with good and bad YAML, and each page is saved to test-output/dashboard/ for review.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { monthWindow } from "../../src/ledger/budget-window.js";
import { costOnEachDeployment } from "../../src/ledger/deployment-costs.js";
import { UsdSum } from "../../src/ledger/exact-sum.js";
import { keySpend, type SpendQuery } from "../../src/ledger/ledger.js";
import { plan } from "../../src/planner/plan.js";
import { dollars } from "../../src/planner/report/format.js";
import { loadWorkload } from "../../src/planner/workload-models.js";
import { formatUsd } from "../../src/pricing/money.js";
import { fromAnthropicUsage } from "../../src/pricing/normalize-usage.js";
import { quote } from "../../src/pricing/quote.js";
import { catalog } from "../helpers/gateway-harness.js";
import { REPO_ROOT } from "../helpers/paths.js";
import { exampleWorkload } from "../../src/dashboard/example-workload.js";
import { launchChromium, skipWithoutChromium as skip } from "../helpers/chromium.js";
import { startSeededGateway, type SeededGateway } from "./seeded-gateway.js";

const SCREENSHOTS = join(REPO_ROOT, "test-output", "dashboard");

let seeded: SeededGateway;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const foreignRequests: string[] = [];

/** "$1,234.5" from exact decimal text: the ledger's digits, grouped, never rounded. */
function exactDollars(text: string): string {
  const [whole = "0", fraction] = text.split(".");
  return `$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${fraction ? `.${fraction}` : ""}`;
}

const thirtyDays = () => {
  const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  return today - 29 * 86_400_000;
};

/** Saves the page for review, after checking it printed no JavaScript artefacts. */
async function shoot(name: string): Promise<void> {
  assert.doesNotMatch(await page.locator("main").innerText(), /\bNaN\b|\bundefined\b|Infinity|\[object /, `${name}: no JavaScript artefacts on the page`);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function cell(table: string, row: string, column: string): Promise<string> {
  return (await page.locator(`table[data-table="${table}"] tbody tr[data-row="${row}"] [data-col="${column}"]`).innerText()).trim();
}

async function rowIds(table: string): Promise<string[]> {
  return page.locator(`table[data-table="${table}"] tbody tr`).evaluateAll((rows) => rows.map((row) => row.getAttribute("data-row") ?? ""));
}

async function spend(query: SpendQuery) {
  await seeded.harness.ledger.writer.flush();
  return seeded.harness.ledger.store.spend(query);
}

before(async () => {
  if (skip) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  seeded = await startSeededGateway();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  page.on("request", (request) => {
    if (!request.url().startsWith(seeded.harness.gateway.url) && !request.url().startsWith("data:")) foreignRequests.push(request.url());
  });
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await seeded?.close();
});

describe("dashboard in Chromium", { skip }, () => {
  test("no access without the admin key; a wrong key says so; the right one sets an HttpOnly, SameSite=Strict cookie", async () => {
    const url = seeded.harness.gateway.url;
    const anonymous = await fetch(`${url}/dashboard/budgets`, { redirect: "manual" });
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get("location"), "/dashboard/login?next=%2Fdashboard%2Fbudgets");
    assert.equal((await fetch(`${url}/dashboard/budgets`, { redirect: "manual", headers: { authorization: `Bearer ${seeded.harness.key}` } })).status, 401, "a client key is not the admin key");
    const withBearer = await fetch(`${url}/dashboard/budgets`, { headers: { authorization: `Bearer ${seeded.harness.adminKey}` } });
    assert.equal(withBearer.status, 200, "scripts may send the admin key as a bearer token");
    assert.match(withBearer.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    const forged = await fetch(`${url}/dashboard`, { redirect: "manual", headers: { cookie: `switchyard_session=${Date.now() + 3_600_000}.forged` } });
    assert.equal(forged.status, 303, "a forged session cookie is refused");
    // Behind a proxy that ends TLS (X-Forwarded-Proto: https) the cookie is Secure; over plain HTTP it cannot be.
    const signIn = (headers: Record<string, string>) =>
      fetch(`${url}/dashboard/login`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams({ key: seeded.harness.adminKey, next: "/dashboard" }).toString() });
    assert.match((await signIn({ "x-forwarded-proto": "https" })).headers.get("set-cookie") ?? "", /;\s*Secure/i);
    assert.doesNotMatch((await signIn({})).headers.get("set-cookie") ?? "", /;\s*Secure/i);

    await page.goto(`${url}/dashboard`);
    assert.equal(new URL(page.url()).pathname, "/dashboard/login");
    await shoot("00-login");
    await page.fill("#key", "not-the-admin-key");
    await page.click('[data-action="sign-in"]');
    assert.match(await page.locator('[data-login-message="wrong_key"]').innerText(), /not the admin key/);
    await shoot("01-login-wrong-key");
    await page.fill("#key", seeded.harness.adminKey);
    await page.click('[data-action="sign-in"]');
    assert.equal(new URL(page.url()).pathname, "/dashboard");
    const cookie = (await context.cookies()).find((candidate) => candidate.name === "switchyard_session");
    assert.ok(cookie, "a session cookie is set");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "Strict");
    assert.equal(cookie.path, "/dashboard");
    assert.ok(!cookie.value.includes(seeded.harness.adminKey), "the cookie does not hold the key");
  });

  test("spend by provider, deployment, model, key and tag: every figure is the ledger's exact sum", async () => {
    const from = thirtyDays();
    const keys = new Map((await seeded.harness.ledger.keys.list()).map((key) => [key.id, key.name]));
    for (const by of ["provider", "deployment", "model", "key", "tag"] as const) {
      await page.goto(`${seeded.harness.gateway.url}/dashboard?by=${by}${by === "tag" ? "&tag=team" : ""}`);
      const groups = await spend({ from, group_by: [by], ...(by === "tag" ? { tag_key: "team" } : {}) });
      assert.ok(groups.length >= 2, `${by}: several groups`);
      const total = new UsdSum();
      for (const group of groups) {
        const id = group.group[by] ?? "(none)";
        total.add(group.cost_usd);
        assert.equal(await cell(`spend-by-${by}`, id, "cost_usd"), exactDollars(group.cost_usd), `${by}=${id} cost`);
        assert.equal(await cell(`spend-by-${by}`, id, "requests"), group.requests.toLocaleString("en-US"), `${by}=${id} requests`);
        assert.equal(await cell(`spend-by-${by}`, id, "cache_read_tokens"), group.cache_read_tokens.toLocaleString("en-US"));
        if (by === "key" && group.group.key) {
          // The table: the key's name and its id beneath; the chart: its name alone (the names are unique).
          assert.equal(await cell("spend-by-key", id, "group"), `${keys.get(group.group.key)}\n${group.group.key}`);
          assert.equal(await page.locator(`svg[data-chart="spend-by-key"] g[data-bar="${id}"] > text`).first().textContent(), keys.get(group.group.key));
        }
      }
      assert.equal((await page.locator('[data-figure="total-cost"] .figure').innerText()).trim(), exactDollars(total.toString()));
      assert.equal(await page.locator(`svg[data-chart="spend-by-${by}"] g[data-bar]`).count(), Math.min(groups.length, 16));
      assert.equal(await page.locator('svg[data-chart="spend-over-time"]').count(), 1);
      await shoot(`10-spend-by-${by}`);
    }
    const byProvider = await spend({ from, group_by: ["provider"] });
    const anthropic = byProvider.find((group) => group.group.provider === "anthropic");
    assert.ok(anthropic && Number(anthropic.cost_usd) > 0, "traffic reached the Anthropic API");
  });

  test("tables sort by clicking a header: money by its exact value, then the other way", async () => {
    await page.goto(`${seeded.harness.gateway.url}/dashboard?by=deployment`);
    const groups = await spend({ from: thirtyDays(), group_by: ["deployment"] });
    const exact = (text: string) => BigInt(`${text.split(".")[0]}${(text.split(".")[1] ?? "").padEnd(18, "0")}`);
    const byCost = [...groups].sort((a, b) => (exact(a.cost_usd) < exact(b.cost_usd) ? -1 : exact(a.cost_usd) > exact(b.cost_usd) ? 1 : 0)).map((group) => group.group.deployment ?? "(none)");
    const header = page.locator('table[data-table="spend-by-deployment"] th[data-col="cost_usd"] button');
    await header.click();
    assert.deepEqual(await rowIds("spend-by-deployment"), [...byCost].reverse(), "first click: largest first");
    assert.equal(await page.locator('table[data-table="spend-by-deployment"] th[data-col="cost_usd"]').getAttribute("aria-sort"), "descending");
    await header.click();
    assert.deepEqual(await rowIds("spend-by-deployment"), byCost, "second click: smallest first");
    await page.locator('table[data-table="spend-by-deployment"] th[data-col="group"] button').click();
    assert.deepEqual(await rowIds("spend-by-deployment"), [...byCost].sort(), "text columns sort A to Z");
    assert.equal(await page.locator('table[data-table="spend-by-deployment"] tfoot tr[data-row="total"]').count(), 1, "the total row stays in the footer");
  });

  test("savings: the same traffic on each deployment from the shadow costs, and what caching saved (priced by the engine)", async () => {
    await page.goto(`${seeded.harness.gateway.url}/dashboard/savings`);
    const from = thirtyDays();
    const byModel = await spend({ from, group_by: ["requested_model"] });
    const byModelAndDeployment = await spend({ from, group_by: ["requested_model", "deployment"] });
    const onEach = costOnEachDeployment(["requested_model"], byModel, byModelAndDeployment);
    let compared = 0;
    for (const [index, group] of byModel.entries()) {
      for (const [deployment, amount] of Object.entries(onEach[index] ?? {})) {
        assert.equal(await cell("shadow-costs", `${group.group.requested_model}|${deployment}`, "cost"), exactDollars(amount));
        compared += 1;
      }
    }
    assert.ok(compared >= 4, "Sonnet traffic is priced on both Sonnet deployments");
    assert.ok((await page.locator('svg[data-chart^="shadow-"]').count()) >= 1, "a chart per requested model with alternatives");

    // Independently: each row's cache reads priced as input minus priced as reads, by the engine.
    const saved = new Map<string, bigint>();
    const today = new Date().toISOString().slice(0, 10);
    for (const row of await seeded.rows()) {
      if (!row.cache_read_tokens || !row.deployment) continue;
      const deployment = seeded.harness.gateway.state.config.deployments.get(row.deployment);
      assert.ok(deployment);
      const price = (usage: object) =>
        quote(catalog(), { model: deployment.model.id, provider: deployment.provider.kind, route: deployment.route, at: today, usage: fromAnthropicUsage(usage).usage }).result.total;
      const asInput = price({ input_tokens: row.cache_read_tokens, output_tokens: 0 });
      const asReads = price({ input_tokens: 0, output_tokens: 0, cache_read_input_tokens: row.cache_read_tokens });
      saved.set(row.deployment, (saved.get(row.deployment) ?? 0n) + asInput - asReads);
    }
    assert.ok(saved.size >= 2, "both cached prompts were read back");
    for (const [deployment, amount] of saved) assert.equal(await cell("cache-savings", deployment, "saved"), exactDollars(formatUsd(amount)), `${deployment} saved`);
    await shoot("20-savings");
  });

  test("cache: hit rates per deployment from the ledger's token sums", async () => {
    await page.goto(`${seeded.harness.gateway.url}/dashboard/cache`);
    const groups = (await spend({ from: thirtyDays(), group_by: ["deployment"] })).filter((group) => group.group.deployment);
    let reads = 0;
    let all = 0;
    for (const group of groups) {
      const input = group.input_tokens + group.cache_write_tokens + group.cache_read_tokens;
      reads += group.cache_read_tokens;
      all += input;
      const expected = input === 0 ? "–" : `${((group.cache_read_tokens / input) * 100).toFixed(1)}%`;
      assert.equal(await cell("cache-by-deployment", group.group.deployment as string, "hit_rate"), expected);
    }
    assert.equal((await page.locator('[data-figure="hit-rate"] .figure').innerText()).trim(), `${((reads / all) * 100).toFixed(1)}%`);
    assert.ok(reads > 0);
    // The views count the same requests: the spent budget's 429 and the unknown model's 404 in none of them.
    const served = groups.reduce((sum, group) => sum + group.requests, 0);
    for (const table of ["cache-by-deployment", "cache-by-model", "cache-by-key"]) {
      assert.equal((await page.locator(`table[data-table="${table}"] tfoot [data-col="requests"]`).innerText()).trim(), String(served), `${table}: its total`);
    }
    await shoot("30-cache");
  });

  test("latency: live percentiles and circuit state from the health book, beside the catalog's figures", async () => {
    await page.goto(`${seeded.harness.gateway.url}/dashboard/latency`);
    const { state } = seeded.harness.gateway;
    const snapshot = state.health.snapshot();
    for (const deployment of state.config.deployments.values()) {
      assert.equal(await cell("latency", deployment.id, "samples"), String(snapshot.get(deployment.id)?.samples ?? 0));
      const listed = deployment.offering.latency[0];
      const ms = (value: number) => (value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1));
      if (listed) assert.match(await cell("latency", deployment.id, "catalog_ttft"), new RegExp(`^${ms(listed.ttft_p50_ms)} / ${ms(listed.ttft_p99_ms)} ms \\[\\d\\]`));
      else assert.equal(await cell("latency", deployment.id, "catalog_ttft"), "not in the catalog");
    }
    assert.match(await cell("latency", "anthropic-sonnet", "state"), /^open/);
    assert.match(await cell("latency", "bedrock-sonnet-us", "state"), /^closed/);
    assert.equal((await page.locator('[data-figure="circuits-not-closed"] .figure').innerText()).trim(), "1");
    assert.equal((await page.locator('[data-figure="shared-state"] .figure').innerText()).trim(), "per replica", "no redis section: nothing shared");
    await shoot("40-latency");
  });

  test("budgets: month-to-date spend per key, exact; the spent budget is flagged; a burn-down per budgeted key", async () => {
    await page.goto(`${seeded.harness.gateway.url}/dashboard/budgets`);
    const { from } = monthWindow(Date.now());
    for (const id of Object.values(seeded.keys)) {
      assert.equal(await cell("budgets", id, "spent"), exactDollars(await keySpend(seeded.harness.ledger.store, id, from)));
    }
    assert.match(await cell("budgets", seeded.keys.tiny, "status"), /budget spent/);
    assert.equal(await cell("budgets", seeded.keys.data, "budget"), "–");
    assert.equal(await page.locator('svg[data-chart^="burn-down-"]').count(), 3, "three keys have budgets");
    const projected = page.locator(`table[data-table="budgets"] tr[data-row="${seeded.keys.support}"] [data-col="projected"]`);
    assert.match((await projected.getAttribute("title")) ?? "", /^a straight-line estimate, not a sum: about \$\d+\.\d{6}$/, "the rounded projection says it is an estimate, to the micro-dollar");
    await shoot("50-budgets");
  });

  test("planner: the example workload plans with the planner's charts; bad YAML names the field and line", async () => {
    await page.goto(`${seeded.harness.gateway.url}/dashboard/planner`);
    const example = exampleWorkload();
    assert.equal(await page.inputValue("#workload"), example.text, "prefilled from examples/workloads/");
    await shoot("60-planner-form");
    await page.click('[data-action="plan"]');
    await page.locator("section[data-plan]").waitFor({ timeout: 30_000 });
    const resolved = loadWorkload(example.text, "workload.yaml", catalog());
    const expected = plan(catalog(), resolved, { at: resolved.workload.at ?? new Date().toISOString().slice(0, 10) });
    assert.equal((await page.locator("[data-total-usd]").innerText()).trim(), `${dollars(expected.recommendation.monthly)}/month`);
    assert.ok((await page.locator('section[data-plan] svg[data-chart="cost-per-option"]').count()) >= 1);
    assert.ok((await page.locator('section[data-plan] svg[data-chart="breakdown"]').count()) >= 1);
    await shoot("61-planner-result");

    const typo = example.text.replace("requests_per_month:", "requests_per_mnth:");
    await page.fill("#workload", typo);
    await page.click('[data-action="plan"]');
    // The unknown key is reported at its own line, with the key it is a letter from.
    const keyLine = typo.split("\n").findIndex((candidate) => candidate.includes("requests_per_mnth:")) + 1;
    const issue = page.locator('[data-field-problems="workload"] li', { hasText: "requests_per_mnth" });
    assert.equal(await issue.getAttribute("data-issue-line"), String(keyLine));
    assert.equal(await issue.getAttribute("data-issue-path"), "segments.0");
    assert.match(await issue.innerText(), new RegExp(`^line ${keyLine} · segments\\.0: Unrecognized key: "requests_per_mnth" \\(did you mean "requests_per_month"\\?\\)`));
    assert.equal(await page.inputValue("#workload"), typo, "the text stays in the form to fix");
    await shoot("62-planner-bad-field");

    // Every field's problems at once, each with its field: the workload's typo and a day the calendar lacks.
    await page.fill('input[name="at"]', "2026-02-31");
    await page.click('[data-action="plan"]');
    const workloadIssues = await page.locator("#workload-problems li").count();
    assert.ok(workloadIssues >= 1);
    assert.equal((await page.locator("[data-plan-error]").innerText()).trim(), `The form has ${workloadIssues + 1} problems, each shown with its field: ${workloadIssues} in the workload, 1 in the date.`);
    assert.equal(await page.locator("#workload").getAttribute("aria-describedby"), "workload-problems");
    assert.match(await page.locator("#workload-problems").innerText(), /Unrecognized key: "requests_per_mnth"/);
    assert.equal(await page.locator('input[name="at"]').getAttribute("aria-describedby"), "at-problems");
    assert.match(await page.locator("#at-problems").innerText(), /2026-02-31 is not a day of the calendar/);
    await shoot("63-planner-two-fields");
    // Text that is no date at all reaches the server too: the field has no pattern, so the browser
    // does not refuse the form with a generic tooltip of its own, and the server's message is shown.
    const date = page.locator('input[name="at"]');
    await date.fill("tomorrow");
    assert.equal(await date.evaluate((input) => (input as unknown as { checkValidity(): boolean }).checkValidity()), true, "the browser does not block the form itself");
    await page.click('[data-action="plan"]');
    const notADate = page.locator("#at-problems", { hasText: "tomorrow" });
    await notADate.waitFor({ timeout: 10_000 });
    assert.equal((await notADate.innerText()).trim(), 'The date is written YYYY-MM-DD (such as 2026-01-31), or left empty; got "tomorrow".');
    assert.equal(await date.inputValue(), "tomorrow", "the text stays in the field to fix");
    await date.fill("");

    await page.fill("#workload", "name: broken\nsegments: [\n");
    await page.click('[data-action="plan"]');
    assert.match(await page.locator('[data-field-problems="workload"]').innerText(), /line \d+/);
    assert.match(await page.locator('[data-field-problems="workload"]').innerText(), /not valid YAML/);
    await shoot("64-planner-not-yaml");
  });

  test("every page loaded only from the gateway (no CDN); signing out ends the session", async () => {
    assert.deepEqual(foreignRequests, []);
    await page.goto(`${seeded.harness.gateway.url}/dashboard`);
    await page.click('[data-action="logout"]');
    assert.equal(new URL(page.url()).pathname, "/dashboard/login");
    await page.goto(`${seeded.harness.gateway.url}/dashboard/latency`);
    assert.equal(new URL(page.url()).pathname, "/dashboard/login");
  });
});
