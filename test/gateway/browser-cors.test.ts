/**
 * A page on another origin calling the gateway from real Chromium (CORS), as it may call the APIs:
 * the Anthropic routes when the page opts in with `anthropic-dangerous-direct-browser-access: true`
 * (what the SDK's `dangerouslyAllowBrowser` sends), OpenAI's chat route and the model list always.
 * Without the opt-in the browser's preflight gets no permission, so the request is never sent, and
 * a request sent anyway (under an earlier preflight's permission) is a 401: nothing runs upstream.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { launchChromium, skipWithoutChromium as skip } from "../helpers/chromium.js";
import { startHarness, upstreamRequests, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
let site: Server;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  harness = await startHarness();
  // The page's own origin: another port is another origin.
  site = createServer((_request, response) => response.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>app</title>"));
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await new Promise<void>((resolve) => site?.close(() => resolve()));
  await harness?.close();
});

interface PageAnswer {
  status?: number;
  cost?: string | null;
  requestId?: string | null;
  body?: string;
  failed?: string;
}

/** fetch() in the page, with the page's origin; a CORS refusal is a TypeError there. */
function callFromPage(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<PageAnswer> {
  return page.evaluate(async ({ url, init }) => {
    try {
      const response = await fetch(url, init);
      return { status: response.status, cost: response.headers.get("x-switchyard-cost-usd"), requestId: response.headers.get("request-id"), body: await response.text() };
    } catch (error) {
      return { failed: String(error) };
    }
  }, { url, init });
}

describe("the API from a page on another origin", { skip }, () => {
  const message = JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 8, messages: [{ role: "user", content: "Hello from a page" }] });
  const anthropicHeaders = () => ({ "x-api-key": harness.key, "anthropic-version": "2023-06-01", "content-type": "application/json" });

  test("with the opt-in header a page gets its message and can read the gateway's headers", async () => {
    const answer = await callFromPage(`${harness.gateway.url}/v1/messages`, { method: "POST", headers: { ...anthropicHeaders(), "anthropic-dangerous-direct-browser-access": "true" }, body: message });
    assert.equal(answer.failed, undefined);
    assert.equal(answer.status, 200, answer.body);
    assert.match(answer.cost ?? "", /^\d+\.\d+$/, "x-switchyard-cost-usd is exposed to the page");
    assert.match(answer.requestId ?? "", /^req_/);
  });

  test("without it nothing reaches the upstream: a 401 the page can read, or no permission at the preflight", async () => {
    const before = upstreamRequests(harness.anthropic);
    // The browser still holds the permission of the first test's preflight for this URL: the gateway refuses the request itself.
    const answer = await callFromPage(`${harness.gateway.url}/v1/messages`, { method: "POST", headers: anthropicHeaders(), body: message });
    assert.equal(answer.status, 401, JSON.stringify(answer));
    assert.match(answer.body ?? "", /CORS requests must set 'anthropic-dangerous-direct-browser-access: true'/);
    // A URL with no preflight held: the preflight gives no permission, and the request is never sent.
    const counted = await callFromPage(`${harness.gateway.url}/v1/messages/count_tokens`, { method: "POST", headers: anthropicHeaders(), body: message });
    assert.match(counted.failed ?? "", /TypeError/, JSON.stringify(counted));
    assert.equal(upstreamRequests(harness.anthropic), before);
  });

  test("OpenAI's chat route and the model list take a page as OpenAI's API does", async () => {
    const chat = await callFromPage(`${harness.gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${harness.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 8, messages: [{ role: "user", content: "Hello" }] }),
    });
    assert.equal(chat.status, 200, chat.failed ?? chat.body);
    const models = await callFromPage(`${harness.gateway.url}/v1/models`, { method: "GET", headers: { authorization: `Bearer ${harness.key}` } });
    assert.equal(models.status, 200, models.failed ?? models.body);
  });
});
