/**
 * The gateway's HTTP surface: the Anthropic Messages API (messages, count_tokens, models) plus
 * admin endpoints. POST /v1/messages is served by front.ts straight off node:http; everything
 * else by fastify, on the same server. Handlers parse, delegate and map errors; the work happens
 * in messages.ts, routing/ and pricing/.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { formatUsd } from "../pricing/money.js";
import { monthWindow } from "../ledger/budget-window.js";
import { keySpend } from "../ledger/ledger.js";
import { authenticate, requireAdmin } from "./authenticate.js";
import { countTokens } from "./count-tokens.js";
import { asKnownError, errorBody, errorResponse, GatewayError } from "./errors.js";
import { BODY_LIMIT_BYTES, contentTypeProblem, createFrontServer, isBetaCall, isChatRoute, parseJsonBody, requestTooLarge } from "./front.js";
import { lingerIfUnread } from "../util/lingering-close.js";
import { handleMessages, newRequestId } from "./messages.js";
import { ChatCompletionResponse, openAIErrorResponse } from "./openai/chat-response.js";
import { cancelOnClose } from "../util/cancel.js";
import { healthAnswer } from "./health-answer.js";
import { modelPage, retrieveModel } from "./models.js";
import type { GatewayState } from "./state.js";

export { BODY_LIMIT_BYTES };

/** An error in the Anthropic shape, or in OpenAI's (the chat completions route's own error handler). */
function sendError(reply: FastifyReply, error: unknown, shape: "anthropic" | "openai" = "anthropic", requestId = newRequestId()): void {
  const known = asKnownError(error);
  const response = shape === "openai" ? openAIErrorResponse(known, requestId) : errorResponse(known, requestId);
  void reply.code(response.status).headers(response.headers).send(response.body);
}

/** An error fastify raises (body too large, bad content type), with its code and status. */
type FastifyFailure = Error & { code?: string; statusCode?: number };

/** Fastify's own errors (a body too large, empty or unparsable, a content type it cannot read) as the gateway's. */
function fromFastify(error: FastifyFailure, request: FastifyRequest): Error {
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return requestTooLarge();
  // A content type fastify cannot even parse ("a b"): named as the front door names any other.
  if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    const problem = contentTypeProblem(request.headers["content-type"]);
    if (problem) return problem;
  }
  // Any other refusal of the request itself (400, 415 for a content type fastify cannot read):
  // the client's to fix, answered 400 as the front door answers it, not a 500 the SDKs retry.
  if (error.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)) {
    return new GatewayError("invalid_request", error.message);
  }
  return error;
}

/** Fastify's refusal of a request, in the route's error shape (a body refused unread closes its connection lingering). */
function sendFastifyError(request: FastifyRequest, reply: FastifyReply, error: FastifyFailure, shape: "anthropic" | "openai"): void {
  lingerIfUnread(request, reply);
  sendError(reply, fromFastify(error, request), shape);
}

