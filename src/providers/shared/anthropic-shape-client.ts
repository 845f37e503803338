/**
 * A client for upstreams that speak the Anthropic Messages API itself (the Anthropic API and
 * Claude Platform on AWS): near pass-through. The body goes up with only `model` replaced; the
 * response bytes come back unchanged, and usage is read on the way (message_start + the last
 * message_delta for streams). https://platform.claude.com/docs/en/api/messages
 */
import type { Dispatcher } from "undici";
import { fromAnthropicStream, fromAnthropicUsage } from "../../pricing/normalize-usage.js";
import type { FilesAnswer, FilesCall, MessagesCall, ProviderClient, TokenCount, UpstreamResult } from "../provider.js";
import { errorHeaders, streamCutError, upstreamJsonObject, UpstreamError } from "../upstream-error.js";
import { anthropicError, anthropicStreamError } from "./anthropic-errors.js";
import { failedAfterAnswer, mapBody, networkError, post, redirectError, send, type RawResponse } from "./http.js";
import { SseEventSplitter } from "./sse-events.js";

/** The beta variant of an endpoint, as the client called it (MessagesCall.beta). */
const BETA_QUERY = "?beta=true";
/** What a Files API answer's client needs of its headers besides the request id: what the body is. */
const FILES_ANSWER_HEADERS = ["content-type", "content-length", "content-disposition"] as const;
/** The stream events the gateway reads: usage, and an error before the message. */
const OBSERVED_EVENTS = ["message_start", "message_delta", "message_stop", "error"];

/** An answer of status 300 or more as the closed set: a redirect the gateway does not follow, or the upstream's Anthropic error. */
async function answeredError(response: RawResponse, who: string): Promise<UpstreamError> {
  const text = (await response.body.bytes()).toString("utf8");
  return response.status < 400 ? redirectError(response.status, response.headers, who, "base_url") : anthropicError(response.status, text, errorHeaders(response.headers), who);
}

export interface AnthropicShapeOptions {
  kind: string;
  baseUrl: string;
  agent: Dispatcher;
  /** Authentication headers for one request (x-api-key, or Authorization: Bearer). */
  authHeaders: () => Record<string, string> | Promise<Record<string, string>>;
  /** Name used in error messages, e.g. the deployment's provider name. */
  who: string;
}

export class AnthropicShapeClient implements ProviderClient {
  readonly kind: string;

  private readonly origin: string;
  /** The base URL's path ("" or e.g. "/anthropic"), without a trailing slash. */
  private readonly basePath: string;

