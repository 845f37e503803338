/**
 * A fresh gateway with an empty ledger: every page renders (no division by zero, no missing
 * groups), and the forms answer without a browser.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { registerDashboard } from "../../src/dashboard/register-dashboard.js";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${harness.gateway.url}${path}`, { redirect: "manual", headers: { authorization: `Bearer ${harness.adminKey}`, ...headers } });
/** Posts the planner form, signed in with the admin key. */
const post = (body: Record<string, string>) =>
  fetch(`${harness.gateway.url}/dashboard/planner`, {
    method: "POST",
    headers: { authorization: `Bearer ${harness.adminKey}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body).toString(),
  });

before(async () => {
  harness = await startHarness({ observe: (ledger) => ({ extraRoutes: (app, state) => registerDashboard(app, state, { keys: ledger.keys }) }) });
});
after(async () => harness.close());

test("every page renders on an empty ledger", async () => {
  for (const path of ["/dashboard", "/dashboard?by=model&days=1", "/dashboard?by=key&days=7", "/dashboard?by=tag", "/dashboard/savings?days=90", "/dashboard/cache", "/dashboard/latency", "/dashboard/budgets", "/dashboard/planner"]) {
    const response = await get(path);
    assert.equal(response.status, 200, path);
    const html = await response.text();
    assert.match(html, /^<!doctype html>/, path);
    const main = html.slice(html.indexOf("<main>"), html.indexOf("</main>"));
    assert.doesNotMatch(main, /NaN|undefined|Infinity|null/, `${path} prints no JavaScript artefacts`);
  }
  assert.match(await (await get("/dashboard")).text(), /No requests in this period\./);
  assert.match(await (await get("/dashboard?by=tag")).text(), /No tags yet/);
});

test("a dashboard URL that names no page gets the dashboard's 404 page, signed in; signed out, the sign-in form", async () => {
  const response = await get("/dashboard/nonexistent?x=1");
  assert.equal(response.status, 404);
  assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
  const html = await response.text();
  assert.match(html, /<nav>[^]*data-nav="budgets"/, "with the navigation");
  assert.match(html, /<div class="error-box" role="alert" data-not-found>There is no dashboard page at <code>\/dashboard\/nonexistent<\/code>\.<\/div>/);
  assert.doesNotMatch(html, /not_found_error/, "not the API's JSON error");
  const signedOut = await fetch(`${harness.gateway.url}/dashboard/nonexistent`, { redirect: "manual" });
  assert.equal(signedOut.status, 303, "nothing is said of what exists before signing in");
  assert.equal(signedOut.headers.get("location"), "/dashboard/login?next=%2Fdashboard%2Fnonexistent");
});

test("a script that sends a key which is not the admin key gets a 401, not the sign-in form's redirect", async () => {
  for (const headers of [{ authorization: `Bearer ${harness.key}` }, { "x-api-key": "not-the-admin-key" }] as Record<string, string>[]) {
    const response = await fetch(`${harness.gateway.url}/dashboard/budgets`, { redirect: "manual", headers });
    assert.equal(response.status, 401, Object.keys(headers)[0]);
    assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="switchyard dashboard"');
    assert.match(await response.text(), /data-login-message="wrong_key">That is not the admin key/);
  }
  const browser = await fetch(`${harness.gateway.url}/dashboard/budgets`, { redirect: "manual" });
  assert.equal(browser.status, 303, "a browser with no key still goes to the form");
});

test("a bad range or dimension falls back to the defaults; unknown query parameters are ignored", async () => {
  const html = await (await get("/dashboard?days=12345&by=%3Cscript%3E&tag=%3Cb%3E")).text();
  assert.match(html, /data-by="provider" aria-current="true"/);
  assert.match(html, /data-range="30" aria-current="true"/);
  assert.doesNotMatch(html, /<script>|<b>/);
  assert.match(html, /<span class="note" role="status" data-range-refused>days=12345 is not a period offered here: showing 30 days \(choose 1, 7, 30 or 90\)\.<\/span>/, "not silently");
  assert.doesNotMatch(await (await get("/dashboard?days=7")).text(), /data-range-refused/);
});

test("the navigation keeps the chosen period on the pages that show one", async () => {
  for (const path of ["/dashboard?days=7&by=key", "/dashboard/savings?days=7", "/dashboard/cache?days=7"]) {
    const html = await (await get(path)).text();
    const links = Object.fromEntries([...html.matchAll(/<a href="([^"]+)" data-nav="(\w+)"/g)].map((match) => [match[2], match[1]]));
    assert.deepEqual(links, { spend: "/dashboard?days=7", savings: "/dashboard/savings?days=7", cache: "/dashboard/cache?days=7", latency: "/dashboard/latency", budgets: "/dashboard/budgets", planner: "/dashboard/planner" }, path);
  }
  assert.match(await (await get("/dashboard/cache")).text(), /<a href="\/dashboard\/savings" data-nav="savings"/, "the default period is not written");
});

test("the planner form answers a bad date and an empty workload with 400 and says what to fix", async () => {
  const empty = await post({ workload: "  ", at: "" });
  assert.equal(empty.status, 400);
  assert.match(await empty.text(), /Enter a workload/);
  const badDate = await post({ workload: "name: x\nsegments: []\n", at: "tomorrow" });
  assert.equal(badDate.status, 400);
  assert.match(await badDate.text(), /The date is written YYYY-MM-DD \(such as 2026-01-31\), or left empty; got &quot;tomorrow&quot;/);
  const noSuchDay = await post({ workload: "name: x\nsegments: []\n", at: "2026-02-31" });
  assert.equal(noSuchDay.status, 400);
  assert.match(await noSuchDay.text(), /2026-02-31 is not a day of the calendar/);
  const huge = await post({ workload: "#".repeat(300 * 1024), at: "" });
  assert.equal(huge.status, 413);
  // The limit is the workload's own size, not its URL encoding's (a browser sends CRLF and colons as %0D%0A, %3A).
  const plain = await post({ workload: "a".repeat(300 * 1024), at: "" });
  assert.equal(plain.status, 413, "300 KB decoded is over the limit");
  const encodedLarge = await post({ workload: `${"# a: b\r\n".repeat(25_000)}name: x\r\nsegments: []\r\n`, at: "" });
  assert.notEqual(encodedLarge.status, 413, "about 200 KB of YAML, over 256 KB encoded, is within it");
  assert.match(await encodedLarge.text(), /segments/);
});

test("the planner form shows every field's problems at once, each with its field: the workload's issues of every kind with the date's", async () => {
  const workloadProblems = (html: string) => [...(/data-field-problems="workload">([^]*?)<\/ul><\/div>/.exec(html)?.[1] ?? "").matchAll(/(<li[^>]*>.*?)(?=<li|$)/g)].map((match) => match[1] ?? "");
  const dateProblem = (html: string) => /<span class="field-problem" id="at-problems" data-field-problems="at"[^>]*>([^<]*)<\/span>/.exec(html)?.[1];

  const both = await post({ workload: " ", at: "tomorrow" });
  assert.equal(both.status, 400);
  const bothHtml = await both.text();
  assert.match(bothHtml, /data-plan-error>The form has 2 problems, each shown with its field: 1 in the workload, 1 in the date\./);
  assert.match(workloadProblems(bothHtml).join(), /Enter a workload/);
  assert.equal(dateProblem(bothHtml), "The date is written YYYY-MM-DD (such as 2026-01-31), or left empty; got &quot;tomorrow&quot;.");
  assert.match(bothHtml, /<textarea id="workload"[^>]* aria-invalid="true" aria-describedby="workload-problems">/);
  assert.match(bothHtml, /<input type="text" name="at"[^>]* aria-invalid="true" aria-describedby="at-problems">/);

  // A workload the form itself accepts is checked by the planner: its issues come with the date's.
  const schema = "name: x\nsegments:\n  - name: a\n    requests_per_mnth: 10\n    input_tokens: 5\n    output_tokens: -2\n    models: [claude-haiku-4-5]\n";
  const schemaAndDate = await post({ workload: schema, at: "2026-02-31" });
  assert.equal(schemaAndDate.status, 400);
  const schemaHtml = await schemaAndDate.text();
  assert.match(schemaHtml, /The form has 4 problems, each shown with its field: 3 in the workload, 1 in the date\./);
  assert.deepEqual(
    workloadProblems(schemaHtml).map((item) => /data-issue-path="([^"]*)"/.exec(item)?.[1]),
    ["segments.0.requests_per_month", "segments.0", "segments.0.output_tokens"],
    "a missing field, an unknown key and a negative count, in the order of the text",
  );
  assert.match(dateProblem(schemaHtml) ?? "", /2026-02-31 is not a day of the calendar/);
  assert.doesNotMatch(schemaHtml, /data-plan=/, "nothing is planned while a field has a problem");

  // Past the schema: a name used twice and an unknown model are told together, not one pass at a time.
  const names = "name: x\nsegments:\n  - { name: a, requests_per_month: 10, input_tokens: 5, output_tokens: 2, models: [claude-haiku-9] }\n  - { name: a, requests_per_month: 10, input_tokens: 5, output_tokens: 2, models: [claude-haiku-4-5] }\n";
  const namesAndModels = await post({ workload: names, at: "" });
  assert.equal(namesAndModels.status, 400);
  const namesHtml = await namesAndModels.text();
  assert.match(namesHtml, /data-plan-error>The workload has 2 problems, shown with it\./);
  const found = workloadProblems(namesHtml).join("\n");
  assert.match(found, /segment name &quot;a&quot; is used twice/);
  assert.match(found, /unknown model &quot;claude-haiku-9&quot;/);
});

test("a dashboard form posted from another origin (another site, another port here) is refused; this origin's and scripts' are not", async () => {
  const host = new URL(harness.gateway.url).host;
  const logout = (origin?: string) =>
    fetch(`${harness.gateway.url}/dashboard/logout`, { method: "POST", redirect: "manual", headers: { authorization: `Bearer ${harness.adminKey}`, ...(origin ? { origin } : {}) } });
  assert.equal((await logout("http://127.0.0.1:1")).status, 403);
  assert.equal((await logout("null")).status, 403);
  assert.equal((await logout(`http://${host}`)).status, 303);
  assert.equal((await logout()).status, 303, "no Origin: a script");
});

test("behind a proxy that rewrites Host, the host the browser asked for (X-Forwarded-Host) is this origin; any other still is not", async () => {
  const logout = (origin: string, forwardedHost: string) =>
    fetch(`${harness.gateway.url}/dashboard/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { authorization: `Bearer ${harness.adminKey}`, origin, "x-forwarded-host": forwardedHost },
    });
  assert.equal((await logout("https://gateway.example.com", "gateway.example.com")).status, 303);
  assert.equal((await logout("https://gateway.example.com", "Gateway.Example.com:443, 10.0.0.7:8080")).status, 303, "the first of a chain, any case, its default port written");
  assert.equal((await logout("https://evil.example", "gateway.example.com")).status, 403);
  assert.equal((await logout("https://gateway.example.com", "10.0.0.7, gateway.example.com")).status, 403, "only the first host of a chain is the browser's");
  assert.equal((await logout("https://gateway.example.com", "gateway.example.com/x")).status, 403, "not a host");
});

test("without a session a POST is refused with the sign-in form, not a redirect", async () => {
  const response = await fetch(`${harness.gateway.url}/dashboard/planner`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "workload=x" });
  assert.equal(response.status, 401);
  assert.match(await response.text(), /data-login-message="expired"/);
});

test("a workload over the limit gets its 413 page even when the client reads the answer only after sending its whole body (the connection closes lingering, not with a reset)", async () => {
  const url = new URL(harness.gateway.url);
  const body = `workload=${"%23".repeat(3 * 1024 * 1024)}`;
  const socket = connect(Number(url.port), url.hostname);
  // Read nothing until all 9 MB are sent (more than the sockets' buffers hold): the refusal comes
  // while the body still arrives. A connection destroyed then answers the rest with a reset: the
  // client's writes fail (EPIPE) and the 413 it has not read yet is lost with the connection.
  socket.pause();
  const chunks: Buffer[] = [];
  // Settled as it happens (an error while the client still sends must not be an unhandled rejection).
  const ended = new Promise<{ answer?: string; error?: Error }>((resolve) => {
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => resolve({ answer: Buffer.concat(chunks).toString("latin1") }));
    socket.on("error", (error) => resolve({ error }));
  });
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(`POST /dashboard/planner HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: Bearer ${harness.adminKey}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${body.length}\r\n\r\n`);
  await new Promise<void>((resolve) => socket.write(body, () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 300));
  socket.resume();
  const { answer, error } = await ended;
  assert.equal(error, undefined, `the connection failed: ${error?.message}`);
  assert.match(answer ?? "", /^HTTP\/1\.1 413 /);
  assert.match(answer ?? "", /The workload is larger than 256 KB\./);
});
