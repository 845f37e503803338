/**
 * The Anthropic answers handleMessages writes, rewritten on the way out as OpenAI chat
 * completions: ChatCompletionResponse stands where handleMessages expects the client's response
 * and passes every byte on in the OpenAI shape — a chat.completion object, chat.completion.chunk
 * events ending in `data: [DONE]`, or an OpenAI error body with the same status. The request-id
 * header is repeated as x-request-id, the name OpenAI clients read it from.
 *
 * Usage (protocols.md §5, pitfall 8): Anthropic's input_tokens exclude the cache, OpenAI's
 * prompt_tokens include it, so prompt_tokens = input + cache reads + cache writes, with
 * prompt_tokens_details.cached_tokens = cache reads and prompt_tokens_details.cache_write_tokens =
 * cache writes (the openai SDK's "unadjusted number of prompt tokens written to cache"): writes
 * cost more than input, so a client pricing the answer needs them apart.
 *
 * Finish reasons (pitfall 6): end_turn and stop_sequence → stop, max_tokens and
 * model_context_window_exceeded → length, tool_use → tool_calls, refusal → content_filter,
 * pause_turn → stop.
 */
import type { ServerResponse } from "node:http";
import { SseEventSplitter, type SseEvent } from "../../providers/shared/sse-events.js";
import type { ClientResponse } from "../client-response.js";
import { chatError, openAIError, type ErrorContext } from "./chat-errors.js";
import { translateChatRequest, type ChatRequest } from "./chat-request.js";
import { ChatRequestError } from "./chat-request-error.js";

// The gateway's own refusals on the route (front.ts, server.ts) are answered from here too.
export { openAIErrorResponse } from "./chat-errors.js";

type Json = Record<string, unknown>;

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

const FINISH_REASONS: Record<string, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

export function finishReason(stopReason: unknown): string | null {
  return typeof stopReason === "string" ? (FINISH_REASONS[stopReason] ?? "stop") : null;
}

export function chatUsage(usage: AnthropicUsage | undefined): Json {
  const input = usage?.input_tokens ?? 0;
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  const output = usage?.output_tokens ?? 0;
  const prompt = input + cacheRead + cacheWrite;
  return { prompt_tokens: prompt, completion_tokens: output, total_tokens: prompt + output, prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite } };
}

/** A whole Anthropic message as a chat.completion object. */
export function chatCompletion(message: Json, created: number): Json {
  const content = Array.isArray(message.content) ? (message.content as Json[]) : [];
  const text = content.filter((block) => block.type === "text").map((block) => String(block.text ?? "")).join("");
  const toolCalls = content
    .filter((block) => block.type === "tool_use")
    .map((block) => ({ id: block.id, type: "function", function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } }));
  return {
    id: message.id,
    object: "chat.completion",
    created,
    model: message.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: text === "" && toolCalls.length > 0 ? null : text, refusal: null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
        finish_reason: finishReason(message.stop_reason),
        logprobs: null,
      },
    ],
    usage: chatUsage(message.usage as AnthropicUsage | undefined),
  };
}

/** Rewrites the Anthropic SSE stream into chat.completion.chunk events, event by event. */
class ChunkWriter {
  private readonly splitter = new SseEventSplitter();
  private id = "";
  private model = "";
  private usage: AnthropicUsage = {};
  /** Anthropic content block index → OpenAI tool_calls index. */
  private readonly toolIndex = new Map<number, number>();
  /** Tool calls (by OpenAI index) whose arguments have had a character yet. */
  private readonly argued = new Set<number>();
  finished = false;

  constructor(
    private readonly created: number,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(delta: Json, finish: string | null = null): string {
    // With include_usage, "all other chunks will also include a usage field, but with a null value" (OpenAI).
    return `data: ${JSON.stringify({ id: this.id, object: "chat.completion.chunk", created: this.created, model: this.model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...(this.includeUsage ? { usage: null } : {}) })}\n\n`;
  }

  /**
   * An error the gateway adds to a stream (a connection lost mid-stream): whatever part of an
   * event was still arriving is dropped, so the error is a whole event of its own.
   */
  error(type: string, message: string): string {
    this.splitter.reset();
    this.finished = true;
    return `data: ${openAIError(type, message)}\n\n`;
  }

  /** The OpenAI text for these Anthropic bytes. */
  translate(bytes: Uint8Array): string {
    return this.splitter
      .push(bytes)
      .map((event) => this.event(event))
      .join("");
  }

  private event({ event, data }: SseEvent): string {
    let payload: Json;
    try {
      payload = JSON.parse(data) as Json;
    } catch {
      return "";
    }
    switch (event ?? payload.type) {
      case "message_start": {
        const message = (payload.message ?? {}) as Json;
        this.id = String(message.id ?? "");
        this.model = String(message.model ?? "");
        this.usage = { ...((message.usage as AnthropicUsage | undefined) ?? {}) };
        return this.chunk({ role: "assistant", content: "" });
      }
      case "content_block_start": {
        const block = (payload.content_block ?? {}) as Json;
        if (block.type !== "tool_use") return "";
        const index = this.toolIndex.size;
        this.toolIndex.set(Number(payload.index), index);
        return this.chunk({ tool_calls: [{ index, id: block.id, type: "function", function: { name: block.name, arguments: "" } }] });
      }
      case "content_block_delta": {
        const delta = (payload.delta ?? {}) as Json;
        if (delta.type === "text_delta") return this.chunk({ content: String(delta.text ?? "") });
        if (delta.type === "input_json_delta") {
          const index = this.toolIndex.get(Number(payload.index));
          const text = String(delta.partial_json ?? "");
          if (index === undefined || text === "") return "";
          this.argued.add(index);
          return this.chunk({ tool_calls: [{ index, function: { arguments: text } }] });
        }
        return ""; // thinking and signature deltas have no OpenAI counterpart
      }
      case "content_block_stop": {
        // A call without arguments: "{}", as the whole completion gives it (a client parses it as JSON).
        const index = this.toolIndex.get(Number(payload.index));
        if (index === undefined || this.argued.has(index)) return "";
        this.argued.add(index);
        return this.chunk({ tool_calls: [{ index, function: { arguments: "{}" } }] });
      }
      case "message_delta": {
        // output_tokens is cumulative: the last value is the total.
        const usage = (payload.usage ?? {}) as AnthropicUsage;
        this.usage = { ...this.usage, ...Object.fromEntries(Object.entries(usage).filter(([, value]) => value !== null && value !== undefined)) };
        return this.chunk({}, finishReason(((payload.delta ?? {}) as Json).stop_reason) ?? "stop");
      }
      case "message_stop":
        this.finished = true;
        return (this.includeUsage ? `data: ${JSON.stringify({ id: this.id, object: "chat.completion.chunk", created: this.created, model: this.model, choices: [], usage: chatUsage(this.usage) })}\n\n` : "") + "data: [DONE]\n\n";
      case "error":
        // An error event's data is an Anthropic error body ({type: "error", error: {type, message}}).
        this.finished = true;
        return `data: ${chatError(data)}\n\n`;
      default:
        return ""; // ping, and event types added later
    }
  }
}

/**
 * What handleMessages writes to, for a chat completions client: status and headers are held until
 * the body is known (a JSON answer) or sent at once (a stream); the Anthropic body is translated.
 */
export class ChatCompletionResponse implements ClientResponse {
  private status = 200;
  private headers: Record<string, string> = {};
  private started = false;
  private ended = false;
  private chunks: ChunkWriter | undefined;
  private readonly created = Math.floor(Date.now() / 1000);

