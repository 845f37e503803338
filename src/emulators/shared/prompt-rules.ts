/**
 * Checks a schema-valid prompt against the rules the Messages API enforces beyond its schema,
 * with the API's own wording where it is known (see reference/protocols.md §5, pitfalls 2-3).
 * Returns the error message, or undefined when the prompt is acceptable.
 */
import type { MessageParam, PromptRequest } from "./messages-request.js";

const MAX_CACHE_BREAKPOINTS = 4;

function blocksOf(message: MessageParam) {
  return typeof message.content === "string" ? [] : message.content;
}

function checkRoles(messages: MessageParam[]): string | undefined {
  if (messages.length === 0) return "messages: at least one message is required";
  if (messages[0]?.role !== "user") return 'messages: first message must use the "user" role';
  for (let index = 1; index < messages.length; index += 1) {
    const role = messages[index]?.role;
    if (role === messages[index - 1]?.role) {
      return `messages: roles must alternate between "user" and "assistant", but found multiple "${role}" roles in a row`;
    }
  }
  return undefined;
}

function checkContent(messages: MessageParam[]): string | undefined {
  for (const [index, message] of messages.entries()) {
    const isFinalAssistant = index === messages.length - 1 && message.role === "assistant";
    const empty = typeof message.content === "string" ? message.content.length === 0 : message.content.length === 0;
    if (empty && !isFinalAssistant) {
      return `messages.${index}: all messages must have non-empty content except for the optional final assistant message`;
    }
    for (const block of blocksOf(message)) {
      if (block.type === "text" && block.text.trim().length === 0) return "messages: text content blocks must be non-empty";
    }
  }
  return undefined;
}

function checkToolPairs(messages: MessageParam[]): string | undefined {
  for (const [index, message] of messages.entries()) {
    const uses = blocksOf(message).flatMap((block) => (block.type === "tool_use" ? [block.id] : []));
    const next = messages[index + 1];
    const results = next ? blocksOf(next).flatMap((block) => (block.type === "tool_result" ? [block.tool_use_id] : [])) : [];
    if (message.role === "assistant" && uses.length > 0 && next) {
      const missing = uses.filter((id) => !results.includes(id));
      if (missing.length > 0) {
        return (
          `messages.${index + 1}.content.0: tool_use ids were found without tool_result blocks immediately after: ${missing.join(", ")}. ` +
          "Each `tool_use` block must have a corresponding `tool_result` block in the next message."
        );
      }
    }
    if (message.role === "user") {
      const previous = messages[index - 1];
      const previousUses = previous ? blocksOf(previous).flatMap((block) => (block.type === "tool_use" ? [block.id] : [])) : [];
      for (const block of blocksOf(message)) {
        if (block.type === "tool_result" && !previousUses.includes(block.tool_use_id)) {
          return (
            `messages.${index}.content.0: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${block.tool_use_id}. ` +
            "Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
          );
        }
      }
    }
  }
  return undefined;
}

function countBreakpoints(request: PromptRequest): number {
  let count = request.cache_control ? 1 : 0;
  for (const tool of request.tools ?? []) if (tool.cache_control) count += 1;
  if (Array.isArray(request.system)) for (const block of request.system) if (block.cache_control) count += 1;
  for (const message of request.messages) {
    for (const block of blocksOf(message)) if ("cache_control" in block && block.cache_control) count += 1;
  }
  return count;
}

function checkTools(request: PromptRequest): string | undefined {
  const choice = request.tool_choice;
  const names = (request.tools ?? []).map((tool) => tool.name);
  if (new Set(names).size !== names.length) return "tools: Tool names must be unique.";
  if (choice && choice.type !== "none" && choice.type !== "auto" && names.length === 0) {
    return "tool_choice: tool_choice may only be specified while providing tools.";
  }
  if (choice?.type === "tool" && !names.includes(choice.name)) return `tool_choice: Tool '${choice.name}' not found in provided tools`;
  return undefined;
}

export function checkPrompt(request: PromptRequest): string | undefined {
  const breakpoints = countBreakpoints(request);
  if (breakpoints > MAX_CACHE_BREAKPOINTS) {
    return `A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`;
  }
  if (request.thinking?.type === "enabled" && request.thinking.budget_tokens >= request.max_tokens) {
    return "max_tokens: must be greater than thinking.budget_tokens";
  }
  return checkRoles(request.messages) ?? checkContent(request.messages) ?? checkToolPairs(request.messages) ?? checkTools(request);
}
