/**
 * The messages of an OpenAI chat completions request as Claude's system prompt and turns, for
 * translateChatRequest (chat-request.ts): system and developer messages become `system`; user text
 * and image_url parts, assistant text, refusals and tool_calls, and tool results become content
 * blocks; turns of the same role are merged (Claude alternates roles), and each block remembers
 * the chat message it came from, for an upstream error's param. What does not translate exactly
 * is refused naming the field (protocols.md §5).
 */
import { cacheControlOf, refuseOnBlank, withCacheControl } from "./cache-control.js";
import { ChatRequestError } from "./chat-request-error.js";

export type Json = Record<string, unknown>;
export type Block = Json;

export interface Turn {
  role: "user" | "assistant";
  content: Block[];
}

/** A refusal of the field at `field` (its OpenAI param). */
export function bad(field: string, problem: string): ChatRequestError {
  return new ChatRequestError(field, problem);
}

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** OpenAI's fields are nullable, and generated clients send explicit nulls (`tool_calls: null`): null is "not set". */
export function withoutNulls(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== null));
}

interface TextPart {
  text: string;
  /** Where the part is, for a refusal of its breakpoint. */
  where: string;
  cache_control?: Json;
}

/**
 * Text parts only (system, developer, tool and assistant content), each with its cache_control; an
 * assistant's content may also hold refusal parts (`{type: "refusal", refusal}`), which are what it
 * said too.
 */
function textParts(content: unknown, field: string, refusals = false): TextPart[] {
  if (typeof content === "string") return [{ text: content, where: field }];
  if (!Array.isArray(content)) throw bad(field, "must be a string or a list of text parts");
  return content.map((part, index): TextPart => {
    const where = `${field}[${index}]`;
    const refusal = refusals && isObject(part) && part.type === "refusal" && typeof part.refusal === "string";
    if (!refusal && (!isObject(part) || part.type !== "text" || typeof part.text !== "string")) throw bad(where, refusals ? "only text and refusal parts are supported here" : "only text parts are supported here");
    const text = String(refusal ? part.refusal : part.text);
    const control = cacheControlOf(part, where);
    return control === undefined ? { text, where } : { text, where, cache_control: control };
  });
}

/**
 * Text parts as Claude text blocks: joined into one, as OpenAI reads them, unless one carries a
 * cache breakpoint, which needs its own block. Blank text is left out (Claude refuses it).
 */
function textBlocks(parts: TextPart[]): Block[] {
  if (parts.every((part) => part.cache_control === undefined)) return textBlock(parts.map((part) => part.text).join(""), undefined, "");
  return parts.flatMap((part) => textBlock(part.text, part.cache_control, part.where));
}

/** A text block with its breakpoint; none for blank text (Claude refuses it), where a breakpoint is refused. */
function textBlock(text: string, control: Json | undefined, where: string): Block[] {
  if (!blank(text)) return [withCacheControl({ type: "text", text }, control)];
  if (control !== undefined) throw refuseOnBlank(where);
  return [];
}

/** A message's own cache_control goes on its last block (LiteLLM's reading). */
function withMessageCacheControl(blocks: Block[], message: Json, where: string): Block[] {
  const control = cacheControlOf(message, where);
  if (control === undefined) return blocks;
  if (blocks.length === 0) throw refuseOnBlank(where);
  return [...blocks.slice(0, -1), withCacheControl(blocks.at(-1) as Block, control)];
}

/** `image/jpg`, which many clients write and Claude refuses, is JPEG; media types are case-insensitive. */
const DATA_URI = /^data:image\/(png|jpeg|jpg|gif|webp);base64,(.*)$/is;

/** Anthropic refuses a text block that is empty or only whitespace; OpenAI clients send them. */
export const blank = (text: string): boolean => text.trim() === "";

