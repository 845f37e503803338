/**
 * Anthropic's prompt-cache breakpoints on an OpenAI chat request. OpenAI caches on its own and has
 * no such field; OpenAI-compatible gateways in front of Claude (OpenRouter, LiteLLM) take
 * Anthropic's `cache_control` where Anthropic has it: on a content part
 * (`{type: "text", text, cache_control: {type: "ephemeral"}}`), on a message (its last block), and
 * on a tool (`{type: "function", function, cache_control}`). Its value goes upstream as sent
 * (`ttl: "1h"` included), so Claude checks it and the routing sees a 1-hour TTL.
 * https://platform.claude.com/docs/en/build-with-claude/prompt-caching
 */
import { ChatRequestError } from "./chat-request-error.js";

type Json = Record<string, unknown>;

/** `holder`'s cache_control, checked; undefined when it has none (or null). */
export function cacheControlOf(holder: Json, where: string): Json | undefined {
  // OpenAI's own breakpoint promises its 30-minute TTL, which Claude has not (5 minutes or 1 hour).
  if (holder.prompt_cache_breakpoint !== undefined && holder.prompt_cache_breakpoint !== null) {
    throw new ChatRequestError(`${where}.prompt_cache_breakpoint`, 'OpenAI\'s breakpoint (and its 30-minute TTL) has no exact Claude equivalent: mark the part with cache_control instead, {type: "ephemeral"} (5 minutes) or {type: "ephemeral", ttl: "1h"}');
  }
  const control = holder.cache_control;
  if (control === undefined || control === null) return undefined;
  if (typeof control !== "object" || Array.isArray(control)) {
    throw new ChatRequestError(`${where}.cache_control`, 'must be an object, {type: "ephemeral"} or {type: "ephemeral", ttl: "1h"} (Anthropic\'s prompt-cache breakpoint)');
  }
  return control as Json;
}

/** A copy of `block` with the breakpoint, if there is one. */
export function withCacheControl(block: Json, control: Json | undefined): Json {
  return control === undefined ? block : { ...block, cache_control: control };
}

/** A breakpoint on text that is left out (Claude refuses blank text) would silently cache less: refused. */
export function refuseOnBlank(where: string): ChatRequestError {
  return new ChatRequestError(`${where}.cache_control`, "is on blank text, which is left out (Claude refuses empty text blocks): put it on a part or message with text");
}