/**
 * A request Node's HTTP parser refused before any route saw it (headers over Node's 16 KB limit, a
 * request line it cannot read, a client too slow to send its headers): answered in the Anthropic
 * shape with a request id, as every other refusal (fastify's own answer is in neither API's
 * shape), and the connection closed. A connection already reset or closed is left alone.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, type, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "request_too_large", "the request's headers are too large (over 16 KB together): send fewer or shorter ones"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "timeout_error", "the request's headers did not arrive in time"]
        : [400, "invalid_request_error", `the request could not be read as HTTP (${error.code ?? error.message})`];
  const requestId = newRequestId();
  const body = errorBody(type, message, requestId);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nrequest-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export function createGatewayApp(state: GatewayState, extraRoutes?: (app: FastifyInstance) => void): FastifyInstance {
  /** Each request's body as received (freed with the request). */
  const rawBodies = new WeakMap<FastifyRequest, Buffer>();
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    // While closing, a request that arrives on a connection already open is served and its
    // connection closed after it, as on the front door; fastify's own 503 would be in neither API's
    // error shape, and a client's SDK would have to retry what the gateway can still answer.
    return503OnClosing: false,
    // A URL fastify cannot route (a bad escape, a parameter over its length limit) is answered in
    // the Anthropic shape with a request id, as every other refusal.
    frameworkErrors: (error, request, reply) => sendError(reply, fromFastify(error, request), isChatRoute(request.url) ? "openai" : "anthropic"),
    clientErrorHandler: answerClientError,
    serverFactory: (fastifyHandler) => createFrontServer(state, fastifyHandler),
  });

  // The same body rules as the POST /v1/messages front door (front.ts). The bytes are kept beside
  // the parse: count_tokens sends them upstream as the client wrote them.
  app.removeAllContentTypeParsers();
  // A body read whole and refused (content type, JSON) is refused by the preHandler below, not by
  // the parser: fastify marks a parser's refusal `connection: close` (and removing the header in
  // the error handler leaves none at all), and a kept-alive client would pay a new connection for
  // its bad JSON, which the front door does not make it do.
  const refusedBodies = new WeakMap<FastifyRequest, GatewayError>();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (request, body, done) => {
    const problem = contentTypeProblem(request.headers["content-type"]);
    if (problem) {
      refusedBodies.set(request, problem);
      return done(null, undefined);
    }
    rawBodies.set(request, body as Buffer);
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (error) {
      refusedBodies.set(request, error as GatewayError);
      done(null, undefined);
    }
  });
  app.addHook("preHandler", (request, _reply, done) => done(refusedBodies.get(request)));

  app.setErrorHandler((error: FastifyFailure, request, reply) => sendFastifyError(request, reply, error, "anthropic"));
  app.setNotFoundHandler((request, reply) => sendError(reply, new GatewayError("not_found", `no route ${request.method} ${request.url}`)));

  app.post("/v1/messages/count_tokens", async (request, reply) => {
    const requestId = newRequestId();
    try {
      const counted = await countTokens(state, request.headers, request.body, requestId, rawBodies.get(request), isBetaCall(request.url));
      return reply.headers({ ...counted.rateHeaders, "request-id": requestId, "x-switchyard-deployment": counted.deployment }).send(counted.answer);
    } catch (error) {
      return sendError(reply, error, "anthropic", requestId);
    }
  });

  // OpenAI chat completions, translated to a Messages request and served by the same path:
  // routing, failover, budgets, rate limits and the ledger are the Messages route's.
  // A request that cannot be translated is refused by handleMessages too, after the key (a caller
  // without one gets a 401, whatever its body holds), so it has its ledger row like any other.
  const chatErrors = { errorHandler: (error: FastifyFailure, request: FastifyRequest, reply: FastifyReply) => sendFastifyError(request, reply, error, "openai") };
  app.post("/v1/chat/completions", chatErrors, (request, reply) => {
    reply.hijack();
    const response = new ChatCompletionResponse(reply.raw);
    void handleMessages(state, { headers: request.headers, body: request.body, cancel: cancelOnClose(reply.raw), translate: (body, outputLimit) => response.translate(body, outputLimit) }, response);
  });

  app.get("/v1/models", async (request, reply) => {
    try {
      const key = await authenticate(state, request.headers);
      const page = modelPage(state, key, request.query as Record<string, unknown>, request.headers["anthropic-version"] !== undefined);
      return reply.header("request-id", newRequestId()).send(page);
    } catch (error) {
      return sendError(reply, error);
    }
  });

  app.get("/v1/models/:id", async (request, reply) => {
    try {
      const key = await authenticate(state, request.headers);
      const { id } = request.params as { id: string };
      return reply.header("request-id", newRequestId()).send(retrieveModel(state, key, id));
    } catch (error) {
      return sendError(reply, error);
    }
  });

  app.get("/v1/switchyard/requests/:id", async (request, reply) => {
    try {
      requireAdmin(state, request.headers);
      const row = await state.store.get((request.params as { id: string }).id);
      if (!row) throw new GatewayError("not_found", "no such request in the ledger");
      return reply.send(row);
    } catch (error) {
      return sendError(reply, error);
    }
  });

  app.get("/v1/switchyard/health", async (request, reply) => {
    try {
      requireAdmin(state, request.headers);
      return reply.send(healthAnswer(state));
    } catch (error) {
      return sendError(reply, error);
    }
  });

  app.post("/v1/switchyard/keys/refresh", async (request, reply) => {
    try {
      requireAdmin(state, request.headers);
      await state.keys.refresh(true);
      return reply.send({ ok: true });
    } catch (error) {
      return sendError(reply, error);
    }
  });

  app.get("/v1/switchyard/budget", async (request, reply) => {
    try {
      requireAdmin(state, request.headers);
      const { key: asked } = request.query as { key?: string };
      if (!asked) throw new GatewayError("invalid_request", "key: query parameter required (a key's id or name)");
      const key = state.keys.find(asked);
      if (!key) throw new GatewayError("not_found", `key: no active key has the id or name ${JSON.stringify(asked)} (switchyard keys list shows them)`);
      const now = state.now();
      const window = monthWindow(now);
      // This gateway's figure (what it holds the budget against) once the key has been used here
      // this month; else what the ledger has.
      const counted = state.budgets.spent(key.id, now);
      const spent = counted === undefined ? await keySpend(state.store, key.id, window.from) : formatUsd(counted);
      return reply.send({
        key: key.id,
        name: key.name,
        monthly_budget_usd: key.monthly_budget_usd,
        month_spend_usd: spent,
        counted_by: counted === undefined ? "ledger" : "gateway",
        resets_at: new Date(window.resets_at).toISOString(),
      });
    } catch (error) {
      return sendError(reply, error);
    }
  });

  extraRoutes?.(app);
  return app;
}
