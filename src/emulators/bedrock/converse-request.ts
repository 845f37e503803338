/**
 * Converse and ConverseStream request bodies (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html),
 * validated and mapped onto the Anthropic prompt the emulator answers. `cachePoint` blocks in
 * system, messages and toolConfig.tools become cache_control on the block before them, which is
 * how Bedrock passes them to Anthropic models.
 */
import { z } from "zod";
import {
  thinkingSchema,
  type CacheControl,
  type ContentBlockParam,
  type MessageParam,
  type PromptRequest,
  type TextBlockParam,
  type ToolParam,
} from "../shared/messages-request.js";

const cachePointSchema = z.strictObject({ type: z.literal("default"), ttl: z.enum(["5m", "1h"]).optional() });
type CachePoint = z.infer<typeof cachePointSchema>;

const member = z.looseObject({});
const blockSchema = z
  .looseObject({
    text: z.string().optional(),
    image: z.looseObject({ format: z.string(), source: z.looseObject({ bytes: z.string().optional() }) }).optional(),
    document: z.looseObject({ format: z.string().optional(), name: z.string(), source: member }).optional(),
    toolUse: z.looseObject({ toolUseId: z.string(), name: z.string(), input: z.unknown() }).optional(),
    toolResult: z.looseObject({ toolUseId: z.string(), content: z.array(member), status: z.enum(["success", "error"]).optional() }).optional(),
    reasoningContent: member.optional(),
    guardContent: member.optional(),
    cachePoint: cachePointSchema.optional(),
  })
  .refine((block) => Object.keys(block).length === 1, "a content block must have exactly one member");

const toolSchema = z
  .looseObject({
    toolSpec: z.looseObject({ name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/), description: z.string().optional(), inputSchema: z.strictObject({ json: z.record(z.string(), z.unknown()) }) }).optional(),
    cachePoint: cachePointSchema.optional(),
  })
  .refine((tool) => Object.keys(tool).length === 1, "a tool must have exactly one member");

/**
 * requestMetadata as Bedrock checks it: keys and values match RequestMetadataKeyString and
 * RequestMetadataValueString in the bedrock-runtime service model, where `\s` is Java's (ASCII
 * whitespace only). A failure is worded as AWS's validation words a map's members elsewhere
 * ("Map value must satisfy constraint: [...]"); Bedrock's own text for it is not confirmed.
 */
function metadataRule(minimum: 0 | 1): { test: RegExp; text: string } {
  return { test: new RegExp(`^[a-zA-Z0-9 \\t\\n\\x0B\\f\\r:_@$#=/+,\\-.]{${minimum},256}$`), text: `[a-zA-Z0-9\\s:_@$#=/+,-.]{${minimum},256}` };
}
const METADATA_KEY = metadataRule(1);
const METADATA_VALUE = metadataRule(0);
const requestMetadataSchema = z.record(z.string(), z.string()).superRefine((metadata, context) => {
  if (!Object.keys(metadata).every((key) => METADATA_KEY.test.test(key))) {
    context.addIssue({ code: "custom", message: `Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ${METADATA_KEY.text}]` });
  }
  if (!Object.values(metadata).every((value) => METADATA_VALUE.test.test(value))) {
    context.addIssue({ code: "custom", message: `Map value must satisfy constraint: [Member must satisfy regular expression pattern: ${METADATA_VALUE.text}]` });
  }
});

export const converseBodySchema = z.looseObject({
  messages: z.array(z.strictObject({ role: z.enum(["user", "assistant"]), content: z.array(blockSchema) })),
  system: z.array(z.looseObject({ text: z.string().optional(), cachePoint: cachePointSchema.optional(), guardContent: member.optional() })).optional(),
  inferenceConfig: z
    .looseObject({
      maxTokens: z.number().int().min(1).optional(),
      temperature: z.number().min(0).max(1).optional(),
      topP: z.number().min(0).max(1).optional(),
      stopSequences: z.array(z.string()).max(2500).optional(),
    })
    .optional(),
  toolConfig: z
    .looseObject({
      tools: z.array(toolSchema).min(1),
      toolChoice: z.union([z.strictObject({ auto: member }), z.strictObject({ any: member }), z.strictObject({ tool: z.strictObject({ name: z.string() }) })]).optional(),
    })
    .optional(),
  additionalModelRequestFields: z.record(z.string(), z.unknown()).optional(),
  requestMetadata: requestMetadataSchema.optional(),
  additionalModelResponseFieldPaths: z.array(z.string()).optional(),
});
export type ConverseBody = z.infer<typeof converseBodySchema>;
type ConverseBlock = z.infer<typeof blockSchema>;

function cacheControl(point: CachePoint): CacheControl {
  return point.ttl ? { type: "ephemeral", ttl: point.ttl } : { type: "ephemeral" };
}

