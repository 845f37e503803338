/**
 * Bedrock Runtime errors: JSON {"message"} with the type in `x-amzn-errortype`, statuses from the
 * service model (reference/protocols.md §2.5; https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html#API_runtime_InvokeModel_Errors),
 * and the exception frames that replace them once a stream has started.
 */
import type { FastifyReply } from "fastify";

export type BedrockErrorType =
  | "ValidationException"
  | "AccessDeniedException"
  | "ResourceNotFoundException"
  | "ModelTimeoutException"
  | "ModelErrorException"
  | "ThrottlingException"
  | "ModelNotReadyException"
  | "ServiceQuotaExceededException"
  | "InternalServerException"
  | "ServiceUnavailableException"
  | "UnrecognizedClientException"
  | "InvalidSignatureException"
  | "IncompleteSignatureException"
  | "MissingAuthenticationTokenException";

const STATUS: Record<BedrockErrorType, number> = {
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  IncompleteSignatureException: 403,
  MissingAuthenticationTokenException: 403,
};

const DEFAULT_MESSAGE: Partial<Record<BedrockErrorType, string>> = {
  ValidationException: "Malformed input request, please reformat your input and try again.",
  AccessDeniedException: "You don't have access to the model with the specified model ID.",
  ResourceNotFoundException: "The requested resource could not be found.",
  ModelTimeoutException: "Model has timed out in processing the request. Try your request again.",
  ModelErrorException: "The system encountered an unexpected error during processing. Try your request again.",
  ThrottlingException: "Too many requests, please wait before trying again.",
  ModelNotReadyException: "The model is not ready to serve inference requests. The AWS SDK will automatically retry the operation.",
  ServiceQuotaExceededException: "Your request exceeds the service quota for your account.",
  InternalServerException: "The server encountered an internal error while processing the request. Try your request again.",
  ServiceUnavailableException: "Bedrock is unable to process your request.",
};

/** Authentication failures come from the AWS front door, whose error namespace differs. */
const FRONT_DOOR = new Set<BedrockErrorType>([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "MissingAuthenticationTokenException",
]);

export function isBedrockErrorType(name: string): name is BedrockErrorType {
  return name in STATUS;
}

/** The error type for an HTTP status (Anthropic's 529 becomes Bedrock's 503). */
export function errorTypeForStatus(status: number): BedrockErrorType {
  switch (status) {
    case 400:
      return "ValidationException";
    case 403:
      return "AccessDeniedException";
    case 404:
      return "ResourceNotFoundException";
    case 408:
      return "ModelTimeoutException";
    case 424:
      return "ModelErrorException";
    case 429:
      return "ThrottlingException";
    case 503:
    case 529:
      return "ServiceUnavailableException";
    default:
      return status >= 500 ? "InternalServerException" : "ValidationException";
  }
}

export function statusOf(type: BedrockErrorType): number {
  return STATUS[type];
}

export function sendBedrockError(reply: FastifyReply, type: BedrockErrorType, message?: string, status = STATUS[type]): FastifyReply {
  const namespace = FRONT_DOOR.has(type) ? "http://internal.amazon.com/coral/com.amazon.coral.service/" : "http://internal.amazon.com/coral/com.amazon.bedrock/";
  const body: Record<string, unknown> = { message: message ?? DEFAULT_MESSAGE[type] ?? type };
  if (type === "ModelErrorException") body["originalStatusCode"] = 500;
  return reply.code(status).header("x-amzn-errortype", `${type}:${namespace}`).header("content-type", "application/json").send(JSON.stringify(body));
}

/** Exception frame for a fault after the stream started; Converse streams have no modelTimeoutException. */
export function streamException(status: number | undefined, type: string | undefined, message: string | undefined, converse: boolean) {
  const chosen = type ?? (status === undefined ? "modelStreamErrorException" : camel(errorTypeForStatus(status)));
  const name = chosen.charAt(0).toLowerCase() + chosen.slice(1);
  const known = ["internalServerException", "modelStreamErrorException", "validationException", "throttlingException", "serviceUnavailableException"];
  if (!converse) known.push("modelTimeoutException");
  const exceptionType = known.includes(name) ? name : "modelStreamErrorException";
  const payload: Record<string, unknown> = {
    message: message ?? DEFAULT_MESSAGE[(exceptionType.charAt(0).toUpperCase() + exceptionType.slice(1)) as BedrockErrorType] ?? "The model stream ended with an error.",
  };
  if (exceptionType === "modelStreamErrorException") {
    payload["message"] = message ?? "Model stream error: the model returned an error while streaming.";
    payload["originalStatusCode"] = status ?? 529;
    payload["originalMessage"] = "Overloaded";
  }
  return { exceptionType, payload };
}

function camel(type: BedrockErrorType): string {
  return type.charAt(0).toLowerCase() + type.slice(1);
}
