/**
 * The emulated model: a deterministic reply for a prompt. The seed is the hash of the prompt,
 * so the same request gets the same content, the same tool calls and the same token counts.
 *
 * Rules (documented in docs/EMULATORS.md):
 * - thinking enabled -> one thinking block first;
 * - tool_choice any/tool, or tools given and the last user message names a tool -> tool_use
 *   blocks (input generated from input_schema), stop_reason tool_use;
 * - the last user message contains one of stop_sequences -> the text stops there, stop_sequence;
 * - otherwise 12-100 tokens of text, end_turn; anything beyond max_tokens is cut, max_tokens.
 */
import type { CustomToolParam, MessageParam, PromptRequest } from "./messages-request.js";
import { toolUseId } from "./ids.js";
import { sampleFromSchema } from "./schema-sample.js";
import { SeededRandom } from "./seeded-random.js";
import { sha256Hex, stableStringify } from "./stable-json.js";
import { textTokens } from "./token-count.js";

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use";

export type ReplyBlock =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface Reply {
  content: ReplyBlock[];
  stopReason: StopReason;
  stopSequence: string | null;
  outputTokens: number;
  /** The prompt hash everything above was derived from. */
  seed: string;
}

const VOCABULARY = (
  "the a of to and in that it is for on with as this was at by from be are have which one all " +
  "emulated reply model request token stream cache prompt route gateway latency region provider " +
  "answer question simple clear short detail example result value system user message content " +
  "first second next last every each other same different small large quick steady careful " +
  "works returns keeps sends reads writes counts checks follows shows gives takes makes finds"
).split(" ");

export function promptSeed(request: PromptRequest, modelId: string): string {
  const { metadata: _metadata, ...prompt } = request as PromptRequest & { stream?: unknown };
  const { stream: _stream, ...rest } = prompt as Record<string, unknown>;
  return sha256Hex(`${modelId}\u0000${stableStringify(rest)}`);
}

function sentences(random: SeededRandom, targetTokens: number): string {
  let text = "";
  while (textTokens(text) < targetTokens) {
    const words = Array.from({ length: random.between(6, 14) }, () => random.pick(VOCABULARY));
    const first = words[0] ?? "the";
    words[0] = first.charAt(0).toUpperCase() + first.slice(1);
    text += `${text ? " " : ""}${words.join(" ")}.`;
  }
  return text;
}

/** Cuts ASCII text to exactly `tokens` tokens (4 bytes each) when it is longer. */
function cutToTokens(text: string, tokens: number): string {
  return textTokens(text) <= tokens ? text : text.slice(0, tokens * 4);
}

function lastUserText(messages: MessageParam[]): { text: string; hasToolResult: boolean } {
  const last = [...messages].reverse().find((message) => message.role === "user");
  if (!last) return { text: "", hasToolResult: false };
  if (typeof last.content === "string") return { text: last.content, hasToolResult: false };
  const text = last.content.map((block) => (block.type === "text" ? block.text : "")).join("\n");
  return { text, hasToolResult: last.content.some((block) => block.type === "tool_result") };
}

function customTools(request: PromptRequest): CustomToolParam[] {
  return (request.tools ?? []).filter((tool): tool is CustomToolParam => "input_schema" in tool && tool.input_schema !== undefined);
}

function toolsToCall(request: PromptRequest, userText: string, hasToolResult: boolean, random: SeededRandom): CustomToolParam[] {
  const tools = customTools(request);
  const choice = request.tool_choice;
  if (tools.length === 0 || choice?.type === "none") return [];
  const mentioned = tools.filter((tool) => new RegExp(`\\b${tool.name.replace(/[^a-zA-Z0-9_]/g, "\\$&")}\\b`, "i").test(userText));
  let chosen: CustomToolParam[];
  if (choice?.type === "tool") chosen = tools.filter((tool) => tool.name === choice.name).slice(0, 1);
  else if (choice?.type === "any") chosen = mentioned.length > 0 ? mentioned : [random.pick(tools)];
  else chosen = hasToolResult ? [] : mentioned;
  const single = choice !== undefined && "disable_parallel_tool_use" in choice && choice.disable_parallel_tool_use === true;
  return single ? chosen.slice(0, 1) : chosen;
}

export function generateReply(request: PromptRequest, modelId: string): Reply {
  const seed = promptSeed(request, modelId);
  const random = new SeededRandom(seed);
  const content: ReplyBlock[] = [];
  let remaining = request.max_tokens;
  let outputTokens = 0;
  const spend = (tokens: number) => {
    remaining -= tokens;
    outputTokens += tokens;
  };
  const finish = (stopReason: StopReason, stopSequence: string | null = null): Reply => ({
    content,
    stopReason,
    stopSequence,
    outputTokens: Math.max(1, outputTokens),
    seed,
  });

  const thinking = request.thinking;
  if (thinking && thinking.type !== "disabled") {
    const budget = thinking.type === "enabled" ? thinking.budget_tokens : 1024;
    const planned = Math.min(budget, random.between(20, 60));
    const text = cutToTokens(sentences(random, planned), Math.min(planned, remaining));
    content.push({ type: "thinking", thinking: text, signature: Buffer.from(sha256Hex(`${seed}:signature`), "hex").toString("base64") });
    spend(textTokens(text));
    if (remaining <= 0) return finish("max_tokens");
  }

  const { text: userText, hasToolResult } = lastUserText(request.messages);
  const stopSequence = (request.stop_sequences ?? []).find((sequence) => sequence.length > 0 && userText.includes(sequence));
  const calls = stopSequence ? [] : toolsToCall(request, userText, hasToolResult, random);
  const forced = request.tool_choice?.type === "any" || request.tool_choice?.type === "tool";

  if (!(calls.length > 0 && forced)) {
    const planned = calls.length > 0 ? 0 : random.between(12, 100);
    const preamble = calls.length > 0 ? `I'll call ${calls.map((tool) => tool.name).join(" and ")} to answer that.` : "";
    const full = preamble || sentences(random, stopSequence ? Math.min(planned, 12) : planned);
    const text = cutToTokens(full, remaining);
    content.push({ type: "text", text });
    spend(textTokens(text));
    if (text.length < full.length) return finish("max_tokens");
    if (stopSequence) return finish("stop_sequence", stopSequence);
  }

  for (const [index, tool] of calls.entries()) {
    const input = sampleFromSchema(tool.input_schema, random) as Record<string, unknown>;
    const tokens = textTokens(tool.name) + textTokens(JSON.stringify(input)) + 3;
    if (tokens > remaining) return finish("max_tokens");
    content.push({ type: "tool_use", id: toolUseId(seed, index), name: tool.name, input });
    spend(tokens);
  }
  return finish(calls.length > 0 ? "tool_use" : "end_turn");
}
