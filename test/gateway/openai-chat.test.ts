/**
 * POST /v1/chat/completions end to end with the official `openai` SDK → gateway → emulators:
 * text, system and multi-turn, tools (a whole round trip), images, streaming (the SDK's strict
 * ChatCompletionStream assembles the chunks), usage with the cache counted the OpenAI way, errors
 * with the statuses the SDK maps to its error classes, and the ledger row of each request.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { blockInForce } from "../../src/catalog/model.js";
import { DEFAULT_MAX_TOKENS } from "../../src/gateway/openai/chat-request.js";
import { priceDate } from "../../src/gateway/state.js";
import { formatUsd, parseUsd } from "../../src/pricing/money.js";
import { priceRequest } from "../../src/pricing/price-request.js";
import { startHarness, upstreamRequests, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
let openai: OpenAI;

before(async () => {
  harness = await startHarness();
  openai = new OpenAI({ apiKey: harness.key, baseURL: `${harness.gateway.url}/v1`, maxRetries: 0 });
});

after(async () => {
  await harness.close();
});

const weather: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: "function",
  function: { name: "get_weather", description: "The weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};

// A 1x1 PNG.
const PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

describe("OpenAI chat completions", () => {
  test("a text answer, priced and recorded like a Messages request", async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: "haiku-via-anthropic", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Name a colour." }], max_completion_tokens: 40 })
      .withResponse();
    assert.equal(data.object, "chat.completion");
    assert.equal(data.choices.length, 1);
    const choice = data.choices[0] as OpenAI.Chat.Completions.ChatCompletion.Choice;
    assert.equal(choice.message.role, "assistant");
    assert.ok(typeof choice.message.content === "string" && choice.message.content.length > 0);
    assert.ok(choice.finish_reason === "stop" || choice.finish_reason === "length");
    const usage = data.usage as OpenAI.Completions.CompletionUsage;
    assert.ok(usage.prompt_tokens > 0 && usage.completion_tokens > 0);
    assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
    assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-haiku");
    const cost = response.headers.get("x-switchyard-cost-usd");
    assert.match(cost ?? "", /^\d+\.\d+$/);
    const requestId = response.headers.get("request-id") as string;
    await harness.ledger.writer.flush();
    const row = await harness.ledger.store.get(requestId);
    assert.ok(row, "a ledger row");
    assert.equal(row.requested_model, "haiku-via-anthropic");
    assert.equal(row.cost_usd, cost);
    assert.equal(row.output_tokens, usage.completion_tokens);
    assert.equal((row.input_tokens ?? 0) + (row.cache_read_tokens ?? 0) + (row.cache_write_5m_tokens ?? 0) + (row.cache_write_1h_tokens ?? 0) + (row.cache_write_unsplit_tokens ?? 0), usage.prompt_tokens);
  });

  test("without max_tokens a request may write up to the model's own output limit, as on OpenAI, not 4,096: a budgeted key's request holds that much", async () => {
    const haiku = harness.gateway.state.config.deployments.get("anthropic-haiku");
    const limit = haiku?.offering.capabilities.max_output_tokens;
    assert.ok(haiku && limit !== undefined && limit > 2 * DEFAULT_MAX_TOKENS, "the case this checks: the model writes far more than 4,096 tokens");
    const block = blockInForce(haiku.offering, priceDate(Date.now()));
    assert.ok(block);
    const mostOutput = priceRequest(haiku.offering, block, { output: limit }).total;
    // A budget a hold of 4,096 tokens fits in, and one of the model's own limit does not.
    const { secret } = await harness.createKey({ name: "chat-hold", budget: formatUsd(mostOutput / 2n) });
    const client = new OpenAI({ apiKey: secret, baseURL: `${harness.gateway.url}/v1`, maxRetries: 0 });
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "stall", phase: "before_headers", ms: 2_000 }, count: 1 }] });
    try {
      const before = upstreamRequests(harness.anthropic);
      const first = client.chat.completions.create({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "Write at length." }] });
      const deadline = Date.now() + 10_000;
      while (upstreamRequests(harness.anthropic) === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      const second = await client.chat.completions.create({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "hi" }] }).then(
        () => "served",
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      const inFlight = /requests in flight may cost up to \$(\d+(?:\.\d+)?)\)/.exec(second)?.[1];
      assert.ok(inFlight !== undefined && parseUsd(inFlight) >= mostOutput, second);
      const answer = await first;
      assert.ok(answer.choices[0]?.message.content);
    } finally {
      harness.anthropic.setProfile("instant");
    }
  });

  test("tools: a call, then its result, on Bedrock", async () => {
    const first = await openai.chat.completions.create({
      model: "haiku-via-bedrock",
      messages: [{ role: "user", content: "What is the weather in Lisbon?" }],
      tools: [weather],
      tool_choice: "required",
    });
    const choice = first.choices[0] as OpenAI.Chat.Completions.ChatCompletion.Choice;
    assert.equal(choice.finish_reason, "tool_calls");
    const call = choice.message.tool_calls?.[0];
    assert.ok(call && call.type === "function");
    assert.equal(call.function.name, "get_weather");
    assert.equal(typeof JSON.parse(call.function.arguments), "object");
    const second = await openai.chat.completions.create({
      model: "haiku-via-bedrock",
      messages: [
        { role: "user", content: "What is the weather in Lisbon?" },
        choice.message,
        { role: "tool", tool_call_id: call.id, content: "22 °C and sunny" },
      ],
      tools: [weather],
    });
    assert.equal(second.choices[0]?.finish_reason, "stop");
    assert.ok((second.choices[0]?.message.content ?? "").length > 0);
  });

  test("cache_control on a system part caches the prompt: cached_tokens on the second request, priced exactly as the same request on /v1/messages", async () => {
    // Over Haiku's 4,096-token minimum, and unlike any other test's prompt.
    const rules = `Rule ${Date.now()}: answer in one short sentence. `.repeat(700);
    const chat = () =>
      openai.chat.completions
        .create({
          model: "haiku-via-anthropic",
          // Few enough that both answers run to the limit: the same output on both routes.
          max_completion_tokens: 3,
          // cache_control is OpenRouter's and LiteLLM's extension of OpenAI's content part.
          messages: [{ role: "system", content: [{ type: "text", text: rules, cache_control: { type: "ephemeral" } } as OpenAI.Chat.Completions.ChatCompletionContentPartText] }, { role: "user", content: "Hi" }],
        })
        .withResponse();
    const written = await chat();
    const writes = written.data.usage?.prompt_tokens_details as { cached_tokens?: number; cache_write_tokens?: number } | undefined;
    assert.ok((writes?.cache_write_tokens ?? 0) > 4_096, JSON.stringify(written.data.usage));
    const read = await chat();
    const usage = read.data.usage as OpenAI.Completions.CompletionUsage;
    assert.equal(usage.prompt_tokens_details?.cached_tokens, writes?.cache_write_tokens, JSON.stringify(usage));
    const messages = await harness
      .client()
      .messages.create({ model: "haiku-via-anthropic", max_tokens: 3, system: [{ type: "text", text: rules, cache_control: { type: "ephemeral" } }], messages: [{ role: "user", content: "Hi" }] })
      .withResponse();
    await harness.ledger.writer.flush();
    const chatRow = await harness.ledger.store.get(read.response.headers.get("request-id") as string);
    const messagesRow = await harness.ledger.store.get(messages.response.headers.get("request-id") as string);
    assert.ok(chatRow && messagesRow);
    assert.ok((chatRow.cache_read_tokens ?? 0) > 4_096);
    for (const field of ["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens", "cost_usd", "cost_exact"] as const) {
      assert.equal(chatRow[field], messagesRow[field], field);
    }
    assert.equal(read.response.headers.get("x-switchyard-cost-usd"), messages.response.headers.get("x-switchyard-cost-usd"));
  });

  test("an image as a data URI", async () => {
    const answer = await openai.chat.completions.create({
      model: "haiku-via-anthropic",
      messages: [{ role: "user", content: [{ type: "text", text: "What is in this image?" }, { type: "image_url", image_url: { url: `data:image/png;base64,${PIXEL}` } }] }],
    });
    assert.ok((answer.choices[0]?.message.content ?? "").length > 0);
  });

  test("streaming: the SDK's ChatCompletionStream assembles the chunks; usage comes last when asked for", async () => {
    const stream = openai.chat.completions.stream({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "Count to five." }], stream_options: { include_usage: true } });
    let deltas = "";
    stream.on("content", (delta) => {
      deltas += delta;
    });
    const final = await stream.finalChatCompletion();
    assert.ok(deltas.length > 0);
    assert.equal(final.choices[0]?.message.content, deltas);
    assert.equal(final.choices[0]?.finish_reason, "stop");
    assert.ok((final.usage?.completion_tokens ?? 0) > 0, "the usage chunk");
  });

  test("streaming tool calls are assembled into whole calls", async () => {
    const stream = openai.chat.completions.stream({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "Weather in Oslo?" }], tools: [weather], tool_choice: { type: "function", function: { name: "get_weather" } } });
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0];
    assert.equal(choice?.finish_reason, "tool_calls");
    const call = choice?.message.tool_calls?.[0];
    assert.ok(call && call.type === "function");
    assert.equal(call.function.name, "get_weather");
    assert.equal(typeof JSON.parse(call.function.arguments), "object");
  });

  test("a raw stream ends with data: [DONE], and without include_usage has no usage chunk", async () => {
    const response = await fetch(`${harness.gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${harness.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "haiku-via-anthropic", stream: true, messages: [{ role: "user", content: "Hi" }] }),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    const text = await response.text();
    assert.ok(text.endsWith("data: [DONE]\n\n"), text.slice(-200));
    const chunks = text.split("\n\n").filter((event) => event.startsWith("data: {")).map((event) => JSON.parse(event.slice(6)) as { object: string; usage?: unknown; choices: unknown[] });
    assert.ok(chunks.length >= 3);
    assert.ok(chunks.every((chunk) => chunk.object === "chat.completion.chunk" && chunk.usage === undefined && chunk.choices.length === 1));
    assert.doesNotMatch(text, /event:|ping/);
  });

  for (const fault of [
    { kind: "stream_error" as const, type: "overloaded_error", message: "Overloaded (injected)" },
    { kind: "reset" as const, phase: "mid_stream" as const },
  ]) {
    test(`a stream that fails after it started (${fault.kind}) ends with an error event the SDK raises`, async () => {
      harness.anthropic.setProfile({ rules: [{ fault, streaming: true, count: 1 }] });
      try {
        const response = await fetch(`${harness.gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${harness.key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "haiku-via-anthropic", stream: true, max_tokens: 300, messages: [{ role: "user", content: "A long answer, please." }] }),
        });
        const text = await response.text();
        const last = text.trimEnd().split("\n\n").at(-1) ?? "";
        const payload = JSON.parse(last.replace(/^data: /, "")) as { error?: { message?: string; type?: string } };
        assert.ok(payload.error, `the last event is an error: ${last}`);
        if (fault.kind === "stream_error") assert.match(payload.error.message ?? "", /Overloaded \(injected\)/);
        assert.doesNotMatch(text, /\[DONE\]/);
        harness.anthropic.setProfile({ rules: [{ fault, streaming: true, count: 1 }] });
        const stream = openai.chat.completions.stream({ model: "haiku-via-anthropic", max_tokens: 300, messages: [{ role: "user", content: "A long answer, please." }] });
        // The SDK raises the gateway's error chunk itself (an APIError without a status: the stream
        // was a 200), not a connection or parse failure of its own.
        await assert.rejects(stream.finalChatCompletion(), (error: unknown) => {
          assert.ok(error instanceof OpenAI.APIError, `an APIError: ${String(error)}`);
          assert.equal(error.status, undefined);
          assert.equal(error.type, payload.error?.type);
          if (fault.kind === "stream_error") assert.match(error.message, /Overloaded \(injected\)/);
          else assert.ok(error.message.length > 0);
          assert.match(error.requestID ?? "", /^req_sy_/, "the stream's x-request-id");
          return true;
        });
      } finally {
        harness.anthropic.setProfile("instant");
      }
    });
  }

  test("models.list() lists what the gateway answers to", async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) {
      assert.equal(model.object, "model");
      assert.ok(Number.isInteger(model.created));
      ids.push(model.id);
    }
    assert.ok(ids.includes("haiku-via-bedrock") && ids.includes("claude-haiku-4-5"), ids.join(", "));
  });

  test("a body that is not JSON, or a request without a key, is refused in OpenAI's error shape too", async () => {
    const post = (headers: Record<string, string>, body: string) => fetch(`${harness.gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    const badJson = await post({ authorization: `Bearer ${harness.key}` }, "{not json");
    assert.equal(badJson.status, 400);
    const parsed = (await badJson.json()) as { error?: { type?: string; message?: string }; type?: string };
    assert.equal(parsed.type, undefined, "not the Anthropic shape");
    assert.equal(parsed.error?.type, "invalid_request_error");
    assert.match(parsed.error?.message ?? "", /JSON/);
    assert.match(badJson.headers.get("x-request-id") ?? "", /^req_sy_/, "refused before handleMessages, still with the id OpenAI clients read");
    assert.equal(badJson.headers.get("x-request-id"), badJson.headers.get("request-id"));
    // No key and an untranslatable body: the key is checked first.
    const noKey = await post({}, JSON.stringify({ model: "haiku-via-anthropic", n: 3, messages: [] }));
    assert.equal(noKey.status, 401);
    const noKeyBody = (await noKey.json()) as { type?: string; error?: { type?: string; param?: unknown } };
    assert.equal(noKeyBody.type, undefined, "not the Anthropic shape");
    assert.equal(noKeyBody.error?.type, "authentication_error");
    assert.equal(noKeyBody.error?.param, null, "OpenAI's error object has param");
  });

  test("a refused key is named the way it was sent, and what to do is said", async () => {
    const refusal = async (headers: Record<string, string>) => {
      const response = await fetch(`${harness.gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "Hi" }] }),
      });
      assert.equal(response.status, 401);
      return ((await response.json()) as { error?: { message?: string } }).error?.message;
    };
    assert.equal(await refusal({}), "an API key is required: send a Switchyard virtual key as x-api-key or Authorization: Bearer (create one with `switchyard keys create`)");
    assert.equal(await refusal({ authorization: "Bearer sk-sy-wrong" }), "invalid API key (sent as Authorization: Bearer): not a current Switchyard virtual key");
    assert.equal(await refusal({ "x-api-key": "sk-sy-wrong" }), "invalid API key (sent as x-api-key): not a current Switchyard virtual key");
  });

  test("the SDK finds the request id (x-request-id) on answers and on errors", async () => {
    const { data, response, request_id } = await openai.chat.completions.create({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "Hi" }], max_completion_tokens: 20 }).withResponse();
    const requestId = response.headers.get("request-id");
    assert.match(requestId ?? "", /^req_sy_/);
    // withResponse() types data without the _request_id the SDK sets on it (a plain await types it).
    assert.equal((data as typeof data & { _request_id?: string | null })._request_id, requestId);
    assert.equal(request_id, requestId);
    await assert.rejects(openai.chat.completions.create({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "Hi" }], n: 2 }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.APIError, String(error));
      assert.equal(error.status, 400);
      assert.match(error.requestID ?? "", /^req_sy_/);
      assert.equal(error.requestID, error.headers?.get("request-id"));
      return true;
    });
  });

  test("a refused chat request has its ledger row, as a refused Messages request does: the key's, or none for a bad key", async () => {
    const { secret, id } = await harness.createKey({ name: "chat-refusals", tags: { team: "chat" } });
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${harness.gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    const untranslatable = await post({ authorization: `Bearer ${secret}` }, { model: "haiku-via-anthropic", n: 2, messages: [{ role: "user", content: "Hi" }] });
    assert.equal(untranslatable.status, 400);
    assert.equal(((await untranslatable.json()) as { error?: { type?: string } }).error?.type, "invalid_request_error");
    const wrongKey = await post({ authorization: "Bearer sk-sy-wrong" }, { model: "haiku-via-anthropic", messages: [{ role: "user", content: "Hi" }] });
    assert.equal(wrongKey.status, 401);
    await wrongKey.arrayBuffer();
    await harness.ledger.writer.flush();
    const refused = await harness.ledger.store.get(untranslatable.headers.get("request-id") as string);
    assert.ok(refused, "a row for the 400");
    assert.deepEqual(
      { status: refused.status, error_type: refused.error_type, key_id: refused.key_id, tags: refused.tags, requested_model: refused.requested_model, deployment: refused.deployment, cost_usd: refused.cost_usd, attempts: refused.attempts },
      { status: 400, error_type: "invalid_request_error", key_id: id, tags: { team: "chat" }, requested_model: "haiku-via-anthropic", deployment: null, cost_usd: "0", attempts: [] },
    );
    const unauthenticated = await harness.ledger.store.get(wrongKey.headers.get("request-id") as string);
    assert.ok(unauthenticated, "a row for the 401");
    assert.equal(unauthenticated.status, 401);
    assert.equal(unauthenticated.key_id, null);
  });

  test("an upstream's refusal names the chat request's message as param, not the translated turn; a conversation opening with the assistant is refused before it goes upstream", async () => {
    // Four messages, three turns: the system message is no turn, so the upstream's messages.2 is the client's messages[3].
    const mismatched: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Weather in Lisbon?" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Lisbon"}' } }] },
      { role: "tool", tool_call_id: "call_other", content: "22" },
    ];
    const before = upstreamRequests(harness.anthropic);
    await assert.rejects(openai.chat.completions.create({ model: "haiku-via-anthropic", tools: [weather], messages: mismatched }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.equal(error.param, "messages[3]");
      assert.match(error.message, /^400 anthropic-emulator: messages\.2\.content\.0: .*\(messages\.2\.content\.0 is the chat request's messages\[3\]\)$/);
      return true;
    });
    assert.equal(upstreamRequests(harness.anthropic), before + 1, "refused upstream");
    await assert.rejects(
      openai.chat.completions.create({ model: "haiku-via-anthropic", messages: [{ role: "system", content: "Be a pirate." }, { role: "assistant", content: "Ahoy!" }, { role: "user", content: "Hi" }] }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.equal(error.param, "messages[1]");
        assert.match(error.message, /must open with a user message.*put what the assistant said into a system message/);
        return true;
      },
    );
    assert.equal(upstreamRequests(harness.anthropic), before + 1, "refused by the gateway");
  });

  test("an error's param is the field the chat client sent: max_completion_tokens over the model's limit, a tool's name Bedrock refuses, an image by URL", async () => {
    const refusal = (expected: string, message: RegExp) => (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.equal(error.param, expected, error.message);
      assert.match(error.message, message);
      return true;
    };
    // Routing refuses it (Haiku 4.5 writes at most 64,000 tokens), naming max_tokens: the client sent max_completion_tokens.
    await assert.rejects(
      openai.chat.completions.create({ model: "haiku-via-anthropic", max_completion_tokens: 100_000, messages: [{ role: "user", content: "Hi" }] }),
      refusal("max_completion_tokens", /fails max_tokens 100000: its output limit is 64000 tokens.*\(max_tokens is the chat request's max_completion_tokens\)$/),
    );
    await assert.rejects(openai.chat.completions.create({ model: "haiku-via-anthropic", max_tokens: 100_000, messages: [{ role: "user", content: "Hi" }] }), refusal("max_tokens", /fails max_tokens 100000/));
    // Bedrock's schema error names the tool as a JSON pointer into the Messages request.
    const badName: OpenAI.Chat.Completions.ChatCompletionTool = { type: "function", function: { name: "get weather", parameters: { type: "object", properties: {} } } };
    await assert.rejects(
      openai.chat.completions.create({ model: "haiku-via-bedrock", max_completion_tokens: 20, tools: [weather, badName], messages: [{ role: "user", content: "Hi" }] }),
      refusal("tools[1].function.name", /#\/tools\/1\/name: tool names must match .*\(tools\.1\.name is the chat request's tools\[1\]\.function\.name\)$/),
    );
    // An image by URL that only Bedrock could serve: the system message is no turn, so turn 0 is the client's messages[1].
    await assert.rejects(
      openai.chat.completions.create({
        model: "haiku-via-bedrock",
        max_completion_tokens: 20,
        messages: [{ role: "system", content: "Be brief." }, { role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }],
      }),
      refusal("messages[1]", /fails messages\.0\.content\.1\.source\.type "url" \(an image by URL\): it takes base64 images only/),
    );
  });

  test("a field the gateway refuses is the error's param, whatever its name (OpenAI's error.param)", async () => {
    const refusals: [Record<string, unknown>, string][] = [
      [{ verbosity: "low" }, "verbosity"],
      [{ top_logprobs: 2 }, "top_logprobs"],
      [{ web_search_options: {} }, "web_search_options"],
      [{ temprature: 0.5 }, "temprature"],
      [{ n: 2 }, "n"],
      [{ tools: [{ type: "function", function: { name: "w", strict: true } }] }, "tools[0].function.strict"],
      [{ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "", format: "wav" } }] }] }, "messages[0].content[0]"],
    ];
    for (const [extra, param] of refusals) {
      await assert.rejects(openai.chat.completions.create({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "Hi" }], ...extra } as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming), (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.equal(error.param, param, error.message);
        assert.ok(error.message.startsWith(`400 ${param}: `), error.message);
        return true;
      });
    }
  });

  test("errors clients act on carry OpenAI's code: a bad key, an unknown model, a prompt too long, a rate limit, a spent budget", async () => {
    const code = async (client: OpenAI, body: Partial<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming>) =>
      client.chat.completions.create({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "Hi" }], ...body }).then(
        () => "served",
        (error: unknown) => (error instanceof OpenAI.APIError ? `${error.status} ${error.code}` : String(error)),
      );
    assert.equal(await code(new OpenAI({ apiKey: "sk-sy-wrong", baseURL: `${harness.gateway.url}/v1`, maxRetries: 0 }), {}), "401 invalid_api_key");
    assert.equal(await code(openai, { model: "no-such-model" }), "404 model_not_found");
    assert.equal(await code(openai, { messages: [{ role: "user", content: "word ".repeat(300_000) }] }), "400 context_length_exceeded");
    // An upstream's 429 whose message speaks of a monthly budget, with x-should-retry false, is still the upstream's rate limit.
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "error", status: 429, message: "over your organization's monthly budget", shouldRetry: false }, count: 1 }] });
    try {
      assert.equal(await code(openai, {}), "429 rate_limit_exceeded");
    } finally {
      harness.anthropic.setProfile("instant");
    }
    const { secret } = await harness.createKey({ name: "chat-quota", budget: "0.0000001" });
    const broke = new OpenAI({ apiKey: secret, baseURL: `${harness.gateway.url}/v1`, maxRetries: 0 });
    assert.equal(await code(broke, {}), "served");
    assert.equal(await code(broke, {}), "429 insufficient_quota");
    assert.equal(await code(openai, { n: 2 }), "400 null", "nothing OpenAI has a code for");
  });

  test("errors keep their status, in OpenAI's error shape, so the SDK raises the right class", async () => {
    const wrongKey = new OpenAI({ apiKey: "sk-sy-wrong", baseURL: `${harness.gateway.url}/v1`, maxRetries: 0 });
    await assert.rejects(wrongKey.chat.completions.create({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "Hi" }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.AuthenticationError);
      assert.match(error.message, /invalid API key \(sent as Authorization: Bearer\)/);
      return true;
    });
    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ n: 2 }, /n: only 1 is supported/],
      [{ temperature: 1.5 }, /temperature: must be between 0 and 1/],
      [{ logprobs: true }, /logprobs: only false is supported/],
      [{ response_format: { type: "json_object" } }, /response_format: only \{type: "text"\}/],
      [{ messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }] }, /messages\[1\]: the conversation ends with an assistant message/],
    ];
    for (const [extra, message] of refusals) {
      await assert.rejects(openai.chat.completions.create({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "Hi" }], ...extra } as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming), (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.match(error.message, message);
        return true;
      });
    }
    await assert.rejects(openai.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "Hi" }] }), OpenAI.NotFoundError);
    const { secret } = await harness.createKey({ name: "chat-budget", budget: "0.0000001" });
    const broke = new OpenAI({ apiKey: secret, baseURL: `${harness.gateway.url}/v1`, maxRetries: 0 });
    await broke.chat.completions.create({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "Hi" }] });
    await assert.rejects(broke.chat.completions.create({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "Hi" }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.match(error.message, /chat-budget.*monthly budget/);
      return true;
    });
  });
});
