/**
 * Anthropic error responses: one table from HTTP status to `error.type`, and the body shape
 * {"type":"error","error":{"type","message"},"request_id"} (https://platform.claude.com/docs/en/api/errors).
 */
import type { FastifyReply } from "fastify";

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "billing_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";

const TYPE_BY_STATUS: Record<number, AnthropicErrorType> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

const DEFAULT_MESSAGE: Record<AnthropicErrorType, string> = {
  invalid_request_error: "Invalid request",
  authentication_error: "invalid x-api-key",
  billing_error: "Your credit balance is too low to access the Anthropic API.",
  permission_error: "Your API key does not have permission to use the specified resource.",
  not_found_error: "Not found",
  request_too_large: "Request exceeds the maximum allowed number of bytes.",
  rate_limit_error: "Number of request tokens has exceeded your per-minute rate limit",
  api_error: "Internal server error",
  timeout_error: "Request timed out",
  overloaded_error: "Overloaded",
};

export function errorTypeFor(status: number): AnthropicErrorType {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

export function errorBody(type: string, message: string, requestId: string | null, errorCode?: string) {
  return { type: "error", error: errorCode === undefined ? { type, message } : { type, message, details: { error_code: errorCode } }, request_id: requestId };
}

export interface ErrorOptions {
  type?: string;
  retryAfterSeconds?: number;
  /** `error.details.error_code`. */
  errorCode?: string;
  /** An `x-should-retry` header. */
  shouldRetry?: boolean;
}

export function sendAnthropicError(
  reply: FastifyReply,
  requestId: string,
  status: number,
  message?: string,
  options: ErrorOptions = {},
): FastifyReply {
  const type = options.type ?? errorTypeFor(status);
  const text = message ?? DEFAULT_MESSAGE[type as AnthropicErrorType] ?? "Error";
  if (options.retryAfterSeconds !== undefined) reply.header("retry-after", String(Math.max(0, Math.ceil(options.retryAfterSeconds))));
  if (options.shouldRetry !== undefined) reply.header("x-should-retry", String(options.shouldRetry));
  return reply.code(status).header("content-type", "application/json").send(JSON.stringify(errorBody(type, text, requestId, options.errorCode)));
}

/** The `event: error` an SSE stream carries after a 200 when something fails mid-stream. */
export function sseErrorEvent(status: number, type?: string, message?: string): string {
  const errorType = type ?? errorTypeFor(status);
  const text = message ?? DEFAULT_MESSAGE[errorType as AnthropicErrorType] ?? "Error";
  return `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: errorType, message: text } })}\n\n`;
}