  /** stream_options.include_usage, known once the request is translated (before anything is written). */
  private includeUsage = false;
  /**
   * What an error answer's param is read against: the field the translator refused, or the
   * translated request's sources and the field that set max_tokens (the answer's headers added in end()).
   */
  private errorContext: ErrorContext = {};

  constructor(private readonly response: ServerResponse) {}

  /**
   * The chat request as a Messages request body and its bytes (handleMessages' translate step,
   * after the key check); remembers what the answer must carry. Throws a GatewayError to refuse it.
   */
  translate(body: unknown, outputLimit: (model: string) => number | undefined): { body: unknown; raw: Buffer } {
    let chat: ChatRequest;
    try {
      chat = translateChatRequest(body, outputLimit);
    } catch (error) {
      // handleMessages answers the refusal as an Anthropic body; its field is remembered for end().
      if (error instanceof ChatRequestError) this.errorContext = { refused: error.param };
      throw error;
    }
    this.includeUsage = chat.includeUsage;
    this.errorContext = { sources: chat.sources, ...(chat.maxTokensFrom === undefined ? {} : { maxTokensFrom: chat.maxTokensFrom }) };
    return { body: chat.body, raw: Buffer.from(JSON.stringify(chat.body)) };
  }

  get destroyed(): boolean {
    return this.response.destroyed;
  }

  destroy(): void {
    this.response.destroy();
  }

  get headersSent(): boolean {
    return this.started;
  }

  writeHead(status: number, headers: Record<string, string>): this {
    this.started = true;
    this.status = status;
    this.headers = { ...headers };
    // The openai SDK reads the request id from x-request-id (its _request_id and APIError.requestID).
    const requestId = headers["request-id"];
    if (requestId !== undefined) this.headers["x-request-id"] = requestId;
    if (status === 200 && String(headers["content-type"] ?? "").startsWith("text/event-stream")) {
      this.chunks = new ChunkWriter(this.created, this.includeUsage);
      this.response.writeHead(200, this.headers);
    }
    return this;
  }

  writeStreamError(type: string, message: string): void {
    if (this.chunks && !this.response.destroyed) this.response.write(this.chunks.error(type, message));
  }

  write(chunk: Buffer | string): boolean {
    if (!this.chunks) return true;
    const text = this.chunks.translate(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    return text === "" ? true : this.response.write(text);
  }

  end(body?: Buffer | string): this {
    if (this.ended) return this;
    this.ended = true;
    if (this.chunks) {
      // A stream cut short still ends the way OpenAI clients expect.
      if (!this.chunks.finished && !this.response.destroyed) this.response.write("data: [DONE]\n\n");
      this.response.end();
      return this;
    }
    const text = body === undefined ? "" : typeof body === "string" ? body : body.toString("utf8");
    let out: string;
    if (this.status === 200) {
      try {
        out = JSON.stringify(chatCompletion(JSON.parse(text) as Json, this.created));
      } catch (error) {
        // Never throw back into handleMessages: its request is over once it ends the response.
        this.status = 502;
        out = openAIError("api_error", `the upstream's answer could not be read as a message: ${(error as Error).message}`);
      }
    } else {
      out = chatError(text, { ...this.errorContext, headers: this.headers });
    }
    const { "content-length": _length, ...headers } = this.headers;
    this.response.writeHead(this.status, { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(out)) });
    this.response.end(out);
    return this;
  }

  on(event: "drain" | "close", listener: () => void): this {
    this.response.on(event, listener);
    return this;
  }

  off(event: "drain" | "close", listener: () => void): this {
    this.response.off(event, listener);
    return this;
  }
}
