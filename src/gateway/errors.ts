/**
 * Errors leave the gateway in the Anthropic shape, with the status from the one table in
 * providers/error-types.ts: {"type":"error","error":{"type","message"},"request_id"}.
 */
import { ERROR_TABLE } from "../providers/error-types.js";
import { UpstreamError, type ErrorKind } from "../providers/upstream-error.js";

export class GatewayError extends Error {
  override readonly name = "GatewayError";
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** Extra response headers (retry-after, x-should-retry, rate-limit state). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  type: string;
}

export function errorResponse(error: GatewayError | UpstreamError, requestId: string): ErrorResponse {
  const entry = ERROR_TABLE[error.kind];
  const headers: Record<string, string> = { "content-type": "application/json", "request-id": requestId };
  // The gateway's own refusals say which (a spent budget and an upstream's rate limit are both a 429 rate_limit_error).
  if (error instanceof GatewayError) Object.assign(headers, error.headers, { "x-switchyard-error": error.kind });
  let details: Record<string, unknown> | undefined;
  if (error instanceof UpstreamError) {
    if (error.details.retryAfterMs !== undefined) headers["retry-after"] = String(Math.ceil(error.details.retryAfterMs / 1000));
    if (error.details.shouldRetry !== undefined) headers["x-should-retry"] = String(error.details.shouldRetry);
    // The upstream's error as it was (its type unchanged): its details go with it, as the SDK picks
    // its error class by their error_code (ToolNameConflictError, ImageDimensionsTooLargeError, …).
    if (error.details.upstreamType === entry.type) details = error.details.upstreamDetails;
  }
  // Every deployment refused the gateway's own credentials, account or configuration: a retry
  // walks them all again to the same answer, so the SDKs are told not to (they retry a 502).
  if (error.kind === "upstream_auth") headers["x-should-retry"] = "false";
  return { status: entry.status, headers, type: entry.type, body: errorBody(entry.type, error.message, requestId, details) };
}

/** An error's body in the Anthropic shape: {"type":"error","error":{"type","message"[,"details"]},"request_id"}. */
export function errorBody(type: string, message: string, requestId: string, details?: Record<string, unknown>): string {
  return JSON.stringify({ type: "error", error: details ? { type, message, details } : { type, message }, request_id: requestId });
}

export function asKnownError(error: unknown): GatewayError | UpstreamError {
  if (error instanceof GatewayError || error instanceof UpstreamError) return error;
  return new GatewayError("internal", `internal error: ${error instanceof Error ? error.message : String(error)}`);
}

/** A deployment's refusal of request fields, saying how to have the gateway drop them for it (`fields` as drop_fields takes them). */
export function withDropHint(error: UpstreamError, deployment: string, fields: readonly string[]): UpstreamError {
  const hint = `(deployment ${deployment} does not accept it; the gateway drops it for that deployment with drop_fields: [${fields.join(", ")}] in its config)`;
  return new UpstreamError(error.kind, `${error.message} ${hint}`, error.details);
}
