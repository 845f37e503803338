import { test } from "node:test";
import assert from "node:assert/strict";
import type { PromptRequest } from "../../src/emulators/shared/messages-request.js";
import { layoutPrompt } from "../../src/emulators/shared/prompt-layout.js";
import { checkPrompt } from "../../src/emulators/shared/prompt-rules.js";
import { generateReply } from "../../src/emulators/shared/reply-generator.js";
import { textTokens } from "../../src/emulators/shared/token-count.js";

const weatherTool = {
  name: "get_weather",
  description: "Current weather",
  input_schema: {
    type: "object" as const,
    properties: { location: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] }, days: { type: "integer", minimum: 1, maximum: 7 } },
    required: ["location", "unit"],
  },
};

function ask(text: string, extra: Partial<PromptRequest> = {}): PromptRequest {
  return { max_tokens: 500, messages: [{ role: "user", content: text }], ...extra };
}

test("the same request gets the same reply; another request gets another", () => {
  const first = generateReply(ask("Hello"), "m");
  assert.deepEqual(generateReply(ask("Hello"), "m"), first);
  assert.notDeepEqual(generateReply(ask("Hello!"), "m").content, first.content);
  assert.notDeepEqual(generateReply(ask("Hello"), "other-model").content, first.content);
});

test("output tokens count the text, and max_tokens cuts it exactly with stop_reason max_tokens", () => {
  const free = generateReply(ask("Tell me"), "m");
  const text = free.content[0]?.type === "text" ? free.content[0].text : "";
  assert.equal(free.outputTokens, textTokens(text));
  assert.equal(free.stopReason, "end_turn");
  const cut = generateReply(ask("Tell me", { max_tokens: 5 }), "m");
  assert.equal(cut.stopReason, "max_tokens");
  assert.equal(cut.outputTokens, 5);
});

test("tool_choice any forces a tool_use whose input satisfies the schema", () => {
  const reply = generateReply(ask("What should I wear?", { tools: [weatherTool], tool_choice: { type: "any" } }), "m");
  assert.equal(reply.stopReason, "tool_use");
  assert.equal(reply.content.length, 1);
  const block = reply.content[0];
  assert.ok(block?.type === "tool_use");
  assert.equal(block.name, "get_weather");
  assert.match(block.id, /^toolu_01[0-9A-Za-z]{22}$/);
  assert.equal(typeof block.input["location"], "string");
  assert.ok(["celsius", "fahrenheit"].includes(String(block.input["unit"])));
  const days = block.input["days"];
  assert.ok(typeof days === "number" && Number.isInteger(days) && days >= 1 && days <= 7);
});

test("with tool_choice auto a tool is called when the last user message names it, not after its result", () => {
  const named = generateReply(ask("Please use get_weather for Paris", { tools: [weatherTool] }), "m");
  assert.deepEqual(named.content.map((block) => block.type), ["text", "tool_use"]);
  assert.equal(named.stopReason, "tool_use");
  assert.equal(generateReply(ask("What is the weather?", { tools: [weatherTool] }), "m").stopReason, "end_turn");
  const toolUse = named.content[1];
  assert.ok(toolUse?.type === "tool_use");
  const afterResult: PromptRequest = {
    max_tokens: 300,
    tools: [weatherTool],
    messages: [
      { role: "user", content: "Please use get_weather for Paris" },
      { role: "assistant", content: named.content.map((block) => (block.type === "tool_use" ? { ...block } : { type: "text" as const, text: block.type === "text" ? block.text : "" })) },
      { role: "user", content: [{ type: "tool_result", tool_use_id: toolUse.id, content: "18 C, sunny" }] },
    ],
  };
  assert.equal(checkPrompt(afterResult), undefined);
  assert.equal(generateReply(afterResult, "m").stopReason, "end_turn");
  assert.equal(generateReply(ask("get_weather please", { tools: [weatherTool], tool_choice: { type: "none" } }), "m").stopReason, "end_turn");
});

test("a stop sequence found in the prompt ends the reply with stop_reason stop_sequence", () => {
  const reply = generateReply(ask("Answer, then END", { stop_sequences: ["END"] }), "m");
  assert.equal(reply.stopReason, "stop_sequence");
  assert.equal(reply.stopSequence, "END");
});

test("thinking, when enabled, comes first and counts as output", () => {
  const reply = generateReply(ask("Think", { max_tokens: 4000, thinking: { type: "enabled", budget_tokens: 1024 } }), "m");
  assert.equal(reply.content[0]?.type, "thinking");
  assert.equal(reply.content[1]?.type, "text");
  const thinking = reply.content[0]?.type === "thinking" ? reply.content[0].thinking : "";
  const text = reply.content[1]?.type === "text" ? reply.content[1].text : "";
  assert.equal(reply.outputTokens, textTokens(thinking) + textTokens(text));
});

test("token counts add up per block, with fixed costs for images and tools", () => {
  const plain = layoutPrompt(ask("abcdefgh"), "m").totalTokens;
  assert.equal(plain, 4 + 3 + 2);
  const image = layoutPrompt({ max_tokens: 5, messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }] }] }, "m");
  assert.equal(image.totalTokens, 4 + 3 + 1600);
  const withTool = layoutPrompt(ask("abcdefgh", { tools: [weatherTool] }), "m").totalTokens;
  assert.ok(withTool - plain > 300, "the tool preamble and definition are counted");
});

test("prompt rules match the API's messages", () => {
  assert.match(checkPrompt(ask("")) ?? "", /non-empty content/);
  assert.match(checkPrompt({ max_tokens: 5, messages: [{ role: "user", content: "a" }, { role: "user", content: "b" }] }) ?? "", /roles must alternate/);
  assert.match(checkPrompt({ max_tokens: 5, messages: [{ role: "user", content: [{ type: "text", text: " " }] }] }) ?? "", /text content blocks must be non-empty/);
  assert.match(
    checkPrompt({ max_tokens: 5, messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_x", content: "r" }] }] }) ?? "",
    /unexpected `tool_use_id`/,
  );
  const five = Array.from({ length: 5 }, (_, index) => ({ type: "text" as const, text: `t${index}`, cache_control: { type: "ephemeral" as const } }));
  assert.match(checkPrompt({ max_tokens: 5, messages: [{ role: "user", content: five }] }) ?? "", /maximum of 4 blocks with cache_control/);
});
