/**
 * POST /model/{modelId}/count-tokens (Bedrock Runtime CountTokens):
 * {"input": {"invokeModel": {"body": <base64 InvokeModel body>}}} or {"input": {"converse": {…}}}
 * → {"inputTokens": N}. https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CountTokens.html
 *
 * The model is a bare foundation-model id or its ARN; an inference-profile id is refused ("The
 * provided model doesn't support counting tokens."), as Bedrock does. N is counted the way the
 * same prompt's invocation would report input + cache reads + cache writes. Not billed, not throttled.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { parseJson, rawBody } from "../shared/http-server.js";
import { layoutPrompt } from "../shared/prompt-layout.js";
import type { BedrockContext } from "./context.js";
import { sendBedrockError } from "./errors.js";
import { parseBedrockPrompt } from "./prompt-body.js";

export const NOT_COUNTABLE = "The provided model doesn't support counting tokens.";

export function countTokens(context: BedrockContext, request: FastifyRequest, reply: FastifyReply, modelId: string): FastifyReply {
  const countable = context.models.bedrockCountable(modelId, context.region);
  if (!countable.ok) return sendBedrockError(reply, "ValidationException", countable.refusal === "inference_profile" ? NOT_COUNTABLE : "The provided model identifier is invalid.");
  const json = parseJson(rawBody(request));
  if (!json.ok) return sendBedrockError(reply, "ValidationException", `Malformed input request: ${json.message}, please reformat your input and try again.`);
  const input = (json.value as { input?: { invokeModel?: { body?: unknown }; converse?: unknown } } | null)?.input;
  const bothOrNeither = (input?.invokeModel === undefined) === (input?.converse === undefined);
  if (bothOrNeither) {
    return sendBedrockError(reply, "ValidationException", "1 validation error detected: Value at 'input' failed to satisfy constraint: exactly one of invokeModel or converse must be set");
  }
  let body: unknown = input?.converse;
  if (input?.invokeModel !== undefined) {
    const encoded = input.invokeModel.body;
    if (typeof encoded !== "string") return sendBedrockError(reply, "ValidationException", "1 validation error detected: Value at 'input.invokeModel.body' failed to satisfy constraint: Member must not be null");
    const decoded = parseJson(Buffer.from(encoded, "base64"));
    if (!decoded.ok) return sendBedrockError(reply, "ValidationException", `Malformed input request: ${decoded.message}, please reformat your input and try again.`);
    body = decoded.value;
  }
  const { model } = countable;
  const parsed = parseBedrockPrompt(input?.invokeModel !== undefined ? "invoke" : "converse", body, model.maxOutputTokens ?? 4096, "input.converse.");
  if (!parsed.ok) return sendBedrockError(reply, "ValidationException", parsed.message);
  const layout = layoutPrompt(parsed.prompt, model.id);
  return reply.code(200).header("content-type", "application/json").send(JSON.stringify({ inputTokens: layout.totalTokens }));
}