  constructor(private readonly options: AnthropicShapeOptions) {
    this.kind = options.kind;
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, "");
  }

  /** The headers of a call: `base` (a JSON body's content type by default), the version, the betas and the credentials. */
  private headers(call: Pick<MessagesCall, "anthropicVersion" | "betas">, base: Record<string, string> = { "content-type": "application/json" }): Record<string, string> | Promise<Record<string, string>> {
    base["anthropic-version"] = call.anthropicVersion;
    if (call.betas.length > 0) base["anthropic-beta"] = call.betas.join(",");
    // Static keys are synchronous: no promise per request unless the credentials need one.
    const auth = this.options.authHeaders();
    return auth instanceof Promise ? auth.then((resolved) => Object.assign(base, resolved)) : Object.assign(base, auth);
  }

  async messages(call: MessagesCall): Promise<UpstreamResult> {
    const who = this.options.who;
    const body = call.json ?? JSON.stringify({ ...call.body, model: call.upstreamModel });
    const pendingHeaders = this.headers(call);
    const requestHeaders = pendingHeaders instanceof Promise ? await pendingHeaders : pendingHeaders;
    const response = await post(this.options.agent, this.origin, `${this.basePath}/v1/messages${call.beta ? BETA_QUERY : ""}`, requestHeaders, body, {
      cancel: call.cancel,
      headersTimeoutMs: call.firstByteTimeoutMs,
      who,
    });
    if (response.status >= 300) throw await answeredError(response, who);
    const headers = response.passThrough();
    if (!call.stream) {
      const bytes = await response.body.bytes().catch((error: unknown) => {
        throw failedAfterAnswer(error, response.status, who);
      });
      const text = bytes.toString("utf8");
      const message = upstreamJsonObject(text, who, "answer", response.status);
      return { kind: "json", bytes, text, usage: fromAnthropicUsage(message.usage), headers };
    }

    // Usage is in message_start and message_delta; the rest (the content deltas) is skipped undecoded.
    const splitter = new SseEventSplitter(OBSERVED_EVENTS);
    let startUsage: unknown;
    const deltaUsages: unknown[] = [];
    let streamError: UpstreamError | undefined;
    let stopped = false;
    /** True once a whole event (of any type) has arrived: the first event, for readUntil. */
    const observe = (chunk: Buffer): boolean => {
      const seenBefore = splitter.seen;
      for (const event of splitter.push(chunk)) {
        if (event.event === "message_start") {
          startUsage = (upstreamJsonObject(event.data, who, "message_start event") as { message?: { usage?: unknown } }).message?.usage;
        } else if (event.event === "message_delta") {
          deltaUsages.push((upstreamJsonObject(event.data, who, "message_delta event") as { usage?: unknown }).usage);
        } else if (event.event === "message_stop") {
          stopped = true;
        } else if (event.event === "error") {
          streamError ??= anthropicStreamError(event.data, who);
        }
      }
      return splitter.seen > seenBefore;
    };
    const first = await response.body.readUntil(observe, call.firstByteTimeoutMs).catch((error: unknown) => {
      throw failedAfterAnswer(error, response.status, who);
    });
    if (streamError && startUsage === undefined) {
      // An error before any message: nothing reached the client yet, so this is a failed attempt.
      response.body.destroy();
      throw streamError;
    }
    const rest = mapBody(
      response.body,
      (chunk) => {
        observe(chunk);
        return chunk;
      },
      (error) => networkError(error, who),
      () => {
        // A connection closed cleanly before the end is a cut stream too (an error event explains itself).
        if (!stopped && !streamError) throw streamCutError(who, "message_stop");
      },
    );
    return { kind: "stream", first, rest, usage: () => fromAnthropicStream(startUsage, deltaUsages), failure: () => streamError, headers };
  }

  async countTokens(body: Record<string, unknown>, call: Omit<MessagesCall, "stream" | "body">): Promise<TokenCount> {
    const who = this.options.who;
    const response = await post(
      this.options.agent,
      this.origin,
      `${this.basePath}/v1/messages/count_tokens${call.beta ? BETA_QUERY : ""}`,
      await this.headers(call),
      call.json ?? JSON.stringify({ ...body, model: call.upstreamModel }),
      { cancel: call.cancel, headersTimeoutMs: call.firstByteTimeoutMs, who },
    );
    const text = (await response.body.bytes()).toString("utf8");
    if (response.status >= 300 && response.status < 400) throw redirectError(response.status, response.headers, who, "base_url");
    if (response.status !== 200) throw anthropicError(response.status, text, errorHeaders(response.headers), who);
    const parsed = upstreamJsonObject(text, who, "count_tokens answer");
    if (typeof parsed.input_tokens !== "number") throw new UpstreamError("upstream_server", `${who}: count_tokens answer has no input_tokens`);
    // The answer as it was: a beta count's context_management (original_input_tokens) included.
    return { ...parsed, input_tokens: parsed.input_tokens };
  }

  /**
   * The Files API, passed through: the client's path, query, body and headers (content-type,
   * content-length, accept, anthropic-beta) with this provider's credentials. An error answer is
   * mapped like a Messages one (a file the workspace does not hold is a not_found_error).
   */
  async files(call: FilesCall): Promise<FilesAnswer> {
    const who = this.options.who;
    const pendingHeaders = this.headers(call, { ...call.headers });
    const headers = pendingHeaders instanceof Promise ? await pendingHeaders : pendingHeaders;
    const response = await send(this.options.agent, this.origin, call.method, `${this.basePath}${call.path}`, headers, call.body, {
      cancel: call.cancel,
      headersTimeoutMs: call.firstByteTimeoutMs,
      who,
    });
    if (response.status >= 300) throw await answeredError(response, who);
    const kept = response.passThrough();
    for (const name of FILES_ANSWER_HEADERS) {
      const value = response.headers[name];
      if (value !== undefined) kept[name] = value;
    }
    return { status: response.status, headers: kept, body: response.body };
  }

  async close(): Promise<void> {
    // The agent is owned by the registry and closed there.
  }
}

