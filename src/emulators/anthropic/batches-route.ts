/**
 * Message Batches routes: create, retrieve, list, cancel, delete and the JSONL results
 * (https://platform.claude.com/docs/en/api/messages/batches). results_url is absolute and
 * points at this emulator, because the SDK fetches it as given.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { parseJson, rawBody } from "../shared/http-server.js";
import { describeIssues } from "../shared/messages-request.js";
import { beginRequest, type AnthropicContext } from "./context.js";
import { sendAnthropicError } from "./errors.js";
import { paginate } from "./pagination.js";

export const BATCH_BODY_LIMIT = 256 * 1024 * 1024;

const createSchema = z.strictObject({
  requests: z
    .array(
      z.strictObject({
        custom_id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "custom_id must be 1-64 letters, digits, - or _"),
        params: z.record(z.string(), z.unknown()),
      }),
    )
    .min(1)
    .max(100_000),
});

type IdParams = { Params: { batchId: string } };

export function registerBatchRoutes(app: FastifyInstance, context: AnthropicContext): void {
  const { batches } = context;
  const json = (value: unknown) => JSON.stringify(value);

  app.post("/v1/messages/batches", { bodyLimit: BATCH_BODY_LIMIT }, async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "batches.create");
    if (!requestId) return reply;
    const body = parseJson(rawBody(request));
    if (!body.ok) return sendAnthropicError(reply, requestId, 400, `There was an error parsing the body of your request: ${body.message}`);
    const parsed = createSchema.safeParse(body.value);
    if (!parsed.success) return sendAnthropicError(reply, requestId, 400, describeIssues(parsed.error));
    const ids = parsed.data.requests.map((item) => item.custom_id);
    const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
    if (duplicate) return sendAnthropicError(reply, requestId, 400, `requests: custom_id ${JSON.stringify(duplicate)} is used more than once`);
    return reply.code(200).header("content-type", "application/json").send(json(batches.create(parsed.data.requests)));
  });

  app.get("/v1/messages/batches", async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "batches.list");
    if (!requestId) return reply;
    const result = paginate(batches.list(), request.query as Record<string, unknown>);
    if (!result.ok) return sendAnthropicError(reply, requestId, 400, result.message);
    return reply.code(200).header("content-type", "application/json").send(json(result.page));
  });

  app.get<IdParams>("/v1/messages/batches/:batchId", async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "batches.retrieve");
    if (!requestId) return reply;
    const batch = batches.retrieve(request.params.batchId);
    if (!batch) return sendAnthropicError(reply, requestId, 404, `message batch ${request.params.batchId} not found`);
    return reply.code(200).header("content-type", "application/json").send(json(batch));
  });

  app.post<IdParams>("/v1/messages/batches/:batchId/cancel", async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "batches.cancel");
    if (!requestId) return reply;
    const batch = batches.cancel(request.params.batchId);
    if (!batch) return sendAnthropicError(reply, requestId, 404, `message batch ${request.params.batchId} not found`);
    return reply.code(200).header("content-type", "application/json").send(json(batch));
  });

  app.delete<IdParams>("/v1/messages/batches/:batchId", async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "batches.delete");
    if (!requestId) return reply;
    const outcome = batches.delete(request.params.batchId);
    if (outcome === "missing") return sendAnthropicError(reply, requestId, 404, `message batch ${request.params.batchId} not found`);
    if (outcome === "in_progress") {
      return sendAnthropicError(reply, requestId, 400, `message batch ${request.params.batchId} is still processing; cancel it and wait for it to end before deleting`);
    }
    return reply.code(200).header("content-type", "application/json").send(json({ id: request.params.batchId, type: "message_batch_deleted" }));
  });

  app.get<IdParams>("/v1/messages/batches/:batchId/results", async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "batches.results");
    if (!requestId) return reply;
    const results = batches.results(request.params.batchId);
    if (!results.found) return sendAnthropicError(reply, requestId, 404, `message batch ${request.params.batchId} not found`);
    if (results.jsonl === undefined) {
      return sendAnthropicError(reply, requestId, 400, `message batch ${request.params.batchId} has not ended; results are available once processing_status is "ended"`);
    }
    return reply.code(200).header("content-type", "application/x-jsonl").send(results.jsonl);
  });
}
