/**
 * An OpenAI chat completions request as an Anthropic Messages request, for POST
 * /v1/chat/completions. Everything that does not translate exactly is refused with a 400 naming
 * the field, never dropped: a client that asked for n=3 or logprobs must not get something else.
 * Only what steers OpenAI alone and changes nothing of the answer is left out (prompt_cache_key,
 * a message's name, an image's detail; docs/GATEWAY.md lists them).
 * The pitfalls this follows are in ../shared/reference/protocols.md §5: tool messages merged into
 * one user turn after the assistant's tool_use, same-role turns merged, max_tokens required,
 * temperature 0..1, images as base64 or URL sources.
 */
import { GatewayError } from "../errors.js";
import { cacheControlOf, refuseOnBlank, withCacheControl } from "./cache-control.js";
import { ChatRequestError } from "./chat-request-error.js";

export { ChatRequestError };

/**
 * Anthropic requires max_tokens; OpenAI does not, and without one writes up to the model's own
 * limit. A request without one gets the model's output limit (outputLimit: the smallest the
 * catalog gives its deployments, so every one accepts it), or this where the catalog has none.
 */
export const DEFAULT_MAX_TOKENS = 4_096;

export interface ChatRequest {
  /** The Anthropic Messages body (stream included). */
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** stream_options.include_usage: a last chunk with the usage. */
  includeUsage: boolean;
  /**
   * For each Messages turn, for each of its content blocks, the index in the chat request's
   * messages[] it came from (turns merge messages): what an upstream's "messages.3.content.1" is.
   */
  sources: number[][];
  /** The chat request's field that set max_tokens; undefined where the gateway chose it (the client sent neither). */
  maxTokensFrom: "max_tokens" | "max_completion_tokens" | undefined;
}

type Json = Record<string, unknown>;
type Block = Json;
interface Turn {
  role: "user" | "assistant";
  content: Block[];
}

/** Fields accepted only with the value that changes nothing (clients often send the defaults). */
const IGNORED_WHEN_DEFAULT: Record<string, unknown> = { frequency_penalty: 0, presence_penalty: 0, logprobs: false, n: 1, store: false };
const TRANSLATED = new Set([
  "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "stream", "stream_options",
  "tools", "tool_choice", "parallel_tool_calls", "user", "safety_identifier", "prompt_cache_key", "frequency_penalty", "presence_penalty", "logprobs", "n", "store", "response_format",
]);

