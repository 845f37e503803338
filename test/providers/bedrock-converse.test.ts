/** The Converse translation of the Bedrock provider (src/providers/bedrock/converse.ts), piece by piece. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConverseToAnthropic, fromConverseResponse, toConverseRequest } from "../../src/providers/bedrock/converse.js";

test("request: blocks, cache points with their TTL, inference settings, extras, tools and choices", () => {
  const request = toConverseRequest(
    {
      model: "m",
      max_tokens: 100,
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ["END"],
      thinking: { type: "enabled", budget_tokens: 2048 },
      system: [{ type: "text", text: "sys", cache_control: { type: "ephemeral", ttl: "1h" } }],
      tools: [{ name: "w", input_schema: { type: "object" }, cache_control: { type: "ephemeral" } }],
      tool_choice: { type: "tool", name: "w" },
      messages: [
        { role: "user", content: [{ type: "text", text: "hi" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }, { type: "document", title: "Q3 report.pdf", source: { type: "base64", media_type: "application/pdf", data: "JVBE" } }] },
        { role: "assistant", content: [{ type: "thinking", thinking: "t", signature: "s" }, { type: "tool_use", id: "tu1", name: "w", input: { a: 1 } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "tu1", content: "ok", is_error: true }] },
      ],
    },
    ["interleaved-thinking-2025-05-14"],
  );
  assert.deepEqual(request, {
    messages: [
      { role: "user", content: [{ text: "hi" }, { image: { format: "png", source: { bytes: "AAAA" } } }, { document: { format: "pdf", name: "Q3 report pdf", source: { bytes: "JVBE" } } }] },
      { role: "assistant", content: [{ reasoningContent: { reasoningText: { text: "t", signature: "s" } } }, { toolUse: { toolUseId: "tu1", name: "w", input: { a: 1 } } }] },
      { role: "user", content: [{ toolResult: { toolUseId: "tu1", content: [{ text: "ok" }], status: "error" } }] },
    ],
    system: [{ text: "sys" }, { cachePoint: { type: "default", ttl: "1h" } }],
    inferenceConfig: { maxTokens: 100, temperature: 0.5, topP: 0.9, stopSequences: ["END"] },
    additionalModelResponseFieldPaths: ["/stop_sequence"],
    additionalModelRequestFields: { top_k: 40, thinking: { type: "enabled", budget_tokens: 2048 }, anthropic_beta: ["interleaved-thinking-2025-05-14"] },
    toolConfig: { tools: [{ toolSpec: { name: "w", inputSchema: { json: { type: "object" } } } }, { cachePoint: { type: "default" } }], toolChoice: { tool: { name: "w" } } },
  });
  // tool_choice none: Converse has no such choice, so the tools are left out.
  assert.equal(toConverseRequest({ max_tokens: 1, messages: [], tools: [{ name: "w", input_schema: {} }], tool_choice: { type: "none" } }, []).toolConfig, undefined);
});

test("request: document names are valid and unique across the request, as Converse requires", () => {
  const doc = (title?: string) => ({ type: "document", ...(title === undefined ? {} : { title }), source: { type: "text", media_type: "text/plain", data: "x" } });
  const request = toConverseRequest(
    {
      max_tokens: 1,
      messages: [
        { role: "user", content: [doc(), doc("Report: Q3"), doc("日本.pdf")] },
        { role: "assistant", content: "ok" },
        { role: "user", content: [doc(), doc("Report: Q3")] },
      ],
    },
    [],
  ) as { messages: { content: { document?: { name: string } }[] }[] };
  const names = request.messages.flatMap((message) => message.content.flatMap((block) => (block.document ? [block.document.name] : [])));
  assert.deepEqual(names, ["document-1", "Report Q3", "pdf", "document-4", "Report Q3 (2)"]);
  for (const name of names) assert.match(name, /^[a-zA-Z0-9()[\]-]+( [a-zA-Z0-9()[\]-]+)*$/, "no whitespace runs, no other characters");
});

test("request: tool_choice none with tool calls in the conversation is refused (Converse would need the tools)", () => {
  const history = [
    { role: "user", content: "Weather?" },
    { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "w", input: {} }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "sunny" }] },
  ];
  assert.throws(() => toConverseRequest({ max_tokens: 1, messages: history, tools: [{ name: "w", input_schema: {} }], tool_choice: { type: "none" } }, []), /tool_choice: none with tool calls in the conversation cannot be sent/);
  assert.ok(toConverseRequest({ max_tokens: 1, messages: history, tools: [{ name: "w", input_schema: {} }], tool_choice: { type: "auto" } }, []).toolConfig);
});

test("request: a tool result's image goes as an image, not as JSON text", () => {
  const request = toConverseRequest(
    { max_tokens: 1, messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "chart:" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }] }] }] },
    [],
  ) as { messages: { content: { toolResult: { content: unknown[] } }[] }[] };
  assert.deepEqual(request.messages[0]?.content[0]?.toolResult.content, [{ text: "chart:" }, { image: { format: "png", source: { bytes: "iVBORw0KGgo=" } } }]);
});

test("request: a cache breakpoint inside a tool result becomes a cache point right after the result (Converse has none inside one)", () => {
  const result = (cacheOnResult: boolean) =>
    (
      toConverseRequest(
        {
          max_tokens: 1,
          messages: [
            {
              role: "user",
              content: [
                {
                  type: "tool_result",
                  tool_use_id: "t1",
                  content: [{ type: "text", text: "a long result", cache_control: { type: "ephemeral", ttl: "1h" } }],
                  ...(cacheOnResult ? { cache_control: { type: "ephemeral" } } : {}),
                },
              ],
            },
          ],
        },
        [],
      ) as { messages: { content: unknown[] }[] }
    ).messages[0]?.content;
  assert.deepEqual(result(false), [{ toolResult: { toolUseId: "t1", content: [{ text: "a long result" }] } }, { cachePoint: { type: "default", ttl: "1h" } }]);
  // The result's own breakpoint wins; never two in a row.
  assert.deepEqual(result(true), [{ toolResult: { toolUseId: "t1", content: [{ text: "a long result" }] } }, { cachePoint: { type: "default" } }]);
});

test("request: what Converse cannot carry is refused, naming the field", () => {
  const refusals: [Record<string, unknown>, RegExp][] = [
    [{ messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "https://x" } }] }] }, /messages\[0\]\.content\[0\]\.source/],
    [{ messages: [{ role: "user", content: [{ type: "server_tool_use", id: "x" }] }] }, /blocks of type "server_tool_use"/],
    [{ messages: [], tools: [{ type: "web_search_20250305", name: "web_search" }] }, /tools\[0\]: only custom tools/],
    [{ messages: [], tools: [{ name: "w", input_schema: {} }], tool_choice: { type: "auto", disable_parallel_tool_use: true } }, /disable_parallel_tool_use/],
    [{ messages: [], metadata: { user_id: "u", tier: "gold" } }, /metadata: only user_id can be sent/],
    [{ messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "tool_use", id: "x", name: "n", input: {} }] }] }] }, /messages\[0\]\.content\[0\]\.content: only text, image and document parts/],
    [{ messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", is_error: true }] }] }, /messages\[0\]\.content\[0\]\.content: an error result with no content/],
    [{ messages: [{ role: "user", content: [{ type: "document", source: { type: "text", data: "x" }, citations: { enabled: true } }] }] }, /messages\[0\]\.content\[0\]\.citations: cannot be sent/],
    [{ messages: [{ role: "assistant", content: [{ type: "text", text: "x", citations: [{ type: "char_location" }] }] }] }, /messages\[0\]\.content\[0\]\.citations/],
    [{ messages: [], output_config: { effort: "low" } }, /output_config: cannot be sent/],
    [{ messages: [], container: "c1" }, /container: cannot be sent/],
  ];
  for (const [body, message] of refusals) assert.throws(() => toConverseRequest({ max_tokens: 1, ...body }, []), message);
  // The end user's id goes along as requestMetadata (an OpenAI chat request's `user` arrives so).
  assert.deepEqual(toConverseRequest({ max_tokens: 1, messages: [], metadata: { user_id: "u-42" } }, []).requestMetadata, { user_id: "u-42" });
  assert.equal(toConverseRequest({ max_tokens: 1, messages: [], metadata: {} }, []).requestMetadata, undefined);
  // A user_id Bedrock would refuse only labels its invocation log: left out, not refused.
  assert.equal(toConverseRequest({ max_tokens: 1, messages: [], metadata: { user_id: '{"device_id":"d1","session_id":"s1"}' } }, []).requestMetadata, undefined);
  assert.equal(toConverseRequest({ max_tokens: 1, messages: [], metadata: { user_id: "u".repeat(257) } }, []).requestMetadata, undefined);
  // Bedrock's \s is Java's: a no-break space does not fit.
  const notes: string[] = [];
  assert.equal(toConverseRequest({ max_tokens: 1, messages: [], metadata: { user_id: "no-break\u00a0space" } }, [], notes).requestMetadata, undefined);
  assert.deepEqual(notes, ["left metadata.user_id out of Converse's requestMetadata: Bedrock's pattern refuses it"]);
  assert.deepEqual(toConverseRequest({ max_tokens: 1, messages: [], metadata: { user_id: "user_ab12_account__session_9f=+/@." } }, []).requestMetadata, { user_id: "user_ab12_account__session_9f=+/@." });
});

test("answer: content, stop reasons and usage in Anthropic's shape", () => {
  const message = fromConverseResponse(
    {
      output: { message: { role: "assistant", content: [{ reasoningContent: { reasoningText: { text: "hm", signature: "sig" } } }, { text: "Hello" }, { toolUse: { toolUseId: "t1", name: "w", input: { c: "x" } } }] } },
      stopReason: "guardrail_intervened",
      usage: { inputTokens: 5, outputTokens: 7, cacheReadInputTokens: 100, cacheWriteInputTokens: 20 },
      additionalModelResponseFields: { stop_sequence: null },
    },
    "global.anthropic.claude-x",
    "msg_bdrk_1",
  );
  assert.deepEqual(message, {
    id: "msg_bdrk_1",
    type: "message",
    role: "assistant",
    model: "global.anthropic.claude-x",
    content: [{ type: "thinking", thinking: "hm", signature: "sig" }, { type: "text", text: "Hello" }, { type: "tool_use", id: "t1", name: "w", input: { c: "x" } }],
    stop_reason: "refusal",
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 7, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
  });
});

test("stream: redacted reasoning arrives whole in its block's start, its pieces joined as bytes", () => {
  const translator = new ConverseToAnthropic("m", "msg_1");
  const pieces = [Buffer.from([1, 2]).toString("base64"), Buffer.from([3, 4, 5, 6]).toString("base64")]; // "AQI=" + "AwQFBg=="
  const sse = [
    translator.translate("contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { redactedContent: pieces[0] } } }),
    translator.translate("contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { redactedContent: pieces[1] } } }),
    translator.translate("contentBlockStop", { contentBlockIndex: 0 }),
  ].join("");
  const events = sse.trim().split("\n\n").map((block) => JSON.parse(block.split("\n")[1]?.slice(6) ?? "{}") as { type: string; content_block?: { type: string; data: string } });
  assert.deepEqual(events.map((event) => event.type), ["content_block_start", "content_block_stop"]);
  assert.deepEqual(events[0]?.content_block, { type: "redacted_thinking", data: Buffer.from([1, 2, 3, 4, 5, 6]).toString("base64") });
});

test("stream: text blocks opened by their first delta, tool blocks by their start, usage and stop at the end", () => {
  const translator = new ConverseToAnthropic("m", "msg_1");
  const events = [
    ["messageStart", { role: "assistant" }],
    ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hi" } }],
    ["contentBlockStop", { contentBlockIndex: 0 }],
    ["contentBlockStart", { contentBlockIndex: 1, start: { toolUse: { toolUseId: "t", name: "w" } } }],
    ["contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":' } } }],
    ["contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: "1}" } } }],
    ["contentBlockStop", { contentBlockIndex: 1 }],
    ["messageStop", { stopReason: "tool_use" }],
    ["metadata", { usage: { inputTokens: 3, outputTokens: 4, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }, metrics: { latencyMs: 5 } }],
  ] as const;
  const sse = events.map(([type, payload]) => translator.translate(type, payload as Record<string, unknown>)).join("");
  const parsed = sse
    .trim()
    .split("\n\n")
    .map((block) => JSON.parse(block.split("\n")[1]?.slice(6) ?? "{}") as { type: string; delta?: { type?: string; stop_reason?: string }; usage?: { output_tokens?: number } });
  assert.deepEqual(
    parsed.map((event) => event.type + (event.delta?.type ? `:${event.delta.type}` : "")),
    ["message_start", "content_block_start", "content_block_delta:text_delta", "content_block_stop", "content_block_start", "content_block_delta:input_json_delta", "content_block_delta:input_json_delta", "content_block_stop", "message_delta", "message_stop"],
  );
  const delta = parsed.find((event) => event.type === "message_delta");
  assert.equal(delta?.delta?.stop_reason, "tool_use");
  assert.equal(delta?.usage?.output_tokens, 4);
  assert.deepEqual(translator.usage, { inputTokens: 3, outputTokens: 4, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });
});
