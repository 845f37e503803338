/**
 * Each error kind's HTTP status and Anthropic `error.type`: the one table that decides how a
 * failure looks to an Anthropic client. https://platform.claude.com/docs/en/api/errors
 */
import type { ErrorKind } from "./upstream-error.js";

export const ERROR_TABLE: Record<ErrorKind, { status: number; type: string }> = {
  invalid_request: { status: 400, type: "invalid_request_error" },
  no_route: { status: 400, type: "invalid_request_error" },
  unsupported: { status: 400, type: "invalid_request_error" },
  authentication: { status: 401, type: "authentication_error" },
  permission: { status: 403, type: "permission_error" },
  not_found: { status: 404, type: "not_found_error" },
  request_too_large: { status: 413, type: "request_too_large" },
  rate_limited: { status: 429, type: "rate_limit_error" },
  budget_exceeded: { status: 429, type: "rate_limit_error" },
  upstream_server: { status: 500, type: "api_error" },
  internal: { status: 500, type: "api_error" },
  upstream_auth: { status: 502, type: "api_error" },
  connection: { status: 502, type: "api_error" },
  timeout: { status: 504, type: "timeout_error" },
  overloaded: { status: 529, type: "overloaded_error" },
  unavailable: { status: 529, type: "overloaded_error" },
  // Never sent (the client is gone); the ledger row's status, nginx's "client closed request".
  client_disconnected: { status: 499, type: "client_disconnected" },
};

export function anthropicErrorType(kind: ErrorKind): string {
  return ERROR_TABLE[kind].type;
}
