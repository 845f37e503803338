/**
 * POST /v1/messages: JSON or SSE (https://platform.claude.com/docs/en/api/messages,
 * https://platform.claude.com/docs/en/build-with-claude/streaming). Order of checks: auth and
 * version, body, prompt rules, model, limits, rate limits, injected faults, then the reply.
 */
import type { FastifyInstance } from "fastify";
import { buildMessage, streamEvents, usageObject, type StreamEvent } from "../shared/anthropic-message.js";
import { commitExchange, modelLimitProblem, prepareExchange } from "../shared/exchange.js";
import { faultLabel } from "../shared/fault-injector.js";
import { sendJsonWithFault } from "../shared/faulty-json-reply.js";
import { destroyConnection, parseJson, rawBody } from "../shared/http-server.js";
import { pause } from "../shared/latency.js";
import { describeIssues } from "../shared/messages-request.js";
import { writePaced, type MidStreamFault } from "../shared/paced-writer.js";
import type { Fault } from "../shared/profile-schema.js";
import { checkPrompt } from "../shared/prompt-rules.js";
import { beginRequest, isBeta, type AnthropicContext } from "./context.js";
import { sendAnthropicError, sseErrorEvent } from "./errors.js";
import { fileSourceProblem } from "./file-sources.js";
import { betaMessagesRequestSchema, messagesRequestSchema } from "./message-request.js";
import { rateLimitMessage } from "./rate-limit-message.js";
import { applyCommonHeaders } from "./response-headers.js";
import { headerValues } from "../../util/header-values.js";

export const MESSAGES_BODY_LIMIT = 32 * 1024 * 1024;

function sse(event: StreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function registerMessagesRoute(app: FastifyInstance, context: AnthropicContext): void {
  const { state } = context;
  app.post("/v1/messages", { bodyLimit: MESSAGES_BODY_LIMIT }, async (request, reply) => {
    const parsedJson = parseJson(rawBody(request));
    const streaming = parsedJson.ok && typeof parsedJson.value === "object" && parsedJson.value !== null && "stream" in parsedJson.value
      ? (parsedJson.value as { stream?: unknown }).stream === true
      : false;
    const requestId = beginRequest(context, request, reply, streaming ? "messages.stream" : "messages");
    if (!requestId) return reply;
    state.counters.betas(headerValues(request.headers["anthropic-beta"]));
    if (!parsedJson.ok) return sendAnthropicError(reply, requestId, 400, `There was an error parsing the body of your request: ${parsedJson.message}`);
    const parsed = (isBeta(request) ? betaMessagesRequestSchema : messagesRequestSchema).safeParse(parsedJson.value);
    if (!parsed.success) return sendAnthropicError(reply, requestId, 400, describeIssues(parsed.error));
    const body = parsed.data;
    const problem = checkPrompt(body);
    if (problem) return sendAnthropicError(reply, requestId, 400, problem);
    const fileProblem = fileSourceProblem(body.messages, headerValues(request.headers["anthropic-beta"]), context.files);
    if (fileProblem) return sendAnthropicError(reply, requestId, fileProblem.status, fileProblem.message);

    const lookup = context.models.anthropic(body.model, { inferenceGeo: body.inference_geo });
    if (!lookup.ok && lookup.refusal === "not_offered" && body.inference_geo) {
      return sendAnthropicError(reply, requestId, 400, `inference_geo: ${JSON.stringify(body.inference_geo)} is not available for model ${body.model}`);
    }
    if (!lookup.ok) return sendAnthropicError(reply, requestId, 404, `model: ${body.model}`);
    const model = lookup.model;
    const exchange = prepareExchange(state, body, model);
    const limit = modelLimitProblem(body, model, exchange.totalInputTokens);
    if (limit) return sendAnthropicError(reply, requestId, 400, limit);

    const admission = state.rateLimiter.admit(exchange.usage.input + exchange.usage.cacheWrite5m + exchange.usage.cacheWrite1h);
    if (!admission.ok) {
      state.counters.fault(`rate_limit:${admission.dimension}`);
      return sendAnthropicError(reply, requestId, 429, rateLimitMessage(admission.dimension, admission.limit), {
        retryAfterSeconds: admission.retryAfterMs / 1000,
      });
    }

    const fault = state.faults.decide(streaming);
    if (fault) state.counters.fault(faultLabel(fault));
    if (fault?.kind === "reset" && fault.phase === "before_headers") return destroyConnection(reply);
    if (fault?.kind === "stall" && fault.phase === "before_headers" && !(await pause(fault.ms))) return reply;
    if (fault?.kind === "error" || (fault?.kind === "stream_error" && !streaming)) {
      const status = fault.status ?? 529;
      const asked = fault.kind === "error" ? fault.retryAfterSeconds : undefined;
      // Throttling and overload answers always say when to come back.
      const retryAfterSeconds = asked ?? (status === 429 || status === 529 ? 1 : undefined);
      return sendAnthropicError(reply, requestId, status, fault.message, {
        ...(fault.type ? { type: fault.type } : {}),
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
        ...(fault.kind === "error" && fault.errorCode !== undefined ? { errorCode: fault.errorCode } : {}),
        ...(fault.kind === "error" && fault.shouldRetry !== undefined ? { shouldRetry: fault.shouldRetry } : {}),
      });
    }

    commitExchange(state, exchange);
    const usage = usageObject(exchange.usage, "anthropic", body.inference_geo === "us" ? "us" : "not_available");
    const message = buildMessage(state.ids.message(), model.responseId, exchange.reply, usage, "anthropic");
    const latency = state.drawLatency();

    if (!streaming) {
      const json = JSON.stringify(message);
      if (!(await pause(latency.ttftMs + exchange.usage.output * latency.interTokenMs))) return reply;
      // A faulted reply is written raw (no onSend hook), so it needs the headers now.
      if (fault) applyCommonHeaders(reply, state, requestId);
      return sendJsonWithFault(reply, json, fault);
    }

    const frames = streamEvents(message, { ping: true }).map((paced) => ({ bytes: sse(paced.event), tokens: paced.tokens }));
    applyCommonHeaders(reply, state, requestId);
    reply.hijack();
    reply.raw.writeHead(200, { ...(reply.getHeaders() as Record<string, string>), "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    await writePaced(reply.raw, frames, latency, midStreamFault(fault, frames.length, state.faults.pickEventIndex.bind(state.faults)));
    return reply;
  });
}

function midStreamFault(fault: Fault | undefined, frameCount: number, pick: (count: number) => number): MidStreamFault | undefined {
  if (!fault) return undefined;
  const beforeFrame = pick(frameCount);
  if (fault.kind === "reset" && fault.phase === "mid_stream") return { action: "reset", beforeFrame };
  if (fault.kind === "stall" && fault.phase === "mid_stream") return { action: "stall", beforeFrame, ms: fault.ms };
  if (fault.kind === "stream_error") return { action: "error", beforeFrame, frame: sseErrorEvent(fault.status ?? 529, fault.type, fault.message) };
  return undefined;
}
