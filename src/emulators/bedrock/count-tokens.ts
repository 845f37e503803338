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
import type { PromptRequest } from "../shared/messages-request.js";
import { layoutPrompt } from "../shared/prompt-layout.js";
import { checkPrompt } from "../shared/prompt-rules.js";
import type { BedrockContext } from "./context.js";
import { conversePrompt, converseBodySchema } from "./converse-request.js";
import { sendBedrockError } from "./errors.js";
import { parseInvokeBody } from "./invoke-body.js";

export const NOT_COUNTABLE = "The provided model doesn't support counting tokens.";

export function countTokens(context: BedrockContext, request: FastifyRequest, reply: FastifyReply, modelId: string): FastifyReply {
  const countable = context.models.bedrockCountable(modelId, context.region);
  if (!countable.ok) return sendBedrockError(reply, "ValidationException", countable.refusal === "inference_profile" ? NOT_COUNTABLE : "The provided model identifier is invalid.");
  const json = parseJson(rawBody(request));
  if (!json.ok) return sendBedrockError(reply, "ValidationException", `Malformed input request: ${json.message}, please reformat your input and try again.`);
  const input = (json.value as { input?: { invokeModel?: { body?: unknown }; converse?: unknown } } | null)?.input;
  let prompt: PromptRequest;
  if (input?.invokeModel !== undefined && input.converse === undefined) {
    const encoded = input.invokeModel.body;
    if (typeof encoded !== "string") return sendBedrockError(reply, "ValidationException", "1 validation error detected: Value at 'input.invokeModel.body' failed to satisfy constraint: Member must not be null");
    const body = parseJson(Buffer.from(encoded, "base64"));
    if (!body.ok) return sendBedrockError(reply, "ValidationException", `Malformed input request: ${body.message}, please reformat your input and try again.`);
    const parsed = parseInvokeBody(body.value);
    if (!parsed.ok) return sendBedrockError(reply, "ValidationException", parsed.message);
    prompt = parsed.prompt;
  } else if (input?.converse !== undefined && input.invokeModel === undefined) {
    const parsed = converseBodySchema.safeParse(input.converse);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return sendBedrockError(reply, "ValidationException", `1 validation error detected: Value at 'input.converse.${issue?.path.map(String).join(".") ?? ""}' failed to satisfy constraint: ${issue?.message ?? "invalid"}`);
    }
    const mapped = conversePrompt(parsed.data, 4096);
    if (!mapped.ok) return sendBedrockError(reply, "ValidationException", mapped.message);
    prompt = mapped.prompt;
  } else {
    return sendBedrockError(reply, "ValidationException", "1 validation error detected: Value at 'input' failed to satisfy constraint: exactly one of invokeModel or converse must be set");
  }
  const problem = checkPrompt(prompt);
  if (problem) return sendBedrockError(reply, "ValidationException", problem);
  const layout = layoutPrompt(prompt, countable.modelId);
  return reply.code(200).header("content-type", "application/json").send(JSON.stringify({ inputTokens: layout.totalTokens }));
}