function userBlocks(content: unknown, field: string): Block[] {
  if (typeof content === "string") return textBlock(content, undefined, field);
  if (!Array.isArray(content)) throw bad(field, "must be a string or a list of content parts");
  return content.flatMap((part, index): Block[] => {
    const where = `${field}[${index}]`;
    if (!isObject(part)) throw bad(where, "must be a content part object");
    const control = cacheControlOf(part, where);
    if (part.type === "text" && typeof part.text === "string") return textBlock(part.text, control, where);
    if (part.type === "image_url") {
      const url = isObject(part.image_url) ? part.image_url.url : undefined;
      if (typeof url !== "string") throw bad(`${where}.image_url.url`, "must be a string");
      const inline = DATA_URI.exec(url);
      if (inline) {
        const format = (inline[1] as string).toLowerCase();
        return [withCacheControl({ type: "image", source: { type: "base64", media_type: `image/${format === "jpg" ? "jpeg" : format}`, data: inline[2] } }, control)];
      }
      if (/^https?:\/\//.test(url)) return [withCacheControl({ type: "image", source: { type: "url", url } }, control)];
      throw bad(`${where}.image_url.url`, "must be an http(s) URL or a base64 data URI of a PNG, JPEG, GIF or WebP image");
    }
    throw bad(where, `content parts of type ${JSON.stringify(part.type)} are not supported (text and image_url are)`);
  });
}

function toolUseBlocks(toolCalls: unknown, field: string): Block[] {
  if (!Array.isArray(toolCalls)) throw bad(field, "must be a list");
  return toolCalls.map((call, index): Block => {
    const where = `${field}[${index}]`;
    if (!isObject(call) || typeof call.id !== "string" || !isObject(call.function) || typeof call.function.name !== "string") {
      throw bad(where, "must have an id and a function with a name");
    }
    const text = call.function.arguments ?? "{}";
    let input: unknown;
    try {
      input = typeof text === "string" ? JSON.parse(text === "" ? "{}" : text) : undefined;
    } catch {
      input = undefined;
    }
    if (!isObject(input)) throw bad(`${where}.function.arguments`, "must be a JSON object in a string");
    return { type: "tool_use", id: call.id, name: call.function.name, input };
  });
}

/** Appends a message's blocks to the conversation (merged into the last turn if it has the same role), noting where each came from. */
function append(conversation: { turns: Turn[]; sources: number[][] }, from: number, role: Turn["role"], content: Block[]): void {
  if (content.length === 0) return;
  const last = conversation.turns.at(-1);
  const froms = content.map(() => from);
  if (last && last.role === role) {
    last.content.push(...content);
    conversation.sources.at(-1)?.push(...froms);
  } else {
    conversation.turns.push({ role, content });
    conversation.sources.push(froms);
  }
}

/**
 * Anthropic takes a last assistant turn as a prefill and continues it (Claude 4.6 and later refuse
 * it with a 400), where OpenAI writes a new reply after it: refused, rather than answered otherwise.
 */
function endsWithAssistant(lastAssistant: number, lastUser: number): ChatRequestError {
  const consequence = "Claude would continue it rather than reply (and Claude 4.6 and later refuse it)";
  // A user message after it that left no turn was blank (Claude refuses empty text, so it is left out).
  if (lastUser > lastAssistant) {
    return bad(`messages[${lastUser}]`, `the last user message has no text, so the conversation ends with the assistant message messages[${lastAssistant}] (blank messages are left out: Claude refuses empty text); ${consequence}: give the last user message some text`);
  }
  return bad(`messages[${lastAssistant}]`, `the conversation ends with an assistant message; ${consequence}: end with a user or tool message`);
}

export function translateMessages(messages: unknown): { system: string | Block[] | undefined; turns: Turn[]; sources: number[][] } {
  if (!Array.isArray(messages) || messages.length === 0) throw bad("messages", "must be a non-empty list");
  /** Each system or developer message's text parts, the message's own cache_control on its last. */
  const system: TextPart[][] = [];
  const conversation = { turns: [] as Turn[], sources: [] as number[][] };
  const { turns, sources } = conversation;
  /** The last assistant message that said something, and the last user message (blank or not): for endsWithAssistant. */
  let lastAssistant = -1;
  let lastUser = -1;
  messages.forEach((received, index) => {
    const where = `messages[${index}]`;
    if (!isObject(received)) throw bad(where, "must be an object");
    const message = withoutNulls(received);
    switch (message.role) {
      case "system":
      case "developer": {
        const parts = textParts(message.content, `${where}.content`);
        const control = cacheControlOf(message, where);
        const last = parts.at(-1);
        if (control !== undefined && last) parts[parts.length - 1] = { ...last, where, cache_control: control };
        else if (control !== undefined) throw refuseOnBlank(where);
        system.push(parts);
        return;
      }
      case "user":
        append(conversation, index, "user", withMessageCacheControl(userBlocks(message.content, `${where}.content`), message, where));
        lastUser = index;
        return;
      case "assistant": {
        // The deprecated single call: dropping it would lose the call from the conversation.
        if (message.function_call !== undefined) throw bad(`${where}.function_call`, "is the deprecated form of tool_calls, which Switchyard translates: send tool_calls (and role: tool answers) instead");
        const parts = message.content === undefined ? [] : textParts(message.content, `${where}.content`, true);
        // OpenAI answers a refusal as content: null and refusal: its text. It is what the assistant
        // said; dropping it would merge the user turns on either side.
        if (message.refusal !== undefined && typeof message.refusal !== "string") throw bad(`${where}.refusal`, "must be a string (the assistant's refusal text) or null");
        const blocks = textBlocks(parts);
        if (typeof message.refusal === "string" && !blank(message.refusal)) blocks.push({ type: "text", text: message.refusal });
        if (message.tool_calls !== undefined) blocks.push(...toolUseBlocks(message.tool_calls, `${where}.tool_calls`));
        append(conversation, index, "assistant", withMessageCacheControl(blocks, message, where));
        if (blocks.length > 0) lastAssistant = index;
        return;
      }
      case "tool": {
        if (typeof message.tool_call_id !== "string") throw bad(`${where}.tool_call_id`, "is required");
        // Consecutive tool messages become one user turn of tool_result blocks. A breakpoint on
        // the message or on any of its parts goes on the result block, where Claude takes it.
        const parts = textParts(message.content, `${where}.content`);
        const control = cacheControlOf(message, where) ?? parts.findLast((part) => part.cache_control !== undefined)?.cache_control;
        const result = { type: "tool_result", tool_use_id: message.tool_call_id, content: parts.map((part) => part.text).join("") };
        append(conversation, index, "user", [withCacheControl(result, control)]);
        return;
      }
      default:
        throw bad(`${where}.role`, `must be system, developer, user, assistant or tool (got ${JSON.stringify(message.role)})`);
    }
  });
  if (turns.length === 0) throw bad("messages", "must hold at least one user message");
  if (turns[0]?.role === "assistant") {
    const first = sources[0]?.[0] ?? 0;
    throw bad(`messages[${first}]`, "Claude's conversation must open with a user message (after any system or developer messages), and this one opens with an assistant message: start with the user's turn, or put what the assistant said into a system message");
  }
  if (turns.at(-1)?.role === "assistant") throw endsWithAssistant(lastAssistant, lastUser);
  return { system: systemPrompt(system), turns, sources };
}

/**
 * The system and developer messages as Claude's system: their texts joined by blank lines, or, where
 * one carries a cache breakpoint, a list of text blocks (one per message, or per part where the
 * parts of a message carry breakpoints), which is how Claude takes one.
 */
function systemPrompt(messages: TextPart[][]): string | Block[] | undefined {
  if (messages.length === 0) return undefined;
  if (messages.every((parts) => parts.every((part) => part.cache_control === undefined))) {
    return messages.map((parts) => parts.map((part) => part.text).join("")).join("\n\n");
  }
  return messages.flatMap(textBlocks);
}
