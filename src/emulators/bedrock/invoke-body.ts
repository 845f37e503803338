/**
 * InvokeModel bodies for Anthropic models: the Messages body without `model` and `stream`, plus
 * a required `anthropic_version` and optional `anthropic_beta`
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html).
 * Errors use Bedrock's JSON-schema wording, e.g.
 * "Malformed input request: #: extraneous key [model] is not permitted, please reformat your input and try again."
 */
import { z } from "zod";
import { promptShape, type PromptRequest } from "../shared/messages-request.js";

const invokeBodySchema = z.looseObject({
  ...promptShape,
  anthropic_version: z.string().regex(/^(bedrock-)?\d{4}-\d{2}-\d{2}$/, "anthropic_version must look like bedrock-2023-05-31"),
  anthropic_beta: z.array(z.string()).optional(),
});

export type InvokeBody = { ok: true; prompt: PromptRequest } | { ok: false; message: string };

function malformed(problems: string[]): InvokeBody {
  return { ok: false, message: `Malformed input request: ${problems.join("")}, please reformat your input and try again.` };
}

export function parseInvokeBody(value: unknown): InvokeBody {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return malformed([`#: expected type: JSONObject, found: ${Array.isArray(value) ? "JSONArray" : typeof value}`]);
  }
  const keys = Object.keys(value);
  // Bedrock lists `stream` before `model` (AnthropicSwiftSDK#19, aichat#543).
  const problems = ["stream", "model"].filter((key) => keys.includes(key)).map((key) => `#: extraneous key [${key}] is not permitted`);
  for (const required of ["anthropic_version", "max_tokens", "messages"]) {
    if (!keys.includes(required)) problems.push(`#: required key [${required}] not found`);
  }
  if (problems.length > 0) return malformed(problems);
  const parsed = invokeBodySchema.safeParse(value);
  if (!parsed.success) {
    return malformed(parsed.error.issues.slice(0, 3).map((issue) => `#/${issue.path.map(String).join("/")}: ${issue.message}`));
  }
  // Automatic caching (a top-level cache_control) is the Claude API's; Bedrock's model refuses it
  // in these words (UKGovernmentBEIS/inspect_ai#3851; "coming later" to Bedrock in Anthropic's docs).
  if (Object.hasOwn(value, "cache_control")) return { ok: false, message: "cache_control: Extra inputs are not permitted" };
  const toolMember = refusedToolMember((value as { tools?: unknown }).tools);
  if (toolMember) return { ok: false, message: toolMember };
  const urlSource = refusedUrlSource((value as { messages?: unknown }).messages);
  if (urlSource) return { ok: false, message: urlSource };
  return { ok: true, prompt: parsed.data };
}

/**
 * Members of a custom tool that Bedrock's models refuse, in the model's own words:
 * "tools.11.custom.defer_loading: Extra inputs are not permitted" (anthropics/claude-code#82549,
 * Claude Code's deferred tools) and "tools.3.custom.input_examples: …" (anthropics/claude-code#11678).
 */
const REFUSED_TOOL_MEMBERS = ["defer_loading", "input_examples"];

function refusedToolMember(tools: unknown): string | undefined {
  if (!Array.isArray(tools)) return undefined;
  for (const [index, tool] of tools.entries()) {
    if (typeof tool !== "object" || tool === null) continue;
    const type = (tool as { type?: unknown }).type;
    if (type !== undefined && type !== "custom") continue;
    const member = REFUSED_TOOL_MEMBERS.find((name) => Object.hasOwn(tool, name));
    if (member) return `tools.${index}.custom.${member}: Extra inputs are not permitted`;
  }
  return undefined;
}

/**
 * An image or document by URL (`source.type: "url"`): Bedrock takes base64 sources only, and its
 * model says so naming the block as a base64 one, "messages.0.content.1.image.source.base64.data:
 * URL sources are not supported" (braintrustdata/lingua#160). Blocks inside a tool result's content
 * are named the same way under it ("…content.0.tool_result.content.1.image…": by the pattern, not seen).
 */
function refusedUrlSource(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (const [index, message] of messages.entries()) {
    const found = urlSourceIn((message as { content?: unknown } | null)?.content, `messages.${index}.content`);
    if (found) return `${found}.source.base64.data: URL sources are not supported`;
  }
  return undefined;
}

function urlSourceIn(content: unknown, path: string): string | undefined {
  if (!Array.isArray(content)) return undefined;
  for (const [index, block] of content.entries()) {
    if (typeof block !== "object" || block === null) continue;
    const { type, source, content: inner } = block as { type?: unknown; source?: unknown; content?: unknown };
    const at = `${path}.${index}.${String(type)}`;
    if ((type === "image" || type === "document") && (source as { type?: unknown } | null)?.type === "url") return at;
    const nested = urlSourceIn(inner, `${at}.content`);
    if (nested) return nested;
  }
  return undefined;
}