function text(value: string): TextBlockParam {
  return { type: "text", text: value };
}

function toolResultContent(items: Record<string, unknown>[]): TextBlockParam[] {
  return items.map((item) => (typeof item["text"] === "string" ? text(item["text"]) : text(JSON.stringify(item["json"] ?? item))));
}

function mapBlock(block: ConverseBlock): ContentBlockParam | undefined {
  if (block.text !== undefined) return text(block.text);
  if (block.image) return { type: "image", source: { type: "base64", media_type: `image/${block.image.format}`, data: block.image.source.bytes ?? "" } };
  if (block.document) {
    const source = block.document.source;
    if (typeof source["text"] === "string") return { type: "document", source: { type: "text", media_type: "text/plain", data: source["text"] } };
    return { type: "document", source: { type: "base64", media_type: "application/pdf", data: typeof source["bytes"] === "string" ? source["bytes"] : "" } };
  }
  if (block.toolUse) {
    const input = block.toolUse.input;
    return { type: "tool_use", id: block.toolUse.toolUseId, name: block.toolUse.name, input: typeof input === "object" && input !== null ? (input as Record<string, unknown>) : {} };
  }
  if (block.toolResult) {
    return { type: "tool_result", tool_use_id: block.toolResult.toolUseId, content: toolResultContent(block.toolResult.content), is_error: block.toolResult.status === "error" };
  }
  if (block.reasoningContent) {
    const reasoning = block.reasoningContent["reasoningText"] as { text?: string; signature?: string } | undefined;
    if (reasoning) return { type: "thinking", thinking: reasoning.text ?? "", signature: reasoning.signature ?? "" };
    return { type: "redacted_thinking", data: String(block.reasoningContent["redactedContent"] ?? "") };
  }
  if (block.guardContent) return text(JSON.stringify(block.guardContent));
  return undefined;
}

/** Maps blocks, folding each cachePoint into cache_control on the block before it. */
function withCachePoints<T extends object>(items: { mapped?: T | undefined; cachePoint?: CachePoint }[]): T[] {
  const result: T[] = [];
  for (const item of items) {
    const previous = result[result.length - 1];
    if (item.cachePoint && previous) (previous as { cache_control?: CacheControl | null }).cache_control = cacheControl(item.cachePoint);
    else if (item.mapped) result.push(item.mapped);
  }
  return result;
}

export type ConversePrompt = { ok: true; prompt: PromptRequest } | { ok: false; message: string };

export function conversePrompt(body: ConverseBody, defaultMaxTokens: number): ConversePrompt {
  const messages: MessageParam[] = body.messages.map((message) => ({
    role: message.role,
    content: withCachePoints<ContentBlockParam>(message.content.map((block) => ({ ...(block.cachePoint ? { cachePoint: block.cachePoint } : {}), ...(block.cachePoint ? {} : { mapped: mapBlock(block) }) }))),
  }));
  const system = body.system
    ? withCachePoints<TextBlockParam>(body.system.map((block) => (block.cachePoint ? { cachePoint: block.cachePoint } : { mapped: text(block.text ?? JSON.stringify(block.guardContent ?? {})) })))
    : undefined;
  const tools = body.toolConfig
    ? withCachePoints<ToolParam>(
        body.toolConfig.tools.map((tool) =>
          tool.cachePoint
            ? { cachePoint: tool.cachePoint }
            : { mapped: { name: tool.toolSpec?.name ?? "", ...(tool.toolSpec?.description ? { description: tool.toolSpec.description } : {}), input_schema: { type: "object" as const, ...(tool.toolSpec?.inputSchema.json ?? {}) } } },
        ),
      )
    : undefined;
  const choice = body.toolConfig?.toolChoice;
  const extra = body.additionalModelRequestFields ?? {};
  const thinking = extra["thinking"] === undefined ? undefined : thinkingSchema.safeParse(extra["thinking"]);
  if (thinking && !thinking.success) return { ok: false, message: `The model returned the following errors: thinking: ${thinking.error.issues[0]?.message ?? "invalid"}` };
  const config = body.inferenceConfig ?? {};
  const prompt: PromptRequest = {
    max_tokens: config.maxTokens ?? defaultMaxTokens,
    messages,
    ...(system && system.length > 0 ? { system } : {}),
    ...(tools ? { tools } : {}),
    ...(choice ? { tool_choice: "auto" in choice ? { type: "auto" as const } : "any" in choice ? { type: "any" as const } : { type: "tool" as const, name: choice.tool.name } } : {}),
    ...(thinking?.success ? { thinking: thinking.data } : {}),
    ...(config.stopSequences ? { stop_sequences: config.stopSequences } : {}),
    ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
    ...(config.topP !== undefined ? { top_p: config.topP } : {}),
  };
  return { ok: true, prompt };
}
