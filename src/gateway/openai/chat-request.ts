/**
 * An OpenAI chat completions request as an Anthropic Messages request, for POST
 * /v1/chat/completions. Everything that does not translate exactly is refused with a 400 naming
 * the field, never dropped: a client that asked for n=3 or logprobs must not get something else.
 * Only what steers OpenAI alone and changes nothing of the answer is left out (prompt_cache_key,
 * a message's name, an image's detail; docs/GATEWAY.md lists them).
 * The pitfalls this follows are in ../shared/reference/protocols.md §5: max_tokens required,
 * temperature 0..1; the messages' own (tool messages merged into one user turn after the
 * assistant's tool_use, same-role turns merged, images as base64 or URL sources) are in chat-messages.ts.
 */
import { GatewayError } from "../errors.js";
import { cacheControlOf, withCacheControl } from "./cache-control.js";
import { bad, blank, isObject, translateMessages, withoutNulls, type Block, type Json } from "./chat-messages.js";

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

/** Fields accepted only with the value that changes nothing (clients often send the defaults). */
const IGNORED_WHEN_DEFAULT: Record<string, unknown> = { frequency_penalty: 0, presence_penalty: 0, logprobs: false, n: 1, store: false };
const TRANSLATED = new Set([
  "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "stream", "stream_options",
  "tools", "tool_choice", "parallel_tool_calls", "user", "safety_identifier", "prompt_cache_key", "frequency_penalty", "presence_penalty", "logprobs", "n", "store", "response_format",
]);


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
