/**
 * The closed set of ways a request can fail, shared by providers (which raise them) and the
 * gateway (which maps each to an HTTP status and an Anthropic error type in gateway/errors.ts).
 * Whether a failure may be retried on another deployment is decided here, in one place.
 */
export type ErrorKind =
  | "invalid_request"
  | "authentication"
  /** The upstream refused the gateway's own credentials: not the client's fault; another deployment may work. */
  | "upstream_auth"
  | "permission"
  | "not_found"
  | "request_too_large"
  | "rate_limited"
  | "budget_exceeded"
  | "overloaded"
  | "unavailable"
  | "upstream_server"
  | "timeout"
  | "connection"
  | "no_route"
  /** This deployment's API cannot carry the request (e.g. an image URL to Bedrock's Converse): another may. */
  | "unsupported"
  /** The client went away before its answer began: nobody is answered, and the upstream is not to blame. */
  | "client_disconnected"
  | "internal";

/** Failures another deployment may not have: try the next candidate (before any byte reached the client). */
const FAILOVER_KINDS: ReadonlySet<ErrorKind> = new Set([
  "rate_limited",
  "overloaded",
  "unavailable",
  "upstream_server",
  "timeout",
  "connection",
  "upstream_auth",
  "unsupported",
]);

export function isFailoverable(kind: ErrorKind): boolean {
  return FAILOVER_KINDS.has(kind);
}

/**
 * How an error counts in the deployment's health, before or during a stream: a throttle cools it,
 * the other failover kinds are failures, and the rest (the request's own fault, such as
 * invalid_request or permission, or `unsupported`: this deployment cannot carry this request)
 * say nothing about the deployment: undefined.
 */
export function healthOutcome(kind: ErrorKind): "throttled" | "failure" | undefined {
  if (!FAILOVER_KINDS.has(kind) || kind === "unsupported") return undefined;
  return kind === "rate_limited" ? "throttled" : "failure";
}

/**
 * The JSON object an upstream sent as `what` (an answer, an event). Anything else, not JSON or JSON
 * that is not an object, is the upstream's failure (`upstream_server`); `status`, the upstream's
 * answer status when it had answered, stays on the error, so the ledger knows it may bill.
 */
export function upstreamJsonObject(text: string, who: string, what: string, status?: number): Record<string, unknown> {
  const details = status === undefined ? {} : { status };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UpstreamError("upstream_server", `${who}: unreadable ${what} (${error instanceof Error ? error.message : String(error)})`, details);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UpstreamError("upstream_server", `${who}: unreadable ${what} (not a JSON object)`, details);
  return value as Record<string, unknown>;
}

/** A stream whose body ended cleanly but early: before its closing event (`message_stop`, Converse's `metadata`). */
export function streamCutError(who: string, closing: string): UpstreamError {
  return new UpstreamError("upstream_server", `${who}: the stream ended before ${closing}`);
}

export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: {
      /** The upstream's HTTP status, when there was one. */
      status?: number;
      /** From retry-after / retry-after-ms, when the upstream sent one. */
      retryAfterMs?: number;
      /** The upstream's own error type name (e.g. ThrottlingException, overloaded_error). */
      upstreamType?: string;
      /** `unsupported`: the request's fields the upstream said it does not accept (dotted paths, shared/refused-fields.ts). */
      refusedFields?: string[];
      /** An Anthropic-shape error's `error.details` (its `error_code` picks the SDK's error class), passed on while the error keeps its type. */
      upstreamDetails?: Record<string, unknown>;
      /** The upstream's `x-should-retry`, which overrides the SDKs' own retry decision. */
      shouldRetry?: boolean;
      /** The upstream's id for the request (request-id, x-amzn-requestid): the client gets it for a support ticket. */
      upstreamRequestId?: string;
    } = {},
  ) {
    super(message);
  }
}

/**
 * What an error answer's headers say: when to come back (retry-after-ms, retry-after), whether to
 * retry at all (x-should-retry), and the upstream's id for the request.
 */
export interface ErrorHeaders {
  retryAfterMs?: number;
  shouldRetry?: boolean;
  upstreamRequestId?: string;
}

export function errorHeaders(headers: Record<string, string | string[] | undefined>): ErrorHeaders {
  const read: ErrorHeaders = {};
  const after = retryAfterMs(headers);
  if (after !== undefined) read.retryAfterMs = after;
  const should = headers["x-should-retry"];
  if (should === "true" || should === "false") read.shouldRetry = should === "true";
  const id = upstreamRequestId(headers);
  if (id !== undefined) read.upstreamRequestId = id;
  return read;
}

/** The upstream's id for a request: the Anthropic API's request-id, Bedrock's x-amzn-requestid. */
export function upstreamRequestId(headers: Record<string, string | string[] | undefined>): string | undefined {
  const id = headers["request-id"] ?? headers["x-amzn-requestid"];
  return typeof id === "string" && id !== "" ? id : undefined;
}

/** Parses retry-after-ms or retry-after (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | undefined {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const milliseconds = first(headers["retry-after-ms"]);
  if (milliseconds !== undefined && /^\d+(\.\d+)?$/.test(milliseconds)) return Math.ceil(Number(milliseconds));
  const value = first(headers["retry-after"]);
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
