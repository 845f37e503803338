/**
 * THE provider interface. Each upstream kind is one folder (anthropic/, bedrock/,
 * claude-platform-aws/) exporting a factory registered in registry.ts; shared code never
 * imports a concrete provider. The Anthropic Messages API is the internal format: a provider
 * takes an Anthropic request and gives back Anthropic JSON or Anthropic SSE bytes.
 */
import type { Readable } from "node:stream";
import type { NormalizedUsage } from "../pricing/normalize-usage.js";
import type { Cancel } from "../util/cancel.js";
import type { UpstreamError } from "./upstream-error.js";

export interface MessagesCall {
  /** The client's request body, parsed; unknown fields are kept and passed on. */
  body: Record<string, unknown>;
  /**
   * For Anthropic-shape upstreams: the client's bytes with `model` (and the deployment's other
   * top-level members) spliced in, everything else exactly as sent. Absent when the splice could
   * not be exact; the client then sends JSON.stringify of `body` with `model` replaced.
   */
  json?: Buffer;
  stream: boolean;
  /**
   * The client called the beta variant (`?beta=true`, as Claude Code does): Anthropic-shape
   * upstreams are called the same way, where fields still in beta are accepted.
   */
  beta?: boolean;
  /** The model id to send upstream for this deployment. */
  upstreamModel: string;
  /**
   * The `model` an answer the gateway writes itself names (Bedrock Converse's answers name none):
   * the Claude API's id, as the Anthropic API and InvokeModel answer. Absent: `upstreamModel`.
   */
  answerModel?: string;
  anthropicVersion: string;
  /** anthropic-beta values the upstream may receive (already checked against the deployment). */
  betas: readonly string[];
  requestId: string;
  /** Aborted when the client goes away or the request's deadline passes. */
  cancel: Cancel;
  /**
   * Give up (UpstreamError "timeout") if no response headers / first event arrive in time; 0: no
   * limit but `cancel` (a non-streaming answer, whose headers come only once it is whole).
   */
  firstByteTimeoutMs: number;
}

export interface UpstreamJson {
  kind: "json";
  /** The Anthropic Message JSON bytes to send to the client unchanged. */
  bytes: Buffer;
  /** The same bytes decoded (UTF-8), when the provider has them: the gateway then writes headers and body in one write. */
  text?: string;
  usage: NormalizedUsage;
  /** Upstream headers worth passing on (anthropic-ratelimit-*, upstream request ids). */
  headers: Record<string, string>;
}

export interface UpstreamStream {
  kind: "stream";
  /** The first SSE event's bytes: received before this result is returned, so failover is still possible. */
  first: Buffer;
  /** The rest of the stream as Anthropic SSE bytes, each chunk as it arrives. Throws on a broken connection. */
  rest: AsyncIterable<Buffer>;
  /** Usage seen so far (final once `rest` is exhausted). */
  usage(): NormalizedUsage;
  /**
   * An error the upstream reported inside the stream after its first event (an `event: error`, a
   * Bedrock exception frame), which `rest` has already passed on to the client; undefined if none.
   */
  failure(): UpstreamError | undefined;
  headers: Record<string, string>;
}

export type UpstreamResult = UpstreamJson | UpstreamStream;

/** The deployment-specific parts a provider needs for one call. */
export interface UpstreamTarget {
  deploymentId: string;
}

/**
 * A count_tokens answer: `input_tokens`, and whatever else an Anthropic-shape upstream answered,
 * passed on as it was (a beta count's `context_management: {original_input_tokens} | null`, the
 * SDK's BetaMessageTokensCount). Bedrock's CountTokens reports only the count.
 */
export type TokenCount = { input_tokens: number } & Record<string, unknown>;

/**
 * One Files API call (https://platform.claude.com/docs/en/api/beta/files/upload and its siblings),
 * passed through to a provider that has the Files API: the path, query, headers and body as the
 * client sent them, under the provider's own credentials.
 */
export interface FilesCall {
  method: "GET" | "POST" | "DELETE";
  /** Below the API root, with the client's query: `/v1/files?limit=5`, `/v1/files/file_…/content`. */
  path: string;
  anthropicVersion: string;
  /** The client's anthropic-beta values, passed on as they are. */
  betas: readonly string[];
  /** The client's content-type and content-length (an upload), accept (a download). */
  headers: Readonly<Record<string, string>>;
  /** An upload's body, streamed through as it arrives. */
  body?: Readable;
  cancel: Cancel;
  /** Give up (UpstreamError "timeout") if no response headers arrive in time after the request is sent. */
  firstByteTimeoutMs: number;
}

/** A Files API answer that is not an error: its status, the headers a client needs, and its body as it arrives. */
export interface FilesAnswer {
  status: number;
  /** content-type, content-length, content-disposition, and the upstream's request id and rate limits (x-switchyard-upstream-*). */
  headers: Record<string, string>;
  body: AsyncIterable<Buffer>;
}

export interface ProviderClient {
  readonly kind: string;
  /** Sends a Messages request; throws UpstreamError (closed set) on failure. */
  messages(call: MessagesCall): Promise<UpstreamResult>;
  /** POST /v1/messages/count_tokens equivalent; throws UpstreamError. */
  countTokens(body: Record<string, unknown>, call: Omit<MessagesCall, "stream" | "body">): Promise<TokenCount>;
  /** The Files API (`/v1/files…`), on providers that have it (not Bedrock); throws UpstreamError for an error answer. */
  files?(call: FilesCall): Promise<FilesAnswer>;
  close(): Promise<void>;
}
