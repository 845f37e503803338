/** Automatic caching (a top-level cache_control) placed as a block breakpoint for Bedrock, which refuses the field. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { withAutomaticBreakpoint } from "../../src/providers/bedrock/automatic-cache.js";
import { cachePrefixes } from "../../src/routing/cache-prefixes.js";

const AUTO = { type: "ephemeral" };

test("the breakpoint goes on the last cacheable block, as the API places it; the client's body is left as it came", () => {
  const body = {
    model: "m",
    cache_control: AUTO,
    system: "You are careful.",
    messages: [
      { role: "user", content: "First question" },
      { role: "assistant", content: [{ type: "thinking", thinking: "…", signature: "s" }, { type: "text", text: "An answer" }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "42" }, { type: "text", text: "" }] },
    ],
  };
  const before = structuredClone(body);
  const placed = withAutomaticBreakpoint(body);
  assert.deepEqual(body, before, "not changed in place: a failover to the Claude API sends the top-level field");
  assert.equal("cache_control" in placed, false);
  const messages = placed.messages as { content: Record<string, unknown>[] }[];
  // An empty text block cannot be cached: the tool result before it takes the breakpoint.
  assert.deepEqual(messages[2]?.content, [{ type: "tool_result", tool_use_id: "t", content: "42", cache_control: AUTO }, { type: "text", text: "" }]);
  assert.equal(messages[0], body.messages[0], "the other messages are the same objects");
  assert.equal(placed.system, "You are careful.");
});

test("a string content becomes its text block, marked; the 1-hour TTL is kept", () => {
  const placed = withAutomaticBreakpoint({ cache_control: { type: "ephemeral", ttl: "1h" }, messages: [{ role: "user", content: "Hello" }] });
  assert.deepEqual(placed.messages, [{ role: "user", content: [{ type: "text", text: "Hello", cache_control: { type: "ephemeral", ttl: "1h" } }] }]);
});

test("thinking blocks are skipped; with no cacheable message block the system prompt, then the last tool, takes it", () => {
  const thinkingOnly = { role: "assistant", content: [{ type: "redacted_thinking", data: "x" }] };
  const system = withAutomaticBreakpoint({ cache_control: AUTO, system: [{ type: "text", text: "Rules" }], messages: [thinkingOnly] });
  assert.deepEqual(system.system, [{ type: "text", text: "Rules", cache_control: AUTO }]);
  assert.deepEqual(system.messages, [thinkingOnly]);
  const tools = withAutomaticBreakpoint({ cache_control: AUTO, tools: [{ name: "a", input_schema: {} }, { name: "b", input_schema: {} }], messages: [] });
  assert.deepEqual(tools.tools, [{ name: "a", input_schema: {} }, { name: "b", input_schema: {}, cache_control: AUTO }]);
});

test("a last block with a breakpoint of its own keeps it; null is no breakpoint; a body without the field is returned as it is", () => {
  const own = { type: "text", text: "Hi", cache_control: { type: "ephemeral", ttl: "1h" } };
  assert.deepEqual(withAutomaticBreakpoint({ cache_control: AUTO, messages: [{ role: "user", content: [own] }] }), { messages: [{ role: "user", content: [own] }] });
  assert.deepEqual(withAutomaticBreakpoint({ cache_control: null, messages: [] }), { messages: [] });
  const plain = { messages: [{ role: "user", content: "Hi" }] };
  assert.equal(withAutomaticBreakpoint(plain), plain);
  // Not a cache-control object: left for Bedrock to refuse, as the Claude API refuses it.
  const odd = { cache_control: "yes", messages: [] };
  assert.equal(withAutomaticBreakpoint(odd), odd);
});

test("routing's affinity hashes automatic caching's breakpoint on the block the Bedrock body marks: one rule for the last cacheable block", () => {
  const bodies: Record<string, unknown>[] = [
    { model: "m", cache_control: AUTO, messages: [{ role: "user", content: "Hello" }] },
    // An empty text block last: the tool result before it is the last cacheable block.
    { model: "m", cache_control: AUTO, messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "42" }, { type: "text", text: "" }] }] },
    // A prefill ending in thinking: the user's question is the last cacheable block.
    { model: "m", cache_control: { type: "ephemeral", ttl: "1h" }, messages: [{ role: "user", content: "Why?" }, { role: "assistant", content: [{ type: "thinking", thinking: "…", signature: "s" }] }] },
    // Nothing cacheable in the messages: the system prompt takes it.
    { model: "m", cache_control: AUTO, system: "Rules", messages: [{ role: "assistant", content: [{ type: "redacted_thinking", data: "x" }] }] },
  ];
  for (const body of bodies) {
    const automatic = cachePrefixes(body);
    assert.equal(automatic.length, 1, JSON.stringify(body));
    assert.deepEqual(cachePrefixes(withAutomaticBreakpoint(body)), automatic, JSON.stringify(body));
  }
});
