/**
 * Anthropic-shape error responses (the Anthropic API and Claude Platform on AWS) to the closed set.
 * https://platform.claude.com/docs/en/api/errors
 */
import { ANTHROPIC_DEPLOYMENT_FAULTS, upstreamVerdict } from "./deployment-faults.js";
import { refusedFields } from "./refused-fields.js";
import { UpstreamError, type ErrorHeaders, type ErrorKind } from "../upstream-error.js";

const BY_TYPE: Record<string, ErrorKind> = {
  invalid_request_error: "invalid_request",
  authentication_error: "upstream_auth",
  // "Your API key does not have permission to use the specified resource": the key is the
  // deployment's (or, on Claude Platform on AWS, its workspace), never the client's virtual key.
  permission_error: "upstream_auth",
  not_found_error: "not_found",
  request_too_large: "request_too_large",
  rate_limit_error: "rate_limited",
  api_error: "upstream_server",
  timeout_error: "timeout",
  overloaded_error: "overloaded",
  billing_error: "upstream_auth",
};

function kindForStatus(status: number): ErrorKind {
  if (status === 401) return "upstream_auth";
  if (status === 403) return "upstream_auth";
  if (status === 404) return "not_found";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limited";
  if (status === 529) return "overloaded";
  if (status === 503) return "unavailable";
  if (status === 504 || status === 408) return "timeout";
  if (status >= 500) return "upstream_server";
  return "invalid_request";
}

/**
 * The upstream account's spend cap, not the request's fault and not a passing throttle: every
 * request to this deployment fails until the cap is raised or the month turns, so it is treated
 * as the gateway's own credentials failing (upstream_auth: the next deployment is tried, the
 * deployment's health counts a failure). Anthropic has sent it in three shapes:
 *  - 429 rate_limit_error with `error.details.error_code: "enforced_spend_limit_reached"`
 *    (shared/reference/protocols.md, HTTP errors);
 *  - 429 rate_limit_error "This request would exceed your account's monthly spend limit."
 *    (github.com/can1357/oh-my-pi/pull/5418);
 *  - 400 invalid_request_error "You have reached your specified API usage limits. You will regain
 *    access on …" (github.com/screenpipe/screenpipe/pull/5653), which as a 400 would otherwise
 *    fail every request to the model without trying its other deployments;
 *  - 400 invalid_request_error "Your credit balance is too low to access the Anthropic API. Please
 *    go to Plans & Billing to upgrade or purchase credits." (anthropics/claude-code#66314, #4684):
 *    a prepaid account that ran out, the same for every request.
 */
const SPEND_CAP_MESSAGE = /\bspend(?:ing)? limits?\b|reached your specified API usage limits|credit balance is too low/i;

const SPEND_CAP_NOTE = " (the upstream account's spend limit: other deployments serve the model until it is raised or resets)";

type ErrorBody = { error?: { type?: unknown; message?: unknown; details?: { error_code?: unknown } | null } };

/**
 * From an error body ({"type":"error","error":{"type","message","details"?}}), as text or already
 * parsed, its status and what the upstream's headers said of retrying. `unknownKind` decides for
 * an error type the table does not know (by default the status does).
 */
export function anthropicError(status: number, body: string | ErrorBody, retry: ErrorHeaders | undefined, who: string, unknownKind: ErrorKind = kindForStatus(status)): UpstreamError {
  let parsed: ErrorBody = {};
  if (typeof body !== "string") parsed = body;
  else {
    try {
      const value: unknown = JSON.parse(body);
      if (typeof value === "object" && value !== null) parsed = value as ErrorBody;
    } catch {
      // not JSON: keep the text
    }
  }
  const type = typeof parsed.error?.type === "string" ? parsed.error.type : undefined;
  let message = typeof parsed.error?.message === "string" ? parsed.error.message : typeof body === "string" ? body.slice(0, 500) : "";
  let kind = (type !== undefined && Object.hasOwn(BY_TYPE, type) ? BY_TYPE[type] : undefined) ?? unknownKind;
  const fields = refusedFields(message);
  // A message that names refused fields is about those fields (one could be called "spend limit").
  if (parsed.error?.details?.error_code === "enforced_spend_limit_reached" || (fields.length === 0 && SPEND_CAP_MESSAGE.test(message))) {
    kind = "upstream_auth";
    message += SPEND_CAP_NOTE;
  }
  const verdict = upstreamVerdict(kind, message, ANTHROPIC_DEPLOYMENT_FAULTS, fields);
  const details = parsed.error?.details;
  return new UpstreamError(verdict.kind, `${who}: ${verdict.message}`, {
    status,
    ...retry,
    ...(type ? { upstreamType: type } : {}),
    ...(verdict.refusedFields ? { refusedFields: verdict.refusedFields } : {}),
    ...(typeof details === "object" && details !== null && !Array.isArray(details) ? { upstreamDetails: details } : {}),
  });
}

/**
 * An `event: error` inside a stream: {"type":"error","error":{"type","message"}}. The HTTP status
 * was 200, so it says nothing: an error type the gateway does not know is the upstream's failure
 * (as a 5xx would be), not the request's fault.
 */
export function anthropicStreamError(event: string | Record<string, unknown>, who: string): UpstreamError {
  return anthropicError(200, event as string | ErrorBody, undefined, who, "upstream_server");
}
