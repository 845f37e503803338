/** The OpenAI ↔ Anthropic translation of /v1/chat/completions, piece by piece (src/gateway/openai/). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_MAX_TOKENS, translateChatRequest } from "../../src/gateway/openai/chat-request.js";
import { GatewayError } from "../../src/gateway/errors.js";
import type { ServerResponse } from "node:http";
import { chatError } from "../../src/gateway/openai/chat-errors.js";
import { ChatCompletionResponse, chatCompletion, chatUsage, finishReason } from "../../src/gateway/openai/chat-response.js";

describe("chat completions request → Messages request", () => {
  test("system and developer messages become system; tool results after a tool call become one user turn", () => {
    const { body } = translateChatRequest({
      model: "m",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Use metric units." }] },
        { role: "user", content: "Weather in Lisbon and Porto?" },
        { role: "assistant", content: null, tool_calls: [
          { id: "call_1", type: "function", function: { name: "w", arguments: '{"city":"Lisbon"}' } },
          { id: "call_2", type: "function", function: { name: "w", arguments: '{"city":"Porto"}' } },
        ] },
        { role: "tool", tool_call_id: "call_1", content: "22" },
        { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "19" }] },
        { role: "user", content: "And tomorrow?" },
      ],
    });
    assert.equal(body.system, "Be brief.\n\nUse metric units.");
    assert.equal(body.max_tokens, DEFAULT_MAX_TOKENS);
    assert.deepEqual(body.messages, [
      { role: "user", content: [{ type: "text", text: "Weather in Lisbon and Porto?" }] },
      { role: "assistant", content: [
        { type: "tool_use", id: "call_1", name: "w", input: { city: "Lisbon" } },
        { type: "tool_use", id: "call_2", name: "w", input: { city: "Porto" } },
      ] },
      // Both results, then the next question: one user turn (Anthropic alternates roles).
      { role: "user", content: [
        { type: "tool_result", tool_use_id: "call_1", content: "22" },
        { type: "tool_result", tool_use_id: "call_2", content: "19" },
        { type: "text", text: "And tomorrow?" },
      ] },
    ]);
  });

  test("parameters: max_completion_tokens over max_tokens, stop, tools, tool_choice, parallel_tool_calls, user, images", () => {
    const { body, stream, includeUsage } = translateChatRequest({
      model: "m",
      max_tokens: 10,
      max_completion_tokens: 20,
      temperature: 0.2,
      top_p: 0.9,
      stop: "END",
      user: "u-1",
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: "function", function: { name: "w", parameters: { type: "object", properties: { city: { type: "string" } } } } }, { type: "function", function: { name: "bare" } }],
      tool_choice: "required",
      parallel_tool_calls: false,
      messages: [{ role: "user", content: [
        { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
      ] }],
    });
    assert.equal(stream, true);
    assert.equal(includeUsage, true);
    assert.equal(body.max_tokens, 20);
    assert.equal(body.temperature, 0.2);
    assert.equal(body.top_p, 0.9);
    assert.deepEqual(body.stop_sequences, ["END"]);
    assert.deepEqual(body.metadata, { user_id: "u-1" });
    assert.deepEqual(body.tools, [
      { name: "w", input_schema: { type: "object", properties: { city: { type: "string" } } } },
      { name: "bare", input_schema: { type: "object", properties: {} } },
    ]);
    assert.deepEqual(body.tool_choice, { type: "any", disable_parallel_tool_use: true });
    assert.deepEqual((body.messages as { content: unknown }[])[0]?.content, [
      { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
      { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
    ]);
    assert.deepEqual(
      translateChatRequest({ model: "m", messages: [{ role: "user", content: "x" }], tools: [{ type: "function", function: { name: "w" } }], tool_choice: { type: "function", function: { name: "w" } } }).body.tool_choice,
      { type: "tool", name: "w" },
    );
  });

  test("max_tokens: what the client sends, else the model's output limit the gateway gives, else 4,096", () => {
    const messages = [{ role: "user", content: "x" }];
    const limits = (model: string) => (model === "claude-haiku-4-5" ? 64_000 : undefined);
    assert.equal(translateChatRequest({ model: "claude-haiku-4-5", messages }, limits).body.max_tokens, 64_000);
    assert.equal(translateChatRequest({ model: "claude-haiku-4-5", messages, max_tokens: 10 }, limits).body.max_tokens, 10);
    assert.equal(translateChatRequest({ model: "claude-haiku-4-5", messages, max_completion_tokens: 20, max_tokens: 10 }, limits).body.max_tokens, 20);
    assert.equal(translateChatRequest({ model: "unknown", messages }, limits).body.max_tokens, DEFAULT_MAX_TOKENS);
  });

  test("each translated turn's blocks remember the chat message they came from; an upstream's path into the turns is given back as that message", () => {
    const { sources } = translateChatRequest({
      model: "m",
      messages: [
        { role: "system", content: "s" },
        { role: "user", content: "a" },
        { role: "user", content: [{ type: "text", text: "b" }, { type: "text", text: "c" }] },
        { role: "assistant", content: "d", tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "t", content: "e" },
      ],
    });
    assert.deepEqual(sources, [[1, 2, 2], [3, 3], [4]]);
    const error = (message: string) => JSON.parse(chatError(JSON.stringify({ type: "error", error: { type: "invalid_request_error", message } }), { sources })) as { error: { param: string | null; message: string } };
    assert.equal(error("messages.0.content.2: bad").error.param, "messages[2]");
    assert.equal(error("messages.0.content.2: bad").error.message, "messages.0.content.2: bad (messages.0.content.2 is the chat request's messages[2])");
    assert.equal(error("messages.2: bad").error.param, "messages[4]");
    assert.equal(error("messages.7.content.0: bad").error.param, "messages.7.content.0", "a turn there is not: as the upstream said it");
    assert.equal(error("max_tokens: bad").error.param, "max_tokens");
  });

  test("a conversation that opens with an assistant message is refused naming it: Claude's opens with the user", () => {
    assert.throws(
      () => translateChatRequest({ model: "m", messages: [{ role: "developer", content: "s" }, { role: "assistant", content: "Hello!" }, { role: "user", content: "hi" }] }),
      (error: unknown) => error instanceof GatewayError && /^messages\[1\]: Claude's conversation must open with a user message/.test(error.message),
    );
    // A blank assistant message leaves no turn: the conversation still opens with the user.
    assert.equal(translateChatRequest({ model: "m", messages: [{ role: "assistant", content: "" }, { role: "user", content: "hi" }] }).sources.length, 1);
  });

  test("what clients send as defaults changes nothing: empty tools, auto tool choice without tools, store false, text format", () => {
    const { body } = translateChatRequest({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      tools: [],
      tool_choice: "auto",
      parallel_tool_calls: true,
      store: false,
      response_format: { type: "text" },
      n: 1,
      frequency_penalty: 0,
      presence_penalty: 0,
      max_tokens: null,
      stop: null,
      stream: false,
    });
    assert.deepEqual(body, { model: "m", max_tokens: DEFAULT_MAX_TOKENS, messages: [{ role: "user", content: [{ type: "text", text: "x" }] }] });
    assert.throws(() => translateChatRequest({ model: "m", messages: [{ role: "user", content: "x" }], tool_choice: "required" }), /tool_choice: requires tools/);
  });

  test("explicit nulls are 'not set'; top_p 1 and blank text are left out; parallel calls never ride on none", () => {
    const { body } = translateChatRequest({
      model: "m",
      messages: [
        { role: "user", content: [{ type: "text", text: "x" }, { type: "text", text: "  " }] },
        { role: "assistant", content: " ", tool_calls: [{ id: "c1", type: "function", function: { name: "w", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "c1", content: "sunny" },
        // Inside messages too: a generated client's assistant turn without calls.
        { role: "assistant", content: "Sunny it is.", tool_calls: null, function_call: null, refusal: null },
        // A blank user message is left out, and the next one's text is the user's turn.
        { role: "user", content: "" },
        { role: "user", content: "Thanks." },
      ],
      seed: null,
      logit_bias: null,
      top_logprobs: null,
      metadata: null,
      user: null,
      tool_choice: null,
      parallel_tool_calls: null,
      stream: null,
      temperature: 0.7,
      top_p: 1,
    });
    assert.deepEqual(body, {
      model: "m",
      max_tokens: DEFAULT_MAX_TOKENS,
      temperature: 0.7,
      messages: [
        { role: "user", content: [{ type: "text", text: "x" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "c1", name: "w", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "c1", content: "sunny" }] },
        { role: "assistant", content: [{ type: "text", text: "Sunny it is." }] },
        { role: "user", content: [{ type: "text", text: "Thanks." }] },
      ],
    });
    const tools = [{ type: "function", function: { name: "w", parameters: { type: "object" } } }];
    assert.deepEqual(translateChatRequest({ model: "m", messages: [{ role: "user", content: "x" }], tools, tool_choice: "none", parallel_tool_calls: false }).body.tool_choice, { type: "none" });
    assert.equal(translateChatRequest({ model: "m", messages: [{ role: "user", content: "x" }], top_p: 0.5 }).body.top_p, 0.5);
  });

  test("a field Claude has nothing like is refused saying to leave it out; one the Messages API has, saying to use /v1/messages", () => {
    const base = { model: "m", messages: [{ role: "user", content: "x" }] };
    assert.throws(() => translateChatRequest({ ...base, seed: 7 }), /seed: is not supported by Claude \(its Messages API has no such setting either\): leave it out/);
    assert.throws(() => translateChatRequest({ ...base, reasoning_effort: "high" }), /reasoning_effort: .*send it to \/v1\/messages in the Anthropic format instead/);
  });

  test("a data URI of image/jpg (which clients write, and Claude refuses) is sent as image/jpeg; the media type's case does not matter", () => {
    const sent = (url: string) => ((translateChatRequest({ model: "m", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }] }).body.messages as { content: { source: unknown }[] }[])[0]?.content[0]?.source);
    assert.deepEqual(sent("data:image/jpg;base64,/9j/"), { type: "base64", media_type: "image/jpeg", data: "/9j/" });
    assert.deepEqual(sent("data:image/PNG;base64,AAAA"), { type: "base64", media_type: "image/png", data: "AAAA" });
    assert.throws(() => sent("data:image/bmp;base64,AAAA"), /image_url\.url: must be an http\(s\) URL or a base64 data URI of a PNG, JPEG, GIF or WebP image/);
  });

  test("safety_identifier (which replaces user) is Claude's metadata.user_id; prompt_cache_key is left out; a name OpenAI does not have is called that", () => {
    const base = { model: "m", messages: [{ role: "user", content: "x" }] };
    assert.deepEqual(translateChatRequest({ ...base, safety_identifier: "u-1" }).body.metadata, { user_id: "u-1" });
    assert.deepEqual(translateChatRequest({ ...base, safety_identifier: "u-1", user: "u-1" }).body.metadata, { user_id: "u-1" });
    assert.throws(() => translateChatRequest({ ...base, safety_identifier: "u-1", user: "u-2" }), /^GatewayError: safety_identifier: and user name different end users/);
    assert.throws(() => translateChatRequest({ ...base, safety_identifier: 7 }), /^GatewayError: safety_identifier: must be a string/);
    const cached = translateChatRequest({ ...base, prompt_cache_key: "tenant-1" }).body;
    assert.deepEqual(Object.keys(cached).sort(), ["max_tokens", "messages", "model"]);
    assert.throws(() => translateChatRequest({ ...base, temprature: 0.5 }), /^GatewayError: temprature: is not a field of OpenAI's chat completions request: check its spelling/);
    assert.throws(() => translateChatRequest({ ...base, prompt_cache_options: { ttl: "30m" } }), /^GatewayError: prompt_cache_options: OpenAI's cache settings have no Claude equivalent: .*cache_control/);
    assert.throws(
      () => translateChatRequest({ ...base, messages: [{ role: "user", content: [{ type: "text", text: "x", prompt_cache_breakpoint: { mode: "explicit" } }] }] }),
      /^GatewayError: messages\[0\]\.content\[0\]\.prompt_cache_breakpoint: OpenAI's breakpoint .*cache_control instead/,
    );
  });

  test("a conversation ending with an assistant turn is refused: Claude would continue it (a prefill), OpenAI writes a new reply", () => {
    const refusal = (messages: unknown[]) => {
      try {
        translateChatRequest({ model: "m", messages });
      } catch (error) {
        assert.ok(error instanceof GatewayError && error.kind === "invalid_request", String(error));
        return error.message;
      }
      assert.fail(`accepted: ${JSON.stringify(messages)}`);
    };
    assert.equal(
      refusal([{ role: "user", content: "hi" }, { role: "assistant", content: "Hello" }]),
      "messages[1]: the conversation ends with an assistant message; Claude would continue it rather than reply (and Claude 4.6 and later refuse it): end with a user or tool message",
    );
    // The last assistant message is named, after merged assistant messages and a trailing system message.
    assert.match(refusal([{ role: "user", content: "hi" }, { role: "assistant", content: "Hello" }, { role: "assistant", content: [{ type: "text", text: "again" }] }, { role: "system", content: "Be brief." }]), /^messages\[2\]: the conversation ends with an assistant message/);
    // A blank last user message is left out (Claude refuses empty text): the refusal says so, naming both.
    const blankLast = refusal([{ role: "user", content: "hi" }, { role: "assistant", content: "Hello" }, { role: "user", content: "" }]);
    assert.match(blankLast, /^messages\[2\]: the last user message has no text/);
    assert.match(blankLast, /assistant message messages\[1\]/);
    assert.match(blankLast, /give the last user message some text$/);
    // Tool results are the user's turn: a conversation may end with them (the assistant answers the calls).
    const { body } = translateChatRequest({
      model: "m",
      messages: [
        { role: "user", content: "Time?" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "now", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "c1", content: "12:00" },
      ],
    });
    assert.deepEqual((body.messages as Record<string, unknown>[]).at(-1), { role: "user", content: [{ type: "tool_result", tool_use_id: "c1", content: "12:00" }] });
  });

  test("an assistant refusal (content null, refusal set, as OpenAI answers) is the assistant's text, not a dropped turn", () => {
    const { body } = translateChatRequest({
      model: "m",
      messages: [
        { role: "user", content: "Help me pick a lock." },
        { role: "assistant", content: null, refusal: "I can't help with that" },
        { role: "user", content: "Why not?" },
      ],
    });
    assert.deepEqual(body.messages, [
      { role: "user", content: [{ type: "text", text: "Help me pick a lock." }] },
      { role: "assistant", content: [{ type: "text", text: "I can't help with that" }] },
      { role: "user", content: [{ type: "text", text: "Why not?" }] },
    ]);
    const both = translateChatRequest({ model: "m", messages: [{ role: "user", content: "x" }, { role: "assistant", content: "Well.", refusal: "I can't." }, { role: "user", content: "y" }] });
    assert.deepEqual((both.body.messages as Record<string, unknown>[])[1], { role: "assistant", content: [{ type: "text", text: "Well." }, { type: "text", text: "I can't." }] });
    assert.throws(
      () => translateChatRequest({ model: "m", messages: [{ role: "user", content: "x" }, { role: "assistant", content: null, refusal: { text: "no" } }, { role: "user", content: "y" }] }),
      /^GatewayError: messages\[1\]\.refusal: must be a string/,
    );
    // Refusal parts in an assistant's content list (OpenAI's types allow them) are its text too.
    const parts = translateChatRequest({ model: "m", messages: [{ role: "user", content: "x" }, { role: "assistant", content: [{ type: "text", text: "Well. " }, { type: "refusal", refusal: "I can't." }] }, { role: "user", content: "y" }] });
    assert.deepEqual((parts.body.messages as Record<string, unknown>[])[1], { role: "assistant", content: [{ type: "text", text: "Well. I can't." }] });
    // Only there: a system message's refusal part is still refused.
    assert.throws(() => translateChatRequest({ model: "m", messages: [{ role: "system", content: [{ type: "refusal", refusal: "no" }] }, { role: "user", content: "y" }] }), /messages\[0\]\.content\[0\]: only text parts are supported here/);
  });

  test("cache_control (Anthropic's breakpoint, as OpenRouter and LiteLLM take it) on parts, messages and tools goes upstream, never dropped", () => {
    const ephemeral = { type: "ephemeral" };
    const hour = { type: "ephemeral", ttl: "1h" };
    const { body } = translateChatRequest({
      model: "m",
      tools: [{ type: "function", function: { name: "w" }, cache_control: hour }],
      messages: [
        { role: "system", content: [{ type: "text", text: "Long rules." , cache_control: hour }] },
        { role: "developer", content: "More rules." },
        { role: "user", content: [{ type: "text", text: "Doc" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" }, cache_control: ephemeral }] },
        { role: "assistant", content: "Noted.", cache_control: ephemeral },
        { role: "user", content: "Weather?" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "w", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "c1", content: [{ type: "text", text: "sunny" }], cache_control: ephemeral },
        { role: "user", content: "Thanks.", cache_control: ephemeral },
      ],
    });
    assert.deepEqual(body.tools, [{ name: "w", input_schema: { type: "object", properties: {} }, cache_control: hour }]);
    assert.deepEqual(body.system, [{ type: "text", text: "Long rules.", cache_control: hour }, { type: "text", text: "More rules." }]);
    assert.deepEqual(body.messages, [
      { role: "user", content: [{ type: "text", text: "Doc" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" }, cache_control: ephemeral }] },
      { role: "assistant", content: [{ type: "text", text: "Noted.", cache_control: ephemeral }] },
      { role: "user", content: [{ type: "text", text: "Weather?" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "c1", name: "w", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "c1", content: "sunny", cache_control: ephemeral }, { type: "text", text: "Thanks.", cache_control: ephemeral }] },
    ]);
    // Without a breakpoint the system stays one string, the parts of a message one text.
    assert.equal(translateChatRequest({ model: "m", messages: [{ role: "system", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }, { role: "user", content: "x" }] }).body.system, "ab");
    const refused: [unknown[], RegExp][] = [
      [[{ role: "user", content: [{ type: "text", text: " ", cache_control: ephemeral }, { type: "text", text: "x" }] }], /^messages\[0\]\.content\[0\]\.cache_control: is on blank text/],
      [[{ role: "system", content: "", cache_control: ephemeral }, { role: "user", content: "x" }], /^messages\[0\]\.cache_control: is on blank text/],
      [[{ role: "user", content: "x", cache_control: "ephemeral" }], /^messages\[0\]\.cache_control: must be an object/],
    ];
    for (const [messages, message] of refused) {
      assert.throws(() => translateChatRequest({ model: "m", messages }), (error: Error) => message.test(error.message), JSON.stringify(messages));
    }
  });

  test("what cannot be translated exactly is a 400 naming the field", () => {
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ n: 3 }, /^n: only 1/],
      [{ temperature: 2 }, /^temperature: must be between 0 and 1/],
      [{ seed: 7 }, /^seed: is not supported/],
      [{ store: true }, /^store: only false/],
      [{ response_format: { type: "json_schema", json_schema: {} } }, /^response_format: only \{type: "text"\}/],
      [{ messages: [] }, /^messages: must be a non-empty list/],
      [{ messages: [{ role: "system", content: "only a system prompt" }] }, /^messages: must hold at least one user message/],
      [{ messages: [{ role: "narrator", content: "x" }] }, /^messages\[0\]\.role: must be system/],
      [{ messages: [{ role: "user", content: [{ type: "input_audio" }] }] }, /^messages\[0\]\.content\[0\]: content parts of type "input_audio"/],
      [{ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://x" } }] }] }, /^messages\[0\]\.content\[0\]\.image_url\.url/],
      [{ messages: [{ role: "assistant", tool_calls: [{ id: "c", function: { name: "w", arguments: "{not json" } }] }, { role: "user", content: "x" }] }, /^messages\[0\]\.tool_calls\[0\]\.function\.arguments: must be a JSON object/],
      [{ messages: [{ role: "tool", content: "x" }] }, /^messages\[0\]\.tool_call_id: is required/],
      [{ messages: [{ role: "user", content: "x" }, { role: "assistant", content: null, function_call: { name: "w", arguments: "{}" } }, { role: "function", name: "w", content: "y" }] }, /^messages\[1\]\.function_call: is the deprecated form of tool_calls/],
      [{ tools: [{ type: "code_interpreter" }] }, /^tools\[0\]: must be/],
      [{ tool_choice: "sometimes" }, /^tool_choice: must be/],
      [{ max_tokens: 0 }, /^max_tokens: must be a whole number/],
      [{ stop: ["\n"] }, /^stop: each stop sequence must hold a character other than whitespace/],
      [{ tools: [{ type: "function", function: { name: "w", parameters: { type: "object" }, strict: true } }] }, /^tools\[0\]\.function\.strict: only false/],
    ];
    for (const [change, message] of refused) {
      assert.throws(() => translateChatRequest({ model: "m", messages: [{ role: "user", content: "x" }], ...change }), (error: Error) => message.test(error.message), JSON.stringify(change));
    }
  });
});

describe("Messages answer → chat completion", () => {
  test("text and tool calls, finish reasons, and usage counting the cache in prompt_tokens", () => {
    const completion = chatCompletion(
      {
        id: "msg_1",
        model: "claude-x",
        stop_reason: "tool_use",
        content: [
          { type: "thinking", thinking: "hidden" },
          { type: "text", text: "Let me check. " },
          { type: "text", text: "One moment." },
          { type: "tool_use", id: "toolu_1", name: "w", input: { city: "Oslo" } },
        ],
        usage: { input_tokens: 10, cache_read_input_tokens: 1_000, cache_creation_input_tokens: 200, output_tokens: 30 },
      },
      1_700_000_000,
    );
    assert.deepEqual(completion, {
      id: "msg_1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "claude-x",
      choices: [{ index: 0, message: { role: "assistant", content: "Let me check. One moment.", refusal: null, tool_calls: [{ id: "toolu_1", type: "function", function: { name: "w", arguments: '{"city":"Oslo"}' } }] }, finish_reason: "tool_calls", logprobs: null }],
      usage: { prompt_tokens: 1_210, completion_tokens: 30, total_tokens: 1_240, prompt_tokens_details: { cached_tokens: 1_000, cache_write_tokens: 200 } },
    });
    assert.deepEqual(
      ["end_turn", "stop_sequence", "max_tokens", "model_context_window_exceeded", "tool_use", "refusal", "pause_turn", "something_new"].map(finishReason),
      ["stop", "stop", "length", "length", "tool_calls", "content_filter", "stop", "stop"],
    );
    assert.deepEqual(chatUsage(undefined), { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } });
  });

  test("an Anthropic error body becomes OpenAI's error object", () => {
    assert.deepEqual(JSON.parse(chatError('{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}')), { error: { message: "slow down", type: "rate_limit_error", param: null, code: "rate_limit_exceeded" } });
    assert.deepEqual(JSON.parse(chatError("upstream said no")), { error: { message: "upstream said no", type: "api_error", param: null, code: null } });
    // An invalid request names its field as OpenAI's param, as the SDKs read it (err.param).
    const param = (message: string, type = "invalid_request_error") => (JSON.parse(chatError(JSON.stringify({ type: "error", error: { type, message } }))) as { error: { param: unknown } }).error.param;
    assert.equal(param("n: only 1 is supported by Claude"), "n");
    assert.equal(param("messages[3]: the conversation ends with an assistant message"), "messages[3]");
    assert.equal(param("tools[0].function.strict: only false is supported"), "tools[0].function.strict");
    assert.equal(param("messages.0.content: Field required"), "messages.0.content");
    assert.equal(param("the request body must be a JSON object"), null);
    // An upstream's refusal names its provider first (and Bedrock its exception): not a param.
    assert.equal(param("anthropic: messages.0.content: Field required"), "messages.0.content");
    assert.equal(param("bedrock-us: ValidationException: max_tokens: must be at least 1"), "max_tokens");
    assert.equal(param("anthropic: something went wrong: oh"), null);
    assert.equal(param("n: something", "api_error"), null, "only an invalid request names a param");
  });

  test("a param is the chat request's field: the one that set max_tokens, a tool's function, stop; Bedrock's JSON pointers and routing refusals are read", () => {
    const error = (message: string, context: Parameters<typeof chatError>[1] = {}) => {
      const said = (JSON.parse(chatError(JSON.stringify({ type: "error", error: { type: "invalid_request_error", message } }), context)) as { error: { param: string | null; message: string } }).error;
      return { param: said.param, message: said.message };
    };
    const routed = "no deployment of haiku can serve this request: anthropic-haiku fails max_tokens 100000: its output limit is 64000 tokens. The request asks for something these deployments lack";
    assert.deepEqual(error(routed, { maxTokensFrom: "max_completion_tokens" }), { param: "max_completion_tokens", message: `${routed} (max_tokens is the chat request's max_completion_tokens)` });
    assert.deepEqual(error(routed, { maxTokensFrom: "max_tokens" }), { param: "max_tokens", message: routed });
    assert.equal(error(routed).param, "max_tokens", "the gateway chose max_tokens: as the message says it");
    assert.equal(error("anthropic: max_tokens: 100000 > 64000, which is the maximum allowed", { maxTokensFrom: "max_completion_tokens" }).param, "max_completion_tokens");
    // Bedrock's schema errors name the field as a JSON pointer after "Malformed input request".
    const pointer = (path: string) => `bedrock-haiku-global: ValidationException: Malformed input request: #/${path}: tool names must match ^[a-zA-Z0-9_-]{1,128}$, please reformat your input and try again.`;
    assert.deepEqual(error(pointer("tools/0/name")), { param: "tools[0].function.name", message: `${pointer("tools/0/name")} (tools.0.name is the chat request's tools[0].function.name)` });
    assert.equal(error(pointer("tools/2/input_schema/type")).param, "tools[2].function.parameters");
    assert.equal(error(pointer("tools/1")).param, "tools[1]");
    assert.equal(error(pointer("messages/1/content/0"), { sources: [[0], [1, 2]] }).param, "messages[1]");
    assert.equal(error(pointer("temperature")).param, "temperature", "a field of the same name in both: as is");
    assert.equal(error(pointer("metadata/user_id")).param, "metadata.user_id", "no known mapping: the upstream's path");
    assert.equal(error("bedrock: ValidationException: Malformed input request: #: required key [messages] not found, please reformat").param, null);
    assert.equal(error("anthropic: stop_sequences: each must hold a character").param, "stop");
    // A routing refusal naming a message, a feature that is no field, a constraint.
    const urlSource = 'no deployment of h can serve this request: b fails messages.0.content.1.source.type "url" (an image by URL): it takes base64 images only';
    assert.equal(error(urlSource, { sources: [[1, 1]] }).param, "messages[1]");
    assert.equal(error("no deployment of h can serve this request: b fails a 1-hour cache TTL: it has none").param, null);
    assert.equal(error("no deployment of h can serve this request within its routing constraints: b fails residency=eu (it keeps data in us)").param, null);
  });
});

describe("the response adapter", () => {
  /** A fake ServerResponse that keeps what is written, and the headers of each answer. */
  function fakeResponse() {
    const written: string[] = [];
    const heads: Record<string, string>[] = [];
    const fake = {
      destroyed: false,
      writeHead(_status: number, headers: Record<string, string>) {
        heads.push(headers);
        return this;
      },
      write(chunk: string) {
        written.push(chunk);
        return true;
      },
      end() {
        return this;
      },
      on() {
        return this;
      },
      off() {
        return this;
      },
    };
    return { fake: fake as unknown as ServerResponse, written, heads };
  }
  const sse = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

  /** The chunks of a stream the adapter wrote, parsed (the [DONE] line left out). */
  type Chunk = { choices: { delta: { content?: string; tool_calls?: { index: number; id?: string; function: { name?: string; arguments: string } }[] } }[]; usage: Record<string, unknown> | null };
  const chunksOf = (written: string[]): Chunk[] => written.join("").split("\n\n").filter((event) => event.startsWith("data: {")).map((event) => JSON.parse(event.slice(6)) as Chunk);

  /** An adapter for a streamed chat request (with include_usage when asked), its head written, and what it writes. */
  function streamAdapter(includeUsage = false): { adapter: ChatCompletionResponse; written: string[] } {
    const { fake, written } = fakeResponse();
    const adapter = new ChatCompletionResponse(fake);
    adapter.translate({ model: "m", messages: [{ role: "user", content: "x" }], stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) }, () => undefined);
    adapter.writeHead(200, { "content-type": "text/event-stream" });
    return { adapter, written };
  }

  test("a stream: usage null on every chunk with include_usage; a tool called without arguments gets \"{}\"", () => {
    const { adapter, written } = streamAdapter(true);
    adapter.write(sse("message_start", { message: { id: "msg_1", model: "m", usage: { input_tokens: 3 } } }));
    adapter.write(sse("content_block_start", { index: 0, content_block: { type: "tool_use", id: "t1", name: "now", input: {} } }));
    adapter.write(sse("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: "" } }));
    adapter.write(sse("content_block_stop", { index: 0 }));
    adapter.write(sse("message_delta", { delta: { stop_reason: "tool_use" }, usage: { output_tokens: 2 } }));
    adapter.write(sse("message_stop", {}));
    adapter.end();
    const chunks = chunksOf(written);
    assert.ok(chunks.slice(0, -1).every((chunk) => chunk.usage === null), "every chunk before the last has usage: null");
    assert.deepEqual((chunks.at(-1)?.usage as { completion_tokens: number }).completion_tokens, 2);
    const args = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).map((call) => call.function.arguments).join("");
    assert.equal(args, "{}");
  });

  test("a stream: tool_calls are numbered from 0 among the calls, whatever Anthropic index a text block before them took", () => {
    const { adapter, written } = streamAdapter();
    adapter.write(sse("message_start", { message: { id: "msg_1", model: "m", usage: { input_tokens: 3 } } }));
    adapter.write(sse("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
    adapter.write(sse("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Checking both." } }));
    adapter.write(sse("content_block_stop", { index: 0 }));
    adapter.write(sse("content_block_start", { index: 1, content_block: { type: "tool_use", id: "t1", name: "w", input: {} } }));
    adapter.write(sse("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '{"city":"Oslo"}' } }));
    adapter.write(sse("content_block_stop", { index: 1 }));
    adapter.write(sse("content_block_start", { index: 2, content_block: { type: "tool_use", id: "t2", name: "w", input: {} } }));
    adapter.write(sse("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: '{"city":"Bergen"}' } }));
    adapter.write(sse("content_block_stop", { index: 2 }));
    adapter.write(sse("message_delta", { delta: { stop_reason: "tool_use" }, usage: { output_tokens: 20 } }));
    adapter.write(sse("message_stop", {}));
    adapter.end();
    const calls = chunksOf(written).flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    assert.deepEqual(calls, [
      { index: 0, id: "t1", type: "function", function: { name: "w", arguments: "" } },
      { index: 0, function: { arguments: '{"city":"Oslo"}' } },
      { index: 1, id: "t2", type: "function", function: { name: "w", arguments: "" } },
      { index: 1, function: { arguments: '{"city":"Bergen"}' } },
    ]);
  });

  test("a stream's usage chunk counts the cache from message_start: prompt_tokens include reads and writes, each also given apart", () => {
    const { adapter, written } = streamAdapter(true);
    adapter.write(sse("message_start", { message: { id: "msg_1", model: "m", usage: { input_tokens: 5, cache_read_input_tokens: 1_000, cache_creation_input_tokens: 300, output_tokens: 1 } } }));
    adapter.write(sse("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
    adapter.write(sse("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hi" } }));
    adapter.write(sse("content_block_stop", { index: 0 }));
    // message_delta's usage repeats only what changed (some upstreams send nulls for the rest).
    adapter.write(sse("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: 7, cache_read_input_tokens: null } }));
    adapter.write(sse("message_stop", {}));
    adapter.end();
    assert.deepEqual(chunksOf(written).at(-1)?.usage, { prompt_tokens: 1_305, completion_tokens: 7, total_tokens: 1_312, prompt_tokens_details: { cached_tokens: 1_000, cache_write_tokens: 300 } });
  });

  test("every answer with a request-id also carries it as x-request-id, where the openai SDK reads it", () => {
    const { fake, heads: answers } = fakeResponse();
    const json = new ChatCompletionResponse(fake);
    json.writeHead(200, { "content-type": "application/json", "request-id": "req_json" });
    json.end(JSON.stringify({ id: "msg_1", model: "m", content: [{ type: "text", text: "Hi" }], stop_reason: "end_turn", usage: {} }));
    const refused = new ChatCompletionResponse(fake);
    refused.writeHead(400, { "content-type": "application/json", "request-id": "req_400" });
    refused.end('{"type":"error","error":{"type":"invalid_request_error","message":"n: only 1"}}');
    const stream = new ChatCompletionResponse(fake);
    stream.writeHead(200, { "content-type": "text/event-stream", "request-id": "req_stream" });
    stream.end();
    assert.deepEqual(answers.map((headers) => [headers["request-id"], headers["x-request-id"]]), [["req_json", "req_json"], ["req_400", "req_400"], ["req_stream", "req_stream"]]);
    // Without a request-id there is nothing to repeat.
    const bare = new ChatCompletionResponse(fake);
    bare.writeHead(502, { "content-type": "application/json" });
    bare.end("upstream gone");
    assert.equal(answers.at(-1)?.["x-request-id"], undefined);
  });

  test("an error the gateway adds mid-event is a whole error chunk, not glued to the half event, and no [DONE]", () => {
    const { fake, written } = fakeResponse();
    const adapter = new ChatCompletionResponse(fake);
    adapter.writeHead(200, { "content-type": "text/event-stream" });
    adapter.write(sse("message_start", { message: { id: "msg_1", model: "m", usage: { input_tokens: 3 } } }));
    adapter.write('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_de');
    adapter.writeStreamError("api_error", "connection lost");
    adapter.end();
    const text = written.join("");
    assert.ok(text.endsWith('data: {"error":{"message":"connection lost","type":"api_error","param":null,"code":null}}\n\n'), text);
    assert.doesNotMatch(text, /\[DONE\]/);
  });


  test("an answer that is not a message becomes a 502 in OpenAI's shape, once, without throwing", () => {
    const written: { status?: number; headers?: Record<string, string>; body?: string; ends: number } = { ends: 0 };
    const fake = {
      destroyed: false,
      writeHead(status: number, headers: Record<string, string>) {
        written.status = status;
        written.headers = headers;
        return this;
      },
      write: () => true,
      end(body?: string) {
        written.body = body;
        written.ends += 1;
        return this;
      },
      on() {
        return this;
      },
      off() {
        return this;
      },
    };
    const adapter = new ChatCompletionResponse(fake as unknown as ServerResponse);
    adapter.writeHead(200, { "content-type": "application/json", "content-length": "9" });
    adapter.end("not json!");
    adapter.end();
    assert.equal(written.status, 502);
    assert.equal(written.ends, 1);
    assert.match(JSON.parse(written.body ?? "{}").error.message, /could not be read as a message/);
    assert.equal(written.headers?.["content-length"], String(Buffer.byteLength(written.body ?? "")));
  });
});
