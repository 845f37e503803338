/**
 * A Bedrock provider with `api: converse`, end to end: @anthropic-ai/sdk → gateway → the Bedrock
 * emulator's Converse and ConverseStream. The client sees Anthropic messages and SSE; the ledger
 * prices Converse's own usage report exactly; what Converse cannot carry is a 400 before the call.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { formatUsd } from "../../src/pricing/money.js";
import { fromAnthropicUsage } from "../../src/pricing/normalize-usage.js";
import { quote } from "../../src/pricing/quote.js";
import { catalog, CONVERSE_PROVIDER, startHarness, upstreamRequests, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
let client: Anthropic;

before(async () => {
  harness = await startHarness({
    providers: CONVERSE_PROVIDER,
    deployments: `deployments:
  - { id: converse-haiku, provider: bedrock-converse, model: claude-haiku-4-5, route: global }
  - { id: anthropic-haiku, provider: anthropic-emulator, model: claude-haiku-4-5, route: global }
models:
  haiku-via-converse: [converse-haiku]
  converse-then-anthropic: [converse-haiku, anthropic-haiku]
`,
    policy: "ordered",
  });
  client = harness.client();
});

after(async () => {
  await harness.close();
});

const today = () => new Date().toISOString().slice(0, 10);
const enginePrice = (usage: unknown) => formatUsd(quote(catalog(), { model: "claude-haiku-4-5", provider: "bedrock", route: "global", at: today(), usage: fromAnthropicUsage(usage).usage }).result.total);

async function row(requestId: string) {
  await harness.ledger.writer.flush();
  const stored = await harness.ledger.store.get(requestId);
  assert.ok(stored, `a ledger row for ${requestId}`);
  return stored;
}

const weather: Anthropic.Tool = { name: "get_weather", description: "Weather in a city", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

describe("Bedrock through the Converse API", () => {
  test("a user_id Bedrock's requestMetadata cannot hold is left out, not sent to be refused", async () => {
    const { response } = await client.messages
      .create({ model: "haiku-via-converse", max_tokens: 16, messages: [{ role: "user", content: "Hello" }], metadata: { user_id: '{"device_id":"d1","session_id":"s1"}' } })
      .withResponse();
    assert.equal(response.headers.get("x-switchyard-deployment"), "converse-haiku");
    assert.ok((await row(response.headers.get("request-id") as string)).warnings.includes("left metadata.user_id out of Converse's requestMetadata: Bedrock's pattern refuses it"));
  });

  test("a message, priced from Converse's usage", async () => {
    const { data: message, response } = await client.messages
      .create({ model: "haiku-via-converse", max_tokens: 60, system: "Be brief.", messages: [{ role: "user", content: "Name two rivers." }] })
      .withResponse();
    assert.equal(response.headers.get("x-switchyard-deployment"), "converse-haiku");
    assert.equal(message.type, "message");
    assert.match(message.id, /^msg_bdrk_/);
    assert.equal(message.model, "claude-haiku-4-5-20251001", "the Claude API's model id, as the Anthropic API and InvokeModel answer, not the inference profile's");
    assert.ok(message.content[0]?.type === "text" && message.content[0].text.length > 0);
    assert.ok(message.stop_reason === "end_turn" || message.stop_reason === "max_tokens");
    assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
    const cost = response.headers.get("x-switchyard-cost-usd");
    assert.equal(cost, enginePrice(message.usage));
    const stored = await row(response.headers.get("request-id") as string);
    assert.equal(stored.cost_usd, cost);
    assert.equal(stored.input_tokens, message.usage.input_tokens);
    assert.equal(stored.output_tokens, message.usage.output_tokens);
  });

  test("a stream: Anthropic events built from ConverseStream, usage from its metadata event", async () => {
    const stream = client.messages.stream({ model: "haiku-via-converse", max_tokens: 80, messages: [{ role: "user", content: "Count to ten." }] });
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    assert.equal(final.model, "claude-haiku-4-5-20251001");
    const block = final.content[0];
    assert.ok(block?.type === "text" && block.text === text && text.length > 0);
    assert.ok(final.usage.output_tokens > 0 && final.usage.input_tokens > 0, "the final message_delta carries the whole usage");
    const requestId = (await stream.withResponse()).response.headers.get("request-id") as string;
    const stored = await row(requestId);
    assert.equal(stored.cost_usd, enginePrice(final.usage));
    assert.equal(stored.output_tokens, final.usage.output_tokens);
  });

  test("the stop sequence that ended the answer is named, streamed and not", async () => {
    // The emulator stops on a stop sequence that the last user message contains.
    const request = { model: "haiku-via-converse", max_tokens: 60, stop_sequences: ["###"], messages: [{ role: "user" as const, content: "Write a line, then ### and nothing more." }] };
    const stopped = await client.messages.create(request);
    assert.equal(stopped.stop_reason, "stop_sequence");
    assert.equal(stopped.stop_sequence, "###");
    const streamed = await client.messages.stream(request).finalMessage();
    assert.equal(streamed.stop_reason, "stop_sequence");
    assert.equal(streamed.stop_sequence, "###");
  });

  test("tools, a round trip, streamed and not", async () => {
    const first = await client.messages.create({ model: "haiku-via-converse", max_tokens: 200, tools: [weather], tool_choice: { type: "any" }, messages: [{ role: "user", content: "Weather in Lisbon?" }] });
    assert.equal(first.stop_reason, "tool_use");
    const call = first.content.find((block) => block.type === "tool_use");
    assert.ok(call && call.type === "tool_use" && call.name === "get_weather" && typeof call.input === "object");
    const second = await client.messages.create({
      model: "haiku-via-converse",
      max_tokens: 200,
      tools: [weather],
      messages: [
        { role: "user", content: "Weather in Lisbon?" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "22 °C" }] },
      ],
    });
    assert.equal(second.stop_reason, "end_turn");
    const streamed = await client.messages.stream({ model: "haiku-via-converse", max_tokens: 200, tools: [weather], tool_choice: { type: "tool", name: "get_weather" }, messages: [{ role: "user", content: "Oslo?" }] }).finalMessage();
    const streamedCall = streamed.content.find((block) => block.type === "tool_use");
    assert.ok(streamedCall && streamedCall.type === "tool_use" && typeof streamedCall.input === "object" && streamedCall.input !== null);
    assert.equal(streamed.stop_reason, "tool_use");
  });

  test("cache_control becomes a cachePoint: the cache write is reported and priced", async () => {
    const system: Anthropic.TextBlockParam[] = [{ type: "text", text: "A long, stable system prompt. ".repeat(800), cache_control: { type: "ephemeral" } }];
    const { data: message, response } = await client.messages.create({ model: "haiku-via-converse", max_tokens: 20, system, messages: [{ role: "user", content: "Hi" }] }).withResponse();
    assert.ok((message.usage.cache_creation_input_tokens ?? 0) > 0, JSON.stringify(message.usage));
    const stored = await row(response.headers.get("request-id") as string);
    assert.ok((stored.cache_write_5m_tokens ?? 0) > 0, "the 5-minute write, from Converse's cacheDetails");
    assert.equal(stored.cost_usd, response.headers.get("x-switchyard-cost-usd"));
  });

  // A document's context: Converse has no field for it (an image by URL, which it cannot carry either, never reaches it: routing keeps it off Bedrock).
  const NOTED_DOCUMENT = { type: "document" as const, source: { type: "text" as const, media_type: "text/plain" as const, data: "The cat sat." }, context: "A note on the document" };

  test("a request Converse cannot carry goes to the next deployment, and does not count against Converse's health", async () => {
    const { data: message, response } = await client.messages
      .create({ model: "converse-then-anthropic", max_tokens: 20, messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, NOTED_DOCUMENT] }] })
      .withResponse();
    assert.equal(message.type, "message");
    assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-haiku");
    assert.equal(response.headers.get("x-switchyard-attempts"), "2");
    const stored = await row(response.headers.get("request-id") as string);
    assert.deepEqual(stored.attempts.map((attempt) => [attempt.deployment, attempt.error]), [["converse-haiku", "unsupported"], ["anthropic-haiku", null]]);
    // The health snapshot is cached for 100 ms: read one made after this request's outcome.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const health = harness.gateway.state.health.snapshot().get("converse-haiku");
    assert.ok(health, "the Converse deployment was tried, so it has a health entry");
    assert.equal(health.failures, 0);
  });

  test("what Converse cannot carry is a 400 naming the field, before any upstream call", async () => {
    const before = upstreamRequests(harness.bedrock);
    await assert.rejects(
      client.messages.create({
        model: "haiku-via-converse",
        max_tokens: 20,
        messages: [{ role: "user", content: [NOTED_DOCUMENT, { type: "text", text: "Summarise" }] }],
      }),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.BadRequestError, String(error));
        assert.match(error.message, /messages\[0\]\.content\[0\]\.context: cannot be sent through Bedrock's Converse API/);
        return true;
      },
    );
    assert.equal(upstreamRequests(harness.bedrock), before);
  });
});
