/**
 * Bedrock errors to the closed set. The type is the x-amzn-errortype header (or body
 * `__type`/`code`), cut at ":" and "#", as the AWS SDK reads it.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html#API_runtime_InvokeModel_Errors
 */
import { BEDROCK_DEPLOYMENT_FAULTS, upstreamVerdict } from "../shared/deployment-faults.js";
import { upstreamRequestId, UpstreamError, type ErrorKind } from "../upstream-error.js";

/** An error answer's HTTP status, its retry-after, and Bedrock's id for the request (x-amzn-requestid). */
export interface ErrorAnswer {
  status: number;
  retryAfterMs: number | undefined;
  requestId?: string;
}

const BY_TYPE: Record<string, ErrorKind> = {
  ValidationException: "invalid_request",
  // The gateway's own IAM role or model access, not the caller's: another deployment may serve.
  AccessDeniedException: "upstream_auth",
  ResourceNotFoundException: "not_found",
  ThrottlingException: "rate_limited",
  ServiceQuotaExceededException: "rate_limited",
  ModelNotReadyException: "unavailable",
  ModelTimeoutException: "timeout",
  ModelErrorException: "upstream_server",
  ModelStreamErrorException: "upstream_server",
  InternalServerException: "upstream_server",
  ServiceUnavailableException: "unavailable",
  UnrecognizedClientException: "upstream_auth",
  InvalidSignatureException: "upstream_auth",
  ExpiredTokenException: "upstream_auth",
};

/**
 * The kind of a Bedrock exception by name, in either case: `ThrottlingException` in a header or
 * body, `throttlingException` in an event-stream frame. Unknown names: undefined.
 */
function kindOf(type: string | undefined): ErrorKind | undefined {
  if (type === undefined) return undefined;
  const name = type.charAt(0).toUpperCase() + type.slice(1);
  return Object.hasOwn(BY_TYPE, name) ? BY_TYPE[name] : undefined;
}

/** The kind of an answer whose exception name is missing or unknown, by its HTTP status. */
const BY_STATUS: Record<number, ErrorKind> = {
  // 401 and 403: the gateway's own credentials or model access, not the client's.
  401: "upstream_auth",
  403: "upstream_auth",
  404: "not_found",
  408: "timeout",
  413: "request_too_large",
  429: "rate_limited",
  503: "unavailable",
  504: "timeout",
  529: "unavailable",
};

/** An exception's kind, or the HTTP status's when the name is unknown. */
export function bedrockKind(type: string | undefined, status: number): ErrorKind {
  return kindOf(type) ?? BY_STATUS[status] ?? (status >= 500 ? "upstream_server" : "invalid_request");
}

/** What the model's own status says, where Bedrock passes it on (`originalStatusCode`). */
const BY_MODEL_STATUS: Record<number, ErrorKind> = { 429: "rate_limited", 503: "unavailable", 529: "overloaded" };
const PASSES_MODEL_STATUS = new Set(["ModelErrorException", "ModelStreamErrorException"]);

/**
 * ModelErrorException and ModelStreamErrorException carry the model's own status as
 * `originalStatusCode` (the AWS SDK's shapes): an overloaded model (529) is an overload (the client
 * gets an `overloaded_error`), a 429 a throttle, not a failure of Bedrock's own.
 */
function modelStatusKind(type: string | undefined, body: unknown): ErrorKind | undefined {
  if (type === undefined || !PASSES_MODEL_STATUS.has(type.charAt(0).toUpperCase() + type.slice(1))) return undefined;
  const status = typeof body === "object" && body !== null ? (body as { originalStatusCode?: unknown }).originalStatusCode : undefined;
  return typeof status === "number" && Object.hasOwn(BY_MODEL_STATUS, status) ? BY_MODEL_STATUS[status] : undefined;
}

export function errorTypeName(headerValue: string | undefined, body: { __type?: unknown; code?: unknown }): string | undefined {
  const raw = headerValue ?? (typeof body.__type === "string" ? body.__type : typeof body.code === "string" ? body.code : undefined);
  if (!raw) return undefined;
  const cut = raw.split(",")[0]?.split(":")[0] ?? raw;
  return cut.includes("#") ? cut.slice(cut.indexOf("#") + 1) : cut;
}

export function bedrockError(status: number, headers: Record<string, string>, bodyText: string, retryAfter: number | undefined, who: string): UpstreamError {
  let body: { message?: unknown; Message?: unknown; __type?: unknown; code?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (typeof parsed === "object" && parsed !== null) body = parsed as typeof body;
  } catch {
    // keep the text
  }
  const type = errorTypeName(headers["x-amzn-errortype"], body);
  const upstreamMessage = typeof body.message === "string" ? body.message : typeof body.Message === "string" ? body.Message : bodyText.slice(0, 300);
  const requestId = upstreamRequestId(headers);
  return judged(type, upstreamMessage, who, { status, retryAfterMs: retryAfter, ...(requestId ? { requestId } : {}) }, modelStatusKind(type, body));
}

/**
 * An exception frame (`:message-type: exception`): inside an InvokeModelWithResponseStream or
 * ConverseStream body, or as the body of an error answer (`answer`: its HTTP status decides for an
 * exception name Bedrock has not documented; in a stream, such a name is the upstream's failure).
 */
export function bedrockStreamException(exceptionType: string, payload: string, who: string, answer?: ErrorAnswer): UpstreamError {
  let message = payload;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
    const said = (parsed as { message?: unknown } | null)?.message;
    if (typeof said === "string") message = said;
  } catch {
    // keep the text
  }
  return judged(exceptionType, message, who, answer, modelStatusKind(exceptionType, parsed));
}

/**
 * Bedrock's refusal of a prompt over the model's context window ("Input is too long for requested
 * model.", anthropics/claude-code#6012), put as the Anthropic API words it: clients act on those
 * words (Claude Code compacts the conversation on "prompt is too long"), and Bedrock's they miss.
 */
function inAnthropicWords(message: string): string {
  return /\binput is too long\b/i.test(message) && !/prompt is too long/i.test(message) ? `prompt is too long (Bedrock: ${message})` : message;
}

/**
 * The error for an exception (`type`, if named) and its message: its kind by name, else by the
 * answer's HTTP status (500 in a stream), as the deployment faults and refused fields may amend it.
 */
function judged(type: string | undefined, upstreamMessage: string, who: string, answer: ErrorAnswer | undefined, modelKind?: ErrorKind): UpstreamError {
  const status = answer?.status ?? 500;
  const { kind, message, refusedFields } = upstreamVerdict(modelKind ?? bedrockKind(type, status), inAnthropicWords(upstreamMessage), BEDROCK_DEPLOYMENT_FAULTS);
  return new UpstreamError(kind, `${who}: ${type || `HTTP ${status}`}: ${message}`, {
    ...(answer ? { status: answer.status } : {}),
    ...(answer?.retryAfterMs !== undefined ? { retryAfterMs: answer.retryAfterMs } : {}),
    ...(answer?.requestId !== undefined ? { upstreamRequestId: answer.requestId } : {}),
    ...(type ? { upstreamType: type } : {}),
    ...(refusedFields ? { refusedFields } : {}),
  });
}
