/**
 * Errors on the chat completions route as OpenAI's `{error: {message, type, param, code}}` body:
 * the type kept, OpenAI's code where clients act on one, and as param the chat request's field the
 * error names, read back from the translated Messages request's path where the mapping is known.
 * https://platform.openai.com/docs/guides/error-codes
 */
import { errorResponse, type ErrorResponse, type GatewayError } from "../errors.js";
import type { UpstreamError } from "../../providers/upstream-error.js";

/**
 * A refusal the gateway answers itself on the chat route (before handleMessages, or instead of it):
 * errorResponse's status and headers, OpenAI's body, and the id where the openai SDK reads it.
 */
export function openAIErrorResponse(error: GatewayError | UpstreamError, requestId: string): ErrorResponse {
  const reply = errorResponse(error, requestId);
  return { ...reply, headers: { ...reply.headers, "x-request-id": requestId }, body: openAIError(reply.type, error.message, { headers: reply.headers }) };
}

/** Where an error came from, for its param and code (openAIError). */
export interface ErrorContext {
  /** How each translated turn's blocks map back to the chat request's messages[] (ChatRequest.sources). */
  sources?: number[][];
  /** The field the translator refused, when it did: known exactly, not read back from the message. */
  refused?: string;
  /** The chat request's field that set max_tokens (ChatRequest.maxTokensFrom): what an error naming max_tokens names for the client. */
  maxTokensFrom?: string;
  /** The answer's headers (x-switchyard-error names the gateway's own refusal; x-should-retry tells a spent budget from one full of requests in flight). */
  headers?: Record<string, string>;
}

/**
 * OpenAI's error.code for the errors clients act on by code: a bad key, an unknown model, a prompt
 * over the context window (clients shorten the conversation on context_length_exceeded), a rate
 * limit, and a spent budget, which OpenAI calls insufficient_quota and which a retry will not help.
 * https://platform.openai.com/docs/guides/error-codes
 */
function errorCode(type: string, message: string, headers: Record<string, string> | undefined): string | null {
  if (type === "authentication_error") return "invalid_api_key";
  if (type === "not_found_error" && message.startsWith("model: ")) return "model_not_found";
  if (type === "invalid_request_error" && /prompt is too long/i.test(message)) return "context_length_exceeded";
  if (type === "rate_limit_error") return headers?.["x-switchyard-error"] === "budget_exceeded" && headers["x-should-retry"] === "false" ? "insufficient_quota" : "rate_limit_exceeded";
  return null;
}

/** OpenAI's error body: {error: {message, type, param, code}}. */
export function openAIError(type: string, message: string, context: ErrorContext = {}): string {
  const code = errorCode(type, message, context.headers);
  if (context.refused !== undefined) return JSON.stringify({ error: { message, type, param: context.refused, code } });
  const param = paramOf(type, message);
  const client = param === null ? undefined : chatField(param, context);
  if (client === undefined || client === param) return JSON.stringify({ error: { message, type, param, code } });
  return JSON.stringify({ error: { message: `${message} (${param} is the chat request's ${client})`, type, param: client, code } });
}

/**
 * The chat request's field a path into the translated Messages request names, where the mapping is
 * known: a message (turns merge messages), max_tokens (set by max_completion_tokens or max_tokens),
 * a tool's name, description or schema, stop_sequences. Undefined for one it cannot place.
 */
function chatField(param: string, { sources, maxTokensFrom }: ErrorContext): string | undefined {
  if (param.startsWith("messages.")) return sources === undefined ? undefined : clientMessage(param, sources);
  if (param === "max_tokens") return maxTokensFrom;
  if (param === "stop_sequences" || param.startsWith("stop_sequences.")) return "stop";
  const tool = /^tools\.(\d+)(?:\.(name|description|input_schema))?/.exec(param);
  if (tool) return `tools[${tool[1]}]${tool[2] === undefined ? "" : `.function.${TOOL_FIELDS[tool[2]]}`}`;
  return undefined;
}

/** A Claude tool's fields as an OpenAI function's. */
const TOOL_FIELDS: Record<string, string> = { name: "name", description: "description", input_schema: "parameters" };

/**
 * The chat request's message an upstream's path into the translated Messages request names: its
 * "messages.3.content.1" counts turns (merged messages) and their blocks, not the client's
 * messages[]. Undefined for a path that names no message.
 */
function clientMessage(param: string, sources: number[][]): string | undefined {
  const path = /^messages\.(\d+)(?:\.content\.(\d+))?/.exec(param);
  if (!path) return undefined;
  const turn = sources[Number(path[1])];
  const index = turn?.[Number(path[2] ?? 0)] ?? turn?.[0];
  return index === undefined ? undefined : `messages[${index}]`;
}

/**
 * The request field an invalid-request error names, as OpenAI's `param`: the translator's and the
 * gateway's refusals start with it ("n: only 1 is supported…", "messages[3]: …"), and so do the
 * upstreams' ("messages.0.content: …"); Bedrock's schema errors name it as a JSON pointer
 * ("Malformed input request: #/tools/0/name: …"), and a routing refusal after "fails"
 * ("anthropic-haiku fails max_tokens 100000: its output limit is…"). Anything else: null.
 */
function paramOf(type: string, message: string): string | null {
  if (type !== "invalid_request_error") return null;
  // An upstream's message comes after its provider's name (and Bedrock's exception name): the
  // first of the leading "x: " parts that is a request field is the param.
  for (const part of message.split(": ").slice(0, 3)) {
    if (isField(part)) return part;
  }
  const pointer = /(?:^|: )#\/(\w+(?:\/\w+)*): /.exec(message);
  if (pointer) return (pointer[1] as string).replaceAll("/", ".");
  const routed = /^no deployment of .* can serve this request[^:]*: \S+ fails ([\w.[\]]+)[ :]/.exec(message);
  if (routed && isField(routed[1] as string)) return routed[1] as string;
  return null;
}

function isField(text: string): boolean {
  const path = /^([A-Za-z_]\w*)((?:\[\d+\]|\.\w+)*)$/.exec(text);
  return path !== null && (path[2] !== "" || REQUEST_FIELDS.has(path[1] as string));
}

/** Top-level fields of a chat or Messages request: a bare name that is one of these is a param. */
const REQUEST_FIELDS = new Set([
  "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "stop", "stop_sequences", "stream", "stream_options",
  "tools", "tool_choice", "parallel_tool_calls", "user", "frequency_penalty", "presence_penalty", "logprobs", "n", "store", "response_format",
  "system", "metadata", "thinking", "seed", "functions", "function_call", "audio", "modalities", "prediction", "service_tier",
]);

/** An Anthropic error body (as text) as OpenAI's error body. */
export function chatError(text: string, context: ErrorContext = {}): string {
  let message = text;
  let type = "api_error";
  try {
    const parsed = JSON.parse(text) as { error?: { type?: unknown; message?: unknown } };
    if (typeof parsed.error?.message === "string") message = parsed.error.message;
    if (typeof parsed.error?.type === "string") type = parsed.error.type;
  } catch {
    // Not JSON: the text is the message.
  }
  return openAIError(type, message, context);
}
