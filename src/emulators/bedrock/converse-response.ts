/**
 * Converse replies and ConverseStream events from the emulated reply
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html):
 * messageStart, contentBlockStart (tool use only), contentBlockDelta, contentBlockStop,
 * messageStop, and metadata, which alone carries usage. Usage is camelCase with
 * cacheReadInputTokens / cacheWriteInputTokens and cacheDetails (1h before 5m).
 */
import { jsonChunks, textChunks, type UsageCounts } from "../shared/anthropic-message.js";
import type { Reply, ReplyBlock } from "../shared/reply-generator.js";

export interface ConverseUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  cacheDetails?: { ttl: "1h" | "5m"; inputTokens: number }[];
}

export function converseUsage(counts: UsageCounts): ConverseUsage {
  const cacheWrite = counts.cacheWrite5m + counts.cacheWrite1h;
  const details: { ttl: "1h" | "5m"; inputTokens: number }[] = [];
  if (counts.cacheWrite1h > 0) details.push({ ttl: "1h", inputTokens: counts.cacheWrite1h });
  if (counts.cacheWrite5m > 0) details.push({ ttl: "5m", inputTokens: counts.cacheWrite5m });
  return {
    inputTokens: counts.input,
    outputTokens: counts.output,
    // The total covers every input token, cached or not, plus the output.
    totalTokens: counts.input + counts.cacheRead + cacheWrite + counts.output,
    cacheReadInputTokens: counts.cacheRead,
    cacheWriteInputTokens: cacheWrite,
    ...(details.length > 0 ? { cacheDetails: details } : {}),
  };
}

function converseBlock(block: ReplyBlock): Record<string, unknown> {
  if (block.type === "text") return { text: block.text };
  if (block.type === "tool_use") return { toolUse: { toolUseId: block.id, name: block.name, input: block.input } };
  return { reasoningContent: { reasoningText: { text: block.thinking, signature: block.signature } } };
}

/** additionalModelResponseFields for the paths asked for; only /stop_sequence is meaningful here. */
export function responseFields(reply: Reply, paths: string[] | undefined): Record<string, unknown> | undefined {
  if (!paths || !paths.includes("/stop_sequence")) return undefined;
  return { stop_sequence: reply.stopSequence };
}

export function converseResponse(reply: Reply, usage: ConverseUsage, latencyMs: number, paths: string[] | undefined) {
  const fields = responseFields(reply, paths);
  return {
    output: { message: { role: "assistant", content: reply.content.map(converseBlock) } },
    stopReason: reply.stopReason,
    usage,
    metrics: { latencyMs },
    ...(fields ? { additionalModelResponseFields: fields } : {}),
  };
}

export interface ConverseEvent {
  type: string;
  member: Record<string, unknown>;
  tokens: number;
}

function tokensOf(text: string): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / 4);
}

export function converseStreamEvents(reply: Reply, usage: ConverseUsage, latencyMs: number, paths: string[] | undefined): ConverseEvent[] {
  const events: ConverseEvent[] = [{ type: "messageStart", member: { role: "assistant" }, tokens: 0 }];
  reply.content.forEach((block, contentBlockIndex) => {
    const delta = (value: Record<string, unknown>, tokens: number) =>
      events.push({ type: "contentBlockDelta", member: { contentBlockIndex, delta: value }, tokens });
    if (block.type === "text") {
      for (const chunk of textChunks(block.text)) delta({ text: chunk }, tokensOf(chunk));
    } else if (block.type === "thinking") {
      for (const chunk of textChunks(block.thinking)) delta({ reasoningContent: { text: chunk } }, tokensOf(chunk));
      delta({ reasoningContent: { signature: block.signature } }, 0);
    } else {
      events.push({ type: "contentBlockStart", member: { contentBlockIndex, start: { toolUse: { toolUseId: block.id, name: block.name } } }, tokens: 0 });
      for (const chunk of jsonChunks(block.input).filter((piece) => piece.length > 0)) delta({ toolUse: { input: chunk } }, tokensOf(chunk));
    }
    events.push({ type: "contentBlockStop", member: { contentBlockIndex }, tokens: 0 });
  });
  const fields = responseFields(reply, paths);
  events.push({ type: "messageStop", member: { stopReason: reply.stopReason, ...(fields ? { additionalModelResponseFields: fields } : {}) }, tokens: 0 });
  events.push({ type: "metadata", member: { usage, metrics: { latencyMs } }, tokens: 0 });
  return events;
}
