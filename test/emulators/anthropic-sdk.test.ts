import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import { ManualClock } from "../../src/emulators/shared/clock.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { MODEL, fixtureModels, textOfTokens } from "./emulator-fixtures.js";

let emulator: RunningEmulator;
let client: Anthropic;
const clock = new ManualClock();

before(async () => {
  emulator = await startAnthropicEmulator({ models: fixtureModels, clock });
  client = new Anthropic({ apiKey: "sk-emulator", baseURL: emulator.url, maxRetries: 0 });
});
after(() => emulator.close());

const weatherTool = {
  name: "get_weather",
  description: "Current weather for a place",
  input_schema: { type: "object" as const, properties: { location: { type: "string" } }, required: ["location"] },
};

test("messages.create returns a Message with the documented usage fields and headers", async () => {
  const { data: message, response } = await client.messages
    .create({ model: MODEL, max_tokens: 200, messages: [{ role: "user", content: "Hello there" }] })
    .withResponse();
  assert.match(message.id, /^msg_01[0-9A-Za-z]{22}$/);
  assert.equal(message.model, MODEL);
  assert.equal(message.role, "assistant");
  assert.equal(message.content[0]?.type, "text");
  assert.equal(message.stop_reason, "end_turn");
  assert.equal(message.usage.cache_read_input_tokens, 0);
  assert.deepEqual(message.usage.cache_creation, { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 });
  assert.ok(message.usage.output_tokens > 0);
  assert.match(response.headers.get("request-id") ?? "", /^req_011C/);
  assert.equal((message as { _request_id?: string | null })._request_id, response.headers.get("request-id"));
  for (const family of ["requests", "tokens", "input-tokens", "output-tokens"]) {
    assert.match(response.headers.get(`anthropic-ratelimit-${family}-limit`) ?? "", /^\d+$/);
    assert.match(response.headers.get(`anthropic-ratelimit-${family}-reset`) ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
});

test("the same request gets the same content and token counts", async () => {
  const request = { model: MODEL, max_tokens: 300, messages: [{ role: "user" as const, content: "Describe a harbor" }] };
  const [first, second] = [await client.messages.create(request), await client.messages.create(request)];
  assert.deepEqual(second.content, first.content);
  assert.deepEqual(second.usage, first.usage);
  assert.notEqual(second.id, first.id);
});

test("messages.stream + finalMessage rebuilds the same message as create", async () => {
  const request = { model: MODEL, max_tokens: 300, messages: [{ role: "user" as const, content: "Stream me a story" }] };
  const created = await client.messages.create(request);
  const stream = client.messages.stream(request);
  const texts: string[] = [];
  stream.on("text", (text) => texts.push(text));
  const final = await stream.finalMessage();
  assert.deepEqual(final.content, created.content);
  assert.deepEqual(final.usage, created.usage);
  assert.ok(texts.length > 1, "text arrived in several deltas");
  assert.equal(texts.join(""), created.content[0]?.type === "text" ? created.content[0].text : "");
});

test("the SSE body has event: lines, one ping after the first block start, and cumulative usage in message_delta", async () => {
  const response = await fetch(`${emulator.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": "sk-emulator", "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, max_tokens: 100, stream: true, messages: [{ role: "user", content: "Hi" }] }),
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const text = await response.text();
  const events = text.trimEnd().split("\n\n").map((block) => {
    const [eventLine = "", dataLine = ""] = block.split("\n");
    const name = eventLine.replace(/^event: /, "");
    const data = JSON.parse(dataLine.replace(/^data: /, "")) as { type: string; usage?: { output_tokens: number; input_tokens: number } };
    assert.equal(data.type, name, "event name matches data.type");
    return data;
  });
  const names = events.map((event) => event.type);
  assert.deepEqual(names.slice(0, 3), ["message_start", "content_block_start", "ping"]);
  assert.deepEqual(names.slice(-3), ["content_block_stop", "message_delta", "message_stop"]);
  assert.ok(names.slice(3, -3).every((name) => name === "content_block_delta"));
  const delta = events.at(-2);
  assert.ok(delta?.usage && delta.usage.output_tokens > 1 && delta.usage.input_tokens > 0);
});

test("tool use: tool_choice any, and auto when the user names the tool; the stream carries input_json_delta", async () => {
  const forced = await client.messages.create({
    model: MODEL,
    max_tokens: 300,
    tools: [weatherTool],
    tool_choice: { type: "any" },
    messages: [{ role: "user", content: "Is it raining?" }],
  });
  assert.equal(forced.stop_reason, "tool_use");
  const call = forced.content.find((block) => block.type === "tool_use");
  assert.ok(call && call.type === "tool_use");
  assert.equal(call.name, "get_weather");
  assert.equal(typeof (call.input as { location?: unknown }).location, "string");

  const stream = client.messages.stream({ model: MODEL, max_tokens: 300, tools: [weatherTool], messages: [{ role: "user", content: "Use get_weather for Lima" }] });
  const jsonParts: string[] = [];
  stream.on("inputJson", (part) => jsonParts.push(part));
  const final = await stream.finalMessage();
  assert.equal(final.stop_reason, "tool_use");
  const streamed = final.content.find((block) => block.type === "tool_use");
  assert.ok(streamed && streamed.type === "tool_use");
  assert.ok(jsonParts.length > 1);
  assert.deepEqual(JSON.parse(jsonParts.join("")), streamed.input);

  const answered = await client.messages.create({
    model: MODEL,
    max_tokens: 300,
    tools: [weatherTool],
    messages: [
      { role: "user", content: "Use get_weather for Lima" },
      { role: "assistant", content: final.content },
      { role: "user", content: [{ type: "tool_result", tool_use_id: streamed.id, content: "20 C" }] },
    ],
  });
  assert.equal(answered.stop_reason, "end_turn");
});

test("count_tokens equals the input a message is billed for", async () => {
  const params = { model: MODEL, system: "You are terse.", tools: [weatherTool], messages: [{ role: "user" as const, content: "How many tokens is this?" }] };
  const counted = await client.messages.countTokens(params);
  const message = await client.messages.create({ ...params, max_tokens: 50 });
  assert.equal(counted.input_tokens, message.usage.input_tokens);
  assert.ok(counted.input_tokens > 300, "tools cost their preamble");
});

test("prompt caching over HTTP: write, read, 1h split, expiry with the injected clock", async () => {
  const system = [{ type: "text" as const, text: textOfTokens(3000, "policy"), cache_control: { type: "ephemeral" as const, ttl: "1h" as const } }];
  const ask = (question: string) => client.messages.create({ model: MODEL, max_tokens: 20, system, messages: [{ role: "user", content: question }] });
  const first = await ask("first?");
  assert.ok((first.usage.cache_creation_input_tokens ?? 0) >= 3000);
  assert.equal(first.usage.cache_creation?.ephemeral_1h_input_tokens, first.usage.cache_creation_input_tokens);
  clock.advance(30 * 60_000);
  const second = await ask("second?");
  assert.equal(second.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens);
  assert.equal(second.usage.cache_creation_input_tokens, 0);
  const counted = await client.messages.countTokens({ model: MODEL, system, messages: [{ role: "user", content: "second?" }] });
  assert.equal(second.usage.input_tokens + (second.usage.cache_read_input_tokens ?? 0), counted.input_tokens);
  clock.advance(61 * 60_000);
  const third = await ask("third?");
  assert.equal(third.usage.cache_read_input_tokens, 0, "expired after an hour without use");
});

test("models list and retrieve come from the catalog; Bearer auth works like x-api-key", async () => {
  const page = await client.models.list({ limit: 2 });
  assert.equal(page.data.length, 2);
  const all: string[] = [];
  for await (const model of client.models.list({ limit: 1 })) all.push(model.id);
  assert.ok(all.includes(MODEL) && all.includes("claude-haiku-4-5-20251001"));
  assert.ok(!all.includes("claude-2.1"), "retired models are not listed");
  const bearer = new Anthropic({ authToken: "sk-emulator", apiKey: null, baseURL: emulator.url, maxRetries: 0 });
  const model = await bearer.models.retrieve(MODEL);
  assert.equal(model.display_name, "Claude Sonnet 4.6");
});

test("thinking streams as thinking_delta and signature_delta, and finalMessage matches create", async () => {
  const request = { model: MODEL, max_tokens: 3000, thinking: { type: "enabled" as const, budget_tokens: 1024 }, messages: [{ role: "user" as const, content: "Think first" }] };
  const created = await client.messages.create(request);
  assert.deepEqual(created.content.map((block) => block.type), ["thinking", "text"]);
  const thinking: string[] = [];
  const stream = client.messages.stream(request);
  stream.on("thinking", (delta) => thinking.push(delta));
  const final = await stream.finalMessage();
  assert.deepEqual(final.content, created.content);
  assert.equal(thinking.join(""), created.content[0]?.type === "thinking" ? created.content[0].thinking : "");
});

test("inference_geo us is served where the catalog has a us route, refused where it has none", async () => {
  const us = await client.messages.create({ model: MODEL, max_tokens: 20, inference_geo: "us", messages: [{ role: "user", content: "hi" }] });
  assert.equal(us.usage.inference_geo, "us");
  await assert.rejects(
    client.messages.create({ model: "claude-haiku-4-5", max_tokens: 20, inference_geo: "us", messages: [{ role: "user", content: "hi" }] }),
    (error: unknown) => error instanceof Anthropic.BadRequestError && /inference_geo/.test(error.message),
  );
});
