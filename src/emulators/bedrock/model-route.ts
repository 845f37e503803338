/**
 * POST /model/{modelId}/{invoke|invoke-with-response-stream|converse|converse-stream|count-tokens}.
 * The checks every operation shares, in the order Bedrock applies them: authentication, model
 * identifier on this region, body, prompt rules, limits, throttling, injected faults. Each
 * operation then writes its own reply (operations.ts).
 */
import type { FastifyInstance } from "fastify";
import { commitExchange, modelLimitProblem, prepareExchange } from "../shared/exchange.js";
import { faultLabel } from "../shared/fault-injector.js";
import { destroyConnection, parseJson, rawBody } from "../shared/http-server.js";
import { pause } from "../shared/latency.js";
import { authenticateBedrock } from "./bedrock-auth.js";
import type { BedrockContext } from "./context.js";
import { errorTypeForStatus, isBedrockErrorType, sendBedrockError, statusOf } from "./errors.js";
import { parseModelPath, type BedrockOperation } from "./model-path.js";
import { respond } from "./operations.js";
import { countTokens } from "./count-tokens.js";
import { parseBedrockPrompt } from "./prompt-body.js";

export const BEDROCK_BODY_LIMIT = 25 * 1024 * 1024;

const ON_DEMAND = (id: string) =>
  `Invocation of model ID ${id} with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model.`;

function isConverse(operation: BedrockOperation): boolean {
  return operation === "converse" || operation === "converse-stream";
}

export function registerModelRoute(app: FastifyInstance, context: BedrockContext): void {
  const { state } = context;
  app.post("/model/*", { bodyLimit: BEDROCK_BODY_LIMIT }, async (request, reply) => {
    reply.header("x-amzn-requestid", state.ids.awsRequest());
    const path = parseModelPath(request.raw.url ?? request.url);
    if (!path.ok) {
      return path.reason === "bad_encoding"
        ? sendBedrockError(reply, "ValidationException", "The provided model identifier is invalid.")
        : reply.code(404).header("x-amzn-errortype", "UnknownOperationException").header("content-type", "application/json").send('{"message":null}');
    }
    const { operation, modelId } = path;
    const streaming = operation.endsWith("stream");
    state.counters.route(operation);

    const auth = authenticateBedrock(request, context.auth);
    if (!auth.ok) return sendBedrockError(reply, auth.type, auth.message);
    if (operation === "count-tokens") return countTokens(context, request, reply, modelId);

    const lookup = context.models.bedrock(modelId, context.region);
    if (!lookup.ok) {
      return sendBedrockError(reply, "ValidationException", lookup.refusal === "needs_inference_profile" ? ON_DEMAND(modelId) : "The provided model identifier is invalid.");
    }
    const model = lookup.model;

    const json = parseJson(rawBody(request));
    if (!json.ok) return sendBedrockError(reply, "ValidationException", `Malformed input request: ${json.message}, please reformat your input and try again.`);
    const parsed = parseBedrockPrompt(isConverse(operation) ? "converse" : "invoke", json.value, model.maxOutputTokens ?? 4096);
    if (!parsed.ok) return sendBedrockError(reply, "ValidationException", parsed.message);
    const { prompt, converse: converseBody } = parsed;
    // Bedrock answers a beta its model does not take with these three words, naming none.
    const betas = (converseBody ? converseBody.additionalModelRequestFields : (json.value as Record<string, unknown>))?.["anthropic_beta"];
    if (Array.isArray(betas)) state.counters.betas(betas);
    if (Array.isArray(betas) && model.betas && betas.some((beta) => !model.betas?.includes(beta as string))) return sendBedrockError(reply, "ValidationException", "invalid beta flag");

    const exchange = prepareExchange(state, prompt, model);
    const limit = modelLimitProblem(prompt, model, exchange.totalInputTokens, "bedrock");
    if (limit) return sendBedrockError(reply, "ValidationException", limit);

    const admission = state.rateLimiter.admit(exchange.usage.input + exchange.usage.cacheWrite5m + exchange.usage.cacheWrite1h);
    if (!admission.ok) {
      state.counters.fault(`rate_limit:${admission.dimension}`);
      const what = admission.dimension === "requests" ? "requests" : "tokens";
      return sendBedrockError(reply, "ThrottlingException", `Too many ${what}, please wait before trying again.`);
    }

    const fault = state.faults.decide(streaming);
    if (fault) state.counters.fault(faultLabel(fault));
    if (fault?.kind === "reset" && fault.phase === "before_headers") return destroyConnection(reply);
    if (fault?.kind === "stall" && fault.phase === "before_headers") await pause(fault.ms);
    if (fault?.kind === "error" || (fault?.kind === "stream_error" && !streaming)) {
      const type = fault.type && isBedrockErrorType(fault.type) ? fault.type : errorTypeForStatus(fault.status ?? 503);
      const status = fault.status !== undefined && fault.status !== 529 ? fault.status : statusOf(type);
      return sendBedrockError(reply, type, fault.message, status);
    }

    commitExchange(state, exchange);
    return respond({ state, reply, operation, model, exchange, fault, converseBody, latency: state.drawLatency() });
  });
}
