import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import { ManualClock } from "../../src/emulators/shared/clock.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { MODEL, fixtureModels } from "./emulator-fixtures.js";

let emulator: RunningEmulator;
let client: Anthropic;
const clock = new ManualClock();
const hello = { model: MODEL, max_tokens: 50, messages: [{ role: "user" as const, content: "Hello" }] };

before(async () => {
  emulator = await startAnthropicEmulator({ models: fixtureModels, clock });
  client = new Anthropic({ apiKey: "sk-emulator", baseURL: emulator.url, maxRetries: 0 });
});
beforeEach(() => emulator.reset());
after(() => emulator.close());

function apiError(status: number, type: string, message?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof Anthropic.APIError, String(error));
    assert.equal(error.status, status);
    const body = error.error as { error?: { type?: string; message?: string }; request_id?: string };
    assert.equal(body.error?.type, type);
    if (message) assert.match(body.error?.message ?? "", message);
    assert.match(error.requestID ?? "", /^req_/);
    return true;
  };
}

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${emulator.url}${path}`, {
    method: "POST",
    headers: { "x-api-key": "sk-emulator", "anthropic-version": "2023-06-01", "content-type": "application/json", ...headers },
    body,
  });
  return { status: response.status, json: (await response.json()) as { error?: { type: string; message: string } } };
}

test("401 for a wrong key, 400 for a bad body, 404 `model: X` for an unknown or retired model", async () => {
  const wrong = new Anthropic({ apiKey: "sk-wrong", baseURL: emulator.url, maxRetries: 0 });
  await assert.rejects(wrong.messages.create(hello), (error: unknown) => error instanceof Anthropic.AuthenticationError && apiError(401, "authentication_error", /invalid x-api-key/)(error));
  await assert.rejects(
    client.messages.create({ ...hello, messages: [{ role: "user", content: "a" }, { role: "user", content: "b" }] }),
    (error: unknown) => error instanceof Anthropic.BadRequestError && apiError(400, "invalid_request_error", /roles must alternate/)(error),
  );
  await assert.rejects(client.messages.create({ ...hello, model: "claude-nope" }), (error: unknown) => error instanceof Anthropic.NotFoundError && apiError(404, "not_found_error", /^model: claude-nope$/)(error));
  await assert.rejects(client.messages.create({ ...hello, model: "claude-2.1" }), apiError(404, "not_found_error", /^model: claude-2.1$/));
  await assert.rejects(client.messages.create({ ...hello, model: "claude-3-haiku-20240307", max_tokens: 5000 }), apiError(400, "invalid_request_error", /5000 > 4096, which is the maximum allowed number of output tokens/));

  const extra = await post("/v1/messages", JSON.stringify({ ...hello, frequency_penalty: 1 }));
  assert.deepEqual([extra.status, extra.json.error?.message], [400, "frequency_penalty: Extra inputs are not permitted"]);
  assert.equal((await post("/v1/messages?beta=true", JSON.stringify({ ...hello, frequency_penalty: 1 }))).status, 200, "beta bodies may carry new fields");
  assert.equal((await post("/v1/messages", JSON.stringify({ ...hello, frequency_penalty: 1 }), { "anthropic-beta": "context-management-2025-06-27" })).status, 200, "so may bodies sent with a beta header (the SDK's client.beta.messages)");
  assert.equal((await post("/v1/messages", "{not json")).status, 400);
  const missing = await post("/v1/messages", JSON.stringify({ model: MODEL, messages: hello.messages }));
  assert.equal(missing.json.error?.message, "max_tokens: Field required");
  const noVersion = await post("/v1/messages", JSON.stringify(hello), { "anthropic-version": "" });
  assert.equal(noVersion.status, 400);
});

test("413 request_too_large above 32 MB", async () => {
  const huge = JSON.stringify({ ...hello, messages: [{ role: "user", content: "x".repeat(33 * 1024 * 1024) }] });
  const result = await post("/v1/messages", huge);
  assert.equal(result.status, 413);
  assert.equal(result.json.error?.type, "request_too_large");
});

test("rate limits give 429 rate_limit_error with retry-after and the ratelimit headers", async () => {
  emulator.setProfile({ rateLimits: { requestsPerMinute: 1 } });
  const ok = await client.messages.create(hello).withResponse();
  assert.equal(ok.response.headers.get("anthropic-ratelimit-requests-limit"), "1");
  assert.equal(ok.response.headers.get("anthropic-ratelimit-requests-remaining"), "0");
  await assert.rejects(client.messages.create(hello), (error: unknown) => {
    assert.ok(error instanceof Anthropic.RateLimitError);
    apiError(429, "rate_limit_error", /rate limit of 1 requests per minute/)(error);
    assert.equal(error.headers?.get("retry-after"), "60");
    return true;
  });
  clock.advance(60_000);
  await client.messages.create(hello);
  assert.equal(emulator.state().counters.faults["rate_limit:requests"], 1);
});

test("the SDK retries a 429 after retry-after and succeeds; the counters show both attempts", async () => {
  emulator.setProfile({ rules: [{ fault: { kind: "error", status: 429, retryAfterSeconds: 1 }, count: 1 }] });
  const retrying = new Anthropic({ apiKey: "sk-emulator", baseURL: emulator.url, maxRetries: 2 });
  const started = Date.now();
  const message = await retrying.messages.create(hello);
  assert.equal(message.type, "message");
  assert.ok(Date.now() - started >= 900, "waited for retry-after");
  const counters = emulator.state().counters;
  assert.deepEqual(counters.byStatus, { "429": 1, "200": 1 });
  assert.equal(counters.requests, 2);
});

test("529 overloaded, 500 api_error and 403 permission_error are injected by status", async () => {
  emulator.setProfile({ rules: [{ fault: { kind: "error", status: 529 } }] });
  await assert.rejects(client.messages.create(hello), (error: unknown) => {
    assert.ok(error instanceof Anthropic.InternalServerError);
    apiError(529, "overloaded_error", /^Overloaded$/)(error);
    assert.ok(error.headers?.get("retry-after"));
    return true;
  });
  emulator.setProfile({ errorRates: { "500": 1 }, rules: [] });
  await assert.rejects(client.messages.create(hello), apiError(500, "api_error"));
  emulator.setProfile({ errorRates: {}, rules: [{ fault: { kind: "error", status: 403 } }] });
  await assert.rejects(client.messages.create(hello), (error: unknown) => error instanceof Anthropic.PermissionDeniedError);
});

test("an error event after the 200 makes the SDK stream throw overloaded_error", async () => {
  emulator.setProfile({ rules: [{ fault: { kind: "stream_error" }, streaming: true }] });
  const stream = client.messages.stream(hello);
  await assert.rejects(stream.finalMessage(), (error: unknown) => {
    assert.ok(error instanceof Anthropic.APIError);
    assert.equal((error.error as { error?: { type?: string } }).error?.type, "overloaded_error");
    return true;
  });
  assert.equal(emulator.state().counters.byStatus["200"], 1);
  assert.equal(emulator.state().counters.faults["stream_error"], 1);
});

test("connection resets before headers and mid-stream reach the client as connection errors", async () => {
  emulator.setProfile({ rules: [{ fault: { kind: "reset", phase: "before_headers" }, count: 1 }] });
  await assert.rejects(client.messages.create(hello), (error: unknown) => error instanceof Anthropic.APIConnectionError);
  emulator.setProfile({ rules: [{ fault: { kind: "reset", phase: "mid_stream" } }] });
  await assert.rejects(client.messages.stream({ ...hello, max_tokens: 400 }).finalMessage());
  await assert.rejects(client.messages.create(hello));
  const counters = emulator.state().counters;
  assert.equal(counters.closedBeforeHeaders, 1);
  assert.equal(counters.incomplete, 2);
});

test("the admin API scripts 'throttle for the next 30 seconds' and reports counters", async () => {
  const admin = (path: string, body?: unknown) =>
    fetch(`${emulator.url}/_emulator/${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  const bad = await admin("profile", { rules: [{ fault: { kind: "explode" } }] });
  assert.equal(bad.status, 400);
  assert.equal((await admin("profile", { profile: "no-such-profile" })).status, 400);
  const set = await admin("profile", { rules: [{ fault: { kind: "error", status: 429 }, window: { durationMs: 30_000 } }] });
  assert.equal(set.status, 200);
  await assert.rejects(client.messages.create(hello), (error: unknown) => error instanceof Anthropic.RateLimitError);
  clock.advance(29_000);
  await assert.rejects(client.messages.create(hello), (error: unknown) => error instanceof Anthropic.RateLimitError);
  clock.advance(1_001);
  await client.messages.create(hello);
  const state = (await (await admin("state")).json()) as { counters: { requests: number; byStatus: Record<string, number> }; profile: { name: string } };
  assert.deepEqual(state.counters.byStatus, { "429": 2, "200": 1 });
  assert.equal(state.counters.requests, 3, "admin calls are not counted");
  const reset = (await (await admin("reset", {})).json()) as { counters: { requests: number }; profile: { name: string } };
  assert.equal(reset.counters.requests, 0);
  assert.equal(reset.profile.name, "instant");
});

test("as Claude Platform on AWS, every request must name one of its workspaces in anthropic-workspace-id", async () => {
  const platform = await startAnthropicEmulator({ models: fixtureModels, workspaceIds: ["wrkspc_a"] });
  try {
    const call = async (headers: Record<string, string>) => {
      const response = await fetch(`${platform.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": "sk-emulator", "anthropic-version": "2023-06-01", "content-type": "application/json", ...headers },
        body: JSON.stringify(hello),
      });
      return { status: response.status, error: ((await response.json()) as { error?: { type: string; message: string } }).error };
    };
    assert.deepEqual(await call({}), { status: 400, error: { type: "invalid_request_error", message: "anthropic-workspace-id: header is required" } });
    const other = await call({ "anthropic-workspace-id": "wrkspc_b" });
    assert.equal(other.status, 403);
    assert.equal(other.error?.type, "permission_error");
    assert.equal((await call({ "anthropic-workspace-id": "wrkspc_a" })).status, 200);
    assert.equal((await post("/v1/messages", JSON.stringify(hello))).status, 200, "the Anthropic API's emulator asks for no workspace");
  } finally {
    await platform.close();
  }
});
