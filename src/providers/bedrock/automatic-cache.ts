/**
 * Automatic prompt caching on Bedrock. The Claude API takes a top-level `cache_control` and
 * "automatically applies the cache breakpoint to the last cacheable block and moves it forward as
 * conversations grow" (https://platform.claude.com/docs/en/build-with-claude/prompt-caching);
 * Bedrock does not take the field. The docs say automatic caching on Bedrock and Vertex AI is
 * "coming later", and Bedrock refuses it with "cache_control: Extra inputs are not permitted"
 * (UKGovernmentBEIS/inspect_ai#3851). So the gateway places that breakpoint itself, on the block
 * the API would choose (routing/cache-prefixes.ts, takesBreakpoint). The same prefix is then
 * cached there, and routing's affinity, which hashes a top-level cache_control's breakpoint on
 * that same block, agrees with what was written.
 */
import { takesBreakpoint } from "../../routing/cache-prefixes.js";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The content list with the breakpoint on its last cacheable block, or undefined when it has
 * none; `marked` when that block has a breakpoint of its own already (the top-level one adds
 * nothing there). A string content becomes the one text block it stands for.
 */
function markLast(content: unknown, control: Json): unknown[] | "marked" | undefined {
  if (typeof content === "string") return takesBreakpoint(content) ? [{ type: "text", text: content, cache_control: control }] : undefined;
  if (!Array.isArray(content)) return undefined;
  for (let index = content.length - 1; index >= 0; index -= 1) {
    const block: unknown = content[index];
    if (!isObject(block) || !takesBreakpoint(block)) continue;
    if (block.cache_control !== undefined && block.cache_control !== null) return "marked";
    const copy = content.slice();
    copy[index] = { ...block, cache_control: control };
    return copy;
  }
  return undefined;
}

/**
 * The body as Bedrock takes it: without a top-level `cache_control`, whose breakpoint is placed on
 * the last cacheable block of the messages (else of the system prompt, else of the tools). The
 * client's body is not changed: a failover to the Claude API sends it as it came. A body without
 * the field is returned as it is.
 */
export function withAutomaticBreakpoint(body: Json): Json {
  if (!("cache_control" in body)) return body;
  const { cache_control: control, ...rest } = body;
  // null is no breakpoint; anything else that is not one is left for Bedrock to refuse, as the API would.
  if (control === null) return rest;
  if (!isObject(control)) return body;
  const messages = rest.messages;
  if (Array.isArray(messages)) {
    for (let index = messages.length - 1; index >= 0; index -= 1) {
      const message: unknown = messages[index];
      if (!isObject(message)) continue;
      const content = markLast(message.content, control);
      if (content === "marked") return rest;
      if (content === undefined) continue;
      const copy = messages.slice();
      copy[index] = { ...message, content };
      return { ...rest, messages: copy };
    }
  }
  const system = markLast(rest.system, control);
  if (system === "marked") return rest;
  if (system !== undefined) return { ...rest, system };
  const tools = markLast(rest.tools, control);
  if (tools !== undefined && tools !== "marked") return { ...rest, tools };
  return rest;
}