function bad(field: string, problem: string): ChatRequestError {
  return new ChatRequestError(field, problem);
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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
  if (parts.every((part) => part.cache_control === undefined)) {
    const text = parts.map((part) => part.text).join("");
    return blank(text) ? [] : [{ type: "text", text }];
  }
  return parts.flatMap((part): Block[] => {
    if (!blank(part.text)) return [withCacheControl({ type: "text", text: part.text }, part.cache_control)];
    if (part.cache_control !== undefined) throw refuseOnBlank(part.where);
    return [];
  });
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
const blank = (text: string): boolean => text.trim() === "";

function userBlocks(content: unknown, field: string): Block[] {
  if (typeof content === "string") return blank(content) ? [] : [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw bad(field, "must be a string or a list of content parts");
  return content.flatMap((part, index): Block[] => {
    const where = `${field}[${index}]`;
    if (!isObject(part)) throw bad(where, "must be a content part object");
    const control = cacheControlOf(part, where);
    if (part.type === "text" && typeof part.text === "string") {
      if (!blank(part.text)) return [withCacheControl({ type: "text", text: part.text }, control)];
      if (control !== undefined) throw refuseOnBlank(where);
      return [];
    }
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

function translateMessages(messages: unknown): { system: string | Block[] | undefined; turns: Turn[]; sources: number[][] } {
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

function translateTools(tools: unknown): Block[] {
  if (!Array.isArray(tools)) throw bad("tools", "must be a list");
  return tools.map((tool, index): Block => {
    const where = `tools[${index}]`;
    if (!isObject(tool) || tool.type !== "function" || !isObject(tool.function) || typeof tool.function.name !== "string") {
      throw bad(where, 'must be {type: "function", function: {name, description?, parameters?}}');
    }
    const { name, description, parameters, strict } = withoutNulls(tool.function);
    if (parameters !== undefined && !isObject(parameters)) throw bad(`${where}.function.parameters`, "must be a JSON Schema object");
    // strict: true promises output matching the schema exactly, which this translation cannot.
    if (strict !== undefined && strict !== false) throw bad(`${where}.function.strict`, "only false is supported by Claude through this endpoint");
    const translated = { name, ...(typeof description === "string" ? { description } : {}), input_schema: parameters ?? { type: "object", properties: {} } };
    return withCacheControl(translated, cacheControlOf(tool, where));
  });
}

function translateToolChoice(choice: unknown, parallel: unknown): Json | undefined {
  let translated: Json | undefined;
  if (choice === undefined) translated = undefined;
  else if (choice === "auto") translated = { type: "auto" };
  else if (choice === "none") translated = { type: "none" };
  else if (choice === "required") translated = { type: "any" };
  else if (isObject(choice) && choice.type === "function" && isObject(choice.function) && typeof choice.function.name === "string") {
    translated = { type: "tool", name: choice.function.name };
  } else throw bad("tool_choice", 'must be "auto", "none", "required" or {type: "function", function: {name}}');
  if (parallel !== undefined && typeof parallel !== "boolean") throw bad("parallel_tool_calls", "must be a boolean");
  // Anthropic's `none` choice has only a type; with no tools called, parallel calls are moot.
  if (parallel === false && translated?.type !== "none") translated = { ...(translated ?? { type: "auto" }), disable_parallel_tool_use: true };
  return translated;
}

/** OpenAI's settings that Claude's Messages API has nothing like: sending the request to /v1/messages would not help. */
const NO_MESSAGES_COUNTERPART = new Set(["seed", "top_logprobs", "logit_bias", "modalities", "audio", "prediction"]);

/** The rest of OpenAI's chat completions fields (openai-node 7.5's ChatCompletionCreateParams): a name not here is no OpenAI field at all. */
const OPENAI_FIELDS = new Set([
  "functions", "function_call", "metadata", "moderation", "prompt_cache_options", "prompt_cache_retention", "reasoning_effort", "service_tier", "verbosity", "web_search_options",
]);

function untranslated(field: string): string {
  if (NO_MESSAGES_COUNTERPART.has(field)) return "is not supported by Claude (its Messages API has no such setting either): leave it out";
  if (field === "prompt_cache_options" || field === "prompt_cache_retention") return "OpenAI's cache settings have no Claude equivalent: leave it out, and mark Claude's cache breakpoints with cache_control ({type: \"ephemeral\"}, ttl \"5m\" or \"1h\") on a content part, message or tool";
  if (OPENAI_FIELDS.has(field)) return "is not supported by Claude through Switchyard's chat completions endpoint (send it to /v1/messages in the Anthropic format instead)";
  return "is not a field of OpenAI's chat completions request: check its spelling, or leave it out";
}

/** OpenAI's fields are nullable, and generated clients send explicit nulls (`tool_calls: null`): null is "not set". */
function withoutNulls(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== null));
}

export function translateChatRequest(received: unknown, outputLimit: (model: string) => number | undefined = () => undefined): ChatRequest {
  if (!isObject(received)) throw new GatewayError("invalid_request", "the request body must be a JSON object");
  const body = withoutNulls(received);
  for (const field of Object.keys(body)) {
    if (!TRANSLATED.has(field)) {
      throw bad(field, untranslated(field));
    }
  }
  for (const [field, fallback] of Object.entries(IGNORED_WHEN_DEFAULT)) {
    if (body[field] !== undefined && body[field] !== fallback) throw bad(field, `only ${JSON.stringify(fallback)} is supported by Claude`);
  }
  if (body.response_format !== undefined && !(isObject(body.response_format) && body.response_format.type === "text")) {
    throw bad("response_format", 'only {type: "text"} is supported by Claude through this endpoint (JSON output: describe it in the prompt, or use a tool)');
  }
  if (typeof body.model !== "string" || body.model.length === 0) throw bad("model", "is required (a model name string)");
  const { system, turns, sources } = translateMessages(body.messages);
  const maxTokensFrom = body.max_completion_tokens !== undefined ? "max_completion_tokens" : body.max_tokens !== undefined ? "max_tokens" : undefined;
  const maxTokens = maxTokensFrom === undefined ? (outputLimit(body.model) ?? DEFAULT_MAX_TOKENS) : body[maxTokensFrom];
  if (typeof maxTokens !== "number" || !Number.isSafeInteger(maxTokens) || maxTokens < 1) throw bad(maxTokensFrom ?? "max_tokens", "must be a whole number ≥ 1");
  const translated: Json = { model: body.model, max_tokens: maxTokens, messages: turns };
  if (system !== undefined) translated.system = system;
  if (body.temperature !== undefined) {
    if (typeof body.temperature !== "number" || body.temperature < 0 || body.temperature > 1) throw bad("temperature", "must be between 0 and 1 for Claude (OpenAI allows up to 2)");
    translated.temperature = body.temperature;
  }
  if (body.top_p !== undefined) {
    if (typeof body.top_p !== "number" || body.top_p < 0 || body.top_p > 1) throw bad("top_p", "must be between 0 and 1");
    // 1 is OpenAI's default and changes nothing; newer Claude models refuse top_p next to temperature.
    if (body.top_p !== 1) translated.top_p = body.top_p;
  }
  if (body.stop !== undefined) {
    const stops = typeof body.stop === "string" ? [body.stop] : body.stop;
    if (!Array.isArray(stops) || !stops.every((stop) => typeof stop === "string")) throw bad("stop", "must be a string or a list of strings");
    if (stops.some(blank)) throw bad("stop", "each stop sequence must hold a character other than whitespace (Claude refuses \"\\n\" and the like)");
    translated.stop_sequences = stops;
  }
  const tools = body.tools === undefined ? [] : translateTools(body.tools);
  if (tools.length > 0) translated.tools = tools;
  const toolChoice = translateToolChoice(body.tool_choice, body.parallel_tool_calls);
  if (toolChoice && tools.length > 0) translated.tool_choice = toolChoice;
  else if (toolChoice && toolChoice.type !== "auto" && toolChoice.type !== "none") throw bad("tool_choice", "requires tools");
  // safety_identifier replaces OpenAI's deprecated user; both name the end user, Claude's metadata.user_id.
  for (const field of ["user", "safety_identifier"]) {
    if (body[field] !== undefined && typeof body[field] !== "string") throw bad(field, "must be a string");
  }
  if (typeof body.user === "string" && typeof body.safety_identifier === "string" && body.user !== body.safety_identifier) {
    throw bad("safety_identifier", "and user name different end users; Claude takes one (metadata.user_id): send safety_identifier alone (user is deprecated)");
  }
  const endUser = body.safety_identifier ?? body.user;
  if (typeof endUser === "string") translated.metadata = { user_id: endUser };
  // prompt_cache_key only buckets OpenAI's own cache; Claude's matches on the exact prefix, so it is left out.
  if (body.stream !== undefined && typeof body.stream !== "boolean") throw bad("stream", "must be a boolean");
  const stream = body.stream === true;
  if (stream) translated.stream = true;
  const options = body.stream_options;
  if (options !== undefined && !isObject(options)) throw bad("stream_options", "must be an object");
  return { body: translated, model: body.model, stream, includeUsage: stream && isObject(options) && options.include_usage === true, sources, maxTokensFrom };
}
