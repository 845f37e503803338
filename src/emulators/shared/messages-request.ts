/**
 * The Anthropic Messages request body, validated at the edge (zod). The Anthropic emulator and
 * Bedrock InvokeModel share the prompt part; Converse is mapped onto the same shape.
 * Shapes follow https://platform.claude.com/docs/en/api/messages (SDK MessageCreateParamsBase).
 */
import { z } from "zod";

export const cacheControlSchema = z.strictObject({
  type: z.literal("ephemeral"),
  ttl: z.enum(["5m", "1h"]).optional(),
});
export type CacheControl = z.infer<typeof cacheControlSchema>;

const cacheControl = cacheControlSchema.nullish();
const sourceSchema = z.looseObject({ type: z.string() });

export const textBlockSchema = z.strictObject({
  type: z.literal("text"),
  text: z.string(),
  cache_control: cacheControl,
  citations: z.array(z.unknown()).nullish(),
});
export type TextBlockParam = z.infer<typeof textBlockSchema>;

const imageBlockSchema = z.strictObject({ type: z.literal("image"), source: sourceSchema, cache_control: cacheControl });
const documentBlockSchema = z.looseObject({ type: z.literal("document"), source: sourceSchema, cache_control: cacheControl });
const searchResultBlockSchema = z.looseObject({ type: z.literal("search_result"), cache_control: cacheControl });

const toolResultContentSchema = z.union([
  z.string(),
  z.array(z.discriminatedUnion("type", [textBlockSchema, imageBlockSchema, documentBlockSchema, searchResultBlockSchema])),
]);

const toolUseBlockSchema = z.strictObject({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
  caller: z.unknown().optional(),
});
const toolResultBlockSchema = z.strictObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: toolResultContentSchema.optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});
const thinkingBlockSchema = z.strictObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.string() });
const redactedThinkingBlockSchema = z.strictObject({ type: z.literal("redacted_thinking"), data: z.string() });
/** Server-tool and container blocks we carry through without looking inside. */
const otherBlockSchema = z.looseObject({
  type: z.enum([
    "server_tool_use",
    "web_search_tool_result",
    "web_fetch_tool_result",
    "code_execution_tool_result",
    "bash_code_execution_tool_result",
    "text_editor_code_execution_tool_result",
    "tool_search_tool_result",
    "mcp_tool_use",
    "mcp_tool_result",
    "container_upload",
  ]),
  cache_control: cacheControl,
});

export const contentBlockSchema = z.discriminatedUnion("type", [
  textBlockSchema,
  imageBlockSchema,
  documentBlockSchema,
  searchResultBlockSchema,
  toolUseBlockSchema,
  toolResultBlockSchema,
  thinkingBlockSchema,
  redactedThinkingBlockSchema,
  otherBlockSchema,
]);
export type ContentBlockParam = z.infer<typeof contentBlockSchema>;

export const messageParamSchema = z.strictObject({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
});
export type MessageParam = z.infer<typeof messageParamSchema>;

export const customToolSchema = z.looseObject({
  type: z.literal("custom").optional(),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, "tool names must match ^[a-zA-Z0-9_-]{1,128}$"),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal("object") }),
  cache_control: cacheControl,
});
/** Server tools (web_search_20250305, bash_20250124, …): versioned `type`, no input_schema. */
export const serverToolSchema = z.looseObject({
  type: z.string().regex(/^[a-z_]+_\d{8}$/),
  name: z.string(),
  cache_control: cacheControl,
});
export const toolSchema = z.union([customToolSchema, serverToolSchema]);
export type ToolParam = z.infer<typeof toolSchema>;
export type CustomToolParam = z.infer<typeof customToolSchema>;

export const toolChoiceSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({ type: z.literal("tool"), name: z.string(), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({ type: z.literal("none") }),
]);
export type ToolChoice = z.infer<typeof toolChoiceSchema>;

export const thinkingSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("enabled"), budget_tokens: z.number().int().min(1024), display: z.string().nullish() }),
  z.strictObject({ type: z.literal("disabled") }),
  z.strictObject({ type: z.literal("adaptive"), display: z.enum(["summarized", "omitted"]).nullish() }),
]);
export type ThinkingConfig = z.infer<typeof thinkingSchema>;

/** The part of a Messages body that decides the reply: shared by every route. */
export const promptShape = {
  max_tokens: z.number().int().min(1),
  messages: z.array(messageParamSchema),
  system: z.union([z.string(), z.array(textBlockSchema)]).optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: thinkingSchema.optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  cache_control: cacheControl,
  metadata: z.strictObject({ user_id: z.string().nullish() }).optional(),
  output_config: z.looseObject({}).optional(),
};

export const promptSchema = z.looseObject(promptShape);
export type PromptRequest = z.infer<typeof promptSchema>;

/**
 * Turns zod issues into the provider's one-line message style:
 * `messages.0.content.0.text: Field required`.
 */
export function describeIssues(error: z.ZodError, unknownKeyText = "Extra inputs are not permitted"): string {
  const lines = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => `${path ? `${path}.` : ""}${key}: ${unknownKeyText}`).join("; ");
    }
    const missing = issue.code === "invalid_type" && /received undefined/.test(issue.message);
    return `${path || "body"}: ${missing ? "Field required" : issue.message}`;
  });
  return lines.join("; ");
}
