/**
 * GET /v1/models and GET /v1/models/{id} (https://platform.claude.com/docs/en/api/models-list),
 * answered from the catalog's Anthropic offerings.
 */
import type { FastifyInstance } from "fastify";
import type { EmulatedModel } from "../shared/model-access.js";
import { beginRequest, type AnthropicContext } from "./context.js";
import { sendAnthropicError } from "./errors.js";
import { paginate } from "./pagination.js";

function modelInfo(model: EmulatedModel) {
  return {
    type: "model",
    id: model.responseId,
    display_name: model.displayName,
    created_at: `${model.released ?? "2024-01-01"}T00:00:00Z`,
    max_input_tokens: model.contextWindow ?? null,
    max_tokens: model.maxOutputTokens ?? null,
    capabilities: null,
    lifecycle: "active",
    deprecated_at: null,
    retires_at: null,
    line: null,
  };
}

export function registerModelsRoutes(app: FastifyInstance, context: AnthropicContext): void {
  app.get("/v1/models", async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "models.list");
    if (!requestId) return reply;
    const result = paginate(context.models.anthropicModels().map(modelInfo), request.query as Record<string, unknown>);
    if (!result.ok) return sendAnthropicError(reply, requestId, 400, result.message);
    return reply.code(200).header("content-type", "application/json").send(JSON.stringify(result.page));
  });

  app.get<{ Params: { modelId: string } }>("/v1/models/:modelId", async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "models.retrieve");
    if (!requestId) return reply;
    const lookup = context.models.anthropic(request.params.modelId);
    if (!lookup.ok) return sendAnthropicError(reply, requestId, 404, `model: ${request.params.modelId}`);
    return reply.code(200).header("content-type", "application/json").send(JSON.stringify(modelInfo(lookup.model)));
  });
}
