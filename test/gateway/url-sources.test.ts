/**
 * Images and documents by URL end to end, with the official SDKs → gateway → emulators: Bedrock
 * takes base64 sources only, so a request holding one is routed to an Anthropic-shape deployment,
 * and where the model has none the client gets a 400 naming the source, and nothing is sent.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { startHarness, upstreamRequests, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
let client: Anthropic;
let openai: OpenAI;

before(async () => {
  harness = await startHarness();
  client = harness.client();
  openai = new OpenAI({ apiKey: harness.key, baseURL: `${harness.gateway.url}/v1`, maxRetries: 0 });
});

after(async () => {
  await harness.close();
});

const URL_IMAGE = { type: "image" as const, source: { type: "url" as const, url: "https://example.com/cat.png" } };
const PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

describe("URL-sourced images and documents", () => {
  test("an image by URL goes to the Claude API, never to an equally cheap Bedrock deployment; a base64 one goes to both", async () => {
    // claude-haiku-4-5 names anthropic-haiku and bedrock-haiku-global, equally cheap: they take turns.
    const bedrockBefore = upstreamRequests(harness.bedrock);
    for (let turn = 0; turn < 4; turn++) {
      const { response } = await client.messages
        .create({ model: "claude-haiku-4-5", max_tokens: 20, messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, URL_IMAGE] }] })
        .withResponse();
      assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-haiku");
    }
    assert.equal(upstreamRequests(harness.bedrock), bedrockBefore, "nothing reached Bedrock");
    const served = new Set<string | null>();
    for (let turn = 0; turn < 4; turn++) {
      const { response } = await client.messages
        .create({ model: "claude-haiku-4-5", max_tokens: 20, messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image", source: { type: "base64", media_type: "image/png", data: PIXEL } }] }] })
        .withResponse();
      served.add(response.headers.get("x-switchyard-deployment"));
    }
    assert.deepEqual([...served].sort(), ["anthropic-haiku", "bedrock-haiku-global"]);
  });

  test("a model only Bedrock serves: a 400 that names the URL source and says to send base64 or use the Claude API; nothing is sent", async () => {
    const before = upstreamRequests(harness.bedrock);
    const cases: [Anthropic.MessageParam[], string, string][] = [
      [[{ role: "user", content: [{ type: "text", text: "What is this?" }, URL_IMAGE] }], "messages.0.content.1.source", "image"],
      [[{ role: "user", content: [{ type: "document", source: { type: "url", url: "https://example.com/report.pdf" } }, { type: "text", text: "Summarise" }] }], "messages.0.content.0.source", "document"],
      [
        [
          { role: "user", content: "Fetch the chart" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "fetch", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [URL_IMAGE] }] },
        ],
        "messages.2.content.0.content.0.source",
        "image",
      ],
    ];
    for (const [messages, path, kind] of cases) {
      await assert.rejects(client.messages.create({ model: "haiku-via-bedrock", max_tokens: 20, messages }), (error: unknown) => {
        assert.ok(error instanceof Anthropic.BadRequestError, String(error));
        const body = (error.error as { error?: { type?: string; message?: string } }).error;
        assert.equal(body?.type, "invalid_request_error");
        const message = body?.message ?? "";
        assert.ok(message.includes(`bedrock-haiku-global fails ${path}.type "url" (`), message);
        assert.ok(message.includes(`it takes base64 ${kind}s only (Switchyard does not fetch URLs): send the ${kind} as base64 data, or route the request to the Claude API`), message);
        return true;
      });
    }
    assert.equal(upstreamRequests(harness.bedrock), before, "nothing reached Bedrock");
  });

  test("count_tokens: an image by URL is counted on the Claude API, and a model only Bedrock serves gets the same 400, with nothing sent", async () => {
    const bedrockBefore = upstreamRequests(harness.bedrock);
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: [{ type: "text", text: "What is this?" }, URL_IMAGE] }];
    for (let turn = 0; turn < 3; turn++) {
      const { data, response } = await client.messages.countTokens({ model: "claude-haiku-4-5", messages }).withResponse();
      assert.ok(data.input_tokens > 0);
      assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-haiku");
    }
    await assert.rejects(client.messages.countTokens({ model: "haiku-via-bedrock", messages }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.BadRequestError, String(error));
      const message = (error.error as { error?: { message?: string } }).error?.message ?? "";
      assert.match(message, /no deployment of haiku-via-bedrock can count this request: bedrock-haiku-global fails messages\.0\.content\.1\.source\.type "url" \(an image by URL\): it takes base64 images only/);
      return true;
    });
    assert.equal(upstreamRequests(harness.bedrock), bedrockBefore, "nothing reached Bedrock");
  });

  test("the OpenAI route: an http(s) image_url follows the same rule (a data URI goes anywhere)", async () => {
    const content: OpenAI.Chat.Completions.ChatCompletionContentPart[] = [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "https://example.com/cat.png" } }];
    const bedrockBefore = upstreamRequests(harness.bedrock);
    for (let turn = 0; turn < 3; turn++) {
      const { response } = await openai.chat.completions.create({ model: "claude-haiku-4-5", max_completion_tokens: 20, messages: [{ role: "user", content }] }).withResponse();
      assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-haiku");
    }
    await assert.rejects(openai.chat.completions.create({ model: "haiku-via-bedrock", max_completion_tokens: 20, messages: [{ role: "system", content: "Be brief." }, { role: "user", content }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.match(error.message, /bedrock-haiku-global fails messages\.0\.content\.1\.source\.type "url" \(an image by URL\): it takes base64 images only/);
      return true;
    });
    assert.equal(upstreamRequests(harness.bedrock), bedrockBefore, "nothing reached Bedrock");
    const inline = await openai.chat.completions.create({ model: "haiku-via-bedrock", max_completion_tokens: 20, messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${PIXEL}` } }, { type: "text", text: "And this?" }] }] });
    assert.equal(inline.object, "chat.completion");
  });
});
