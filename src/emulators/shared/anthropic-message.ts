/**
 * The Anthropic Message (the reply) and its streaming events, built from a generated reply
 * and the cache's accounting. Shapes: https://platform.claude.com/docs/en/api/messages and
 * https://platform.claude.com/docs/en/build-with-claude/streaming. Bedrock InvokeModel returns
 * the same objects, with a `msg_bdrk_` id and fewer usage fields.
 */
import type { Reply, ReplyBlock, StopReason } from "./reply-generator.js";

export interface UsageCounts {
  /** Uncached input: tokens after the last cache read or write. */
  input: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  output: number;
}

export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  server_tool_use?: null;
  service_tier?: "standard" | "batch";
  inference_geo?: string;
}

export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: ReplyBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  stop_details?: null;
  container?: null;
  usage: AnthropicUsage;
}

export type StreamEvent =
  | { type: "message_start"; message: AnthropicMessage }
  | { type: "content_block_start"; index: number; content_block: ReplyBlock }
  | { type: "content_block_delta"; index: number; delta: StreamDelta }
  | { type: "content_block_stop"; index: number }
  | { type: "message_delta"; delta: { stop_reason: StopReason; stop_sequence: string | null }; usage: Partial<AnthropicUsage> }
  | { type: "message_stop" }
  | { type: "ping" };

export type StreamDelta =
  | { type: "text_delta"; text: string }
  | { type: "input_json_delta"; partial_json: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "signature_delta"; signature: string };

/** One event and how many output tokens it carries (for pacing). */
export interface PacedEvent {
  event: StreamEvent;
  tokens: number;
}

export type UsageStyle = "anthropic" | "anthropic-batch" | "bedrock";

export function usageObject(counts: UsageCounts, style: UsageStyle, inferenceGeo = "not_available"): AnthropicUsage {
  const usage: AnthropicUsage = {
    input_tokens: counts.input,
    cache_creation_input_tokens: counts.cacheWrite5m + counts.cacheWrite1h,
    cache_read_input_tokens: counts.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: counts.cacheWrite5m, ephemeral_1h_input_tokens: counts.cacheWrite1h },
    output_tokens: counts.output,
  };
  if (style === "bedrock") return usage;
  return { ...usage, server_tool_use: null, service_tier: style === "anthropic-batch" ? "batch" : "standard", inference_geo: inferenceGeo };
}

export function buildMessage(id: string, model: string, reply: Reply, usage: AnthropicUsage, style: UsageStyle): AnthropicMessage {
  const message: AnthropicMessage = {
    id,
    type: "message",
    role: "assistant",
    model,
    content: reply.content,
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    usage,
  };
  return style === "bedrock" ? message : { ...message, stop_details: null, container: null };
}

/** Splits text into deltas of a few words each, the way the real stream chunks it. */
export function textChunks(text: string, wordsPerChunk = 3): string[] {
  const words = text.match(/\S+\s*/g) ?? [text];
  const chunks: string[] = [];
  for (let index = 0; index < words.length; index += wordsPerChunk) chunks.push(words.slice(index, index + wordsPerChunk).join(""));
  return chunks.length > 0 ? chunks : [""];
}

function tokensOf(text: string): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / 4);
}

/** Partial JSON fragments of a tool input: first "", then pieces of the serialized object. */
export function jsonChunks(input: Record<string, unknown>): string[] {
  const json = JSON.stringify(input);
  const chunks = [""];
  for (let index = 0; index < json.length; index += 12) chunks.push(json.slice(index, index + 12));
  return chunks;
}

function blockEvents(block: ReplyBlock, index: number): PacedEvent[] {
  const events: PacedEvent[] = [];
  const delta = (value: StreamDelta, tokens: number) => events.push({ event: { type: "content_block_delta", index, delta: value }, tokens });
  if (block.type === "text") {
    events.push({ event: { type: "content_block_start", index, content_block: { type: "text", text: "" } }, tokens: 0 });
    for (const chunk of textChunks(block.text)) delta({ type: "text_delta", text: chunk }, tokensOf(chunk));
  } else if (block.type === "thinking") {
    events.push({ event: { type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } }, tokens: 0 });
    for (const chunk of textChunks(block.thinking)) delta({ type: "thinking_delta", thinking: chunk }, tokensOf(chunk));
    delta({ type: "signature_delta", signature: block.signature }, 0);
  } else {
    events.push({ event: { type: "content_block_start", index, content_block: { ...block, input: {} } }, tokens: 0 });
    for (const chunk of jsonChunks(block.input)) delta({ type: "input_json_delta", partial_json: chunk }, tokensOf(chunk));
  }
  events.push({ event: { type: "content_block_stop", index }, tokens: 0 });
  return events;
}

/**
 * The full event sequence for a message: message_start (input usage, output_tokens 1), each
 * block's start/deltas/stop, one ping after the first block start when `ping` is set,
 * message_delta with the cumulative usage, message_stop.
 */
export function streamEvents(message: AnthropicMessage, options: { ping: boolean }): PacedEvent[] {
  const start: AnthropicMessage = {
    ...message,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { ...message.usage, output_tokens: 1 },
  };
  const events: PacedEvent[] = [{ event: { type: "message_start", message: start }, tokens: 0 }];
  message.content.forEach((block, index) => {
    const blockPart = blockEvents(block, index);
    if (index === 0 && options.ping) blockPart.splice(1, 0, { event: { type: "ping" }, tokens: 0 });
    events.push(...blockPart);
  });
  const { usage } = message;
  events.push({
    event: {
      type: "message_delta",
      delta: { stop_reason: message.stop_reason ?? "end_turn", stop_sequence: message.stop_sequence },
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
      },
    },
    tokens: 0,
  });
  events.push({ event: { type: "message_stop" }, tokens: 0 });
  return events;
}
