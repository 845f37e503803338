/**
 * POST /v1/messages: authenticate, check budget, pick candidates, try them in order until one
 * answers (failover only before any byte reached the client), pass the answer through, price
 * it from the upstream's own usage report, and record it in the ledger before the response ends.
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import type { Deployment } from "../config/load-gateway-config.js";
import type { ApiKeyRecord, AttemptRecord } from "../ledger/ledger.js";
import type { UpstreamResult } from "../providers/provider.js";
import { isFailoverable, UpstreamError } from "../providers/upstream-error.js";
import { sseError } from "../providers/bedrock/event-stream.js";
import { anthropicErrorType } from "../providers/error-types.js";
import { deploymentsFor, expectedUsage, rankCandidates } from "../routing/candidates.js";
import { readRequestNeeds } from "../routing/request-needs.js";
import { authenticate } from "./authenticate.js";
import { asKnownError, errorResponse, GatewayError } from "./errors.js";
import { buildLedgerRow, type Outcome } from "./ledger-row.js";
import { parseMessagesRequest, parseTagsHeader } from "./request-body.js";
import { priceDate, type GatewayState } from "./state.js";

export function newRequestId(): string {
  return `req_sy_${randomBytes(18).toString("base64url")}`;
}

export interface IncomingMessages {
  headers: IncomingHttpHeaders;
  body: unknown;
  bodyBytes: number;
  /** Aborted when the client goes away. */
  clientGone: AbortSignal;
}

/** Per-deployment body: Anthropic-shape upstreams get inference_geo from the deployment's route. */
function bodyFor(deployment: Deployment, body: Record<string, unknown>): Record<string, unknown> {
  const kind = deployment.provider.kind;
  if (kind === "anthropic" || kind === "claude-platform-aws") {
    if (deployment.route === "us") return { ...body, inference_geo: "us" };
    return body;
  }
  if (body.inference_geo === undefined) return body;
  const { inference_geo: _geo, ...rest } = body;
  return rest;
}

function anthropicVersion(headers: IncomingHttpHeaders): string {
  const value = headers["anthropic-version"];
  return typeof value === "string" && value.length > 0 ? value : "2023-06-01";
}

export async function handleMessages(state: GatewayState, incoming: IncomingMessages, response: ServerResponse): Promise<void> {
  const requestId = newRequestId();
  const startedAt = state.now();
  const started = performance.now();
  let upstreamMs = 0;
  const attempts: AttemptRecord[] = [];
  let key: ApiKeyRecord | null = null;
  let tags: Record<string, string> = {};
  let requestedModel = "";
  let stream = false;
  let candidates: Deployment[] = [];
  const outcome = (fields: Omit<Outcome, "requestId" | "startedAt" | "key" | "tags" | "requestedModel" | "stream" | "attempts" | "candidates" | "latencyMs" | "overheadMs">): Outcome => {
    const latencyMs = performance.now() - started;
    return { requestId, startedAt, key, tags, requestedModel, stream, attempts, candidates, latencyMs, overheadMs: Math.max(0, latencyMs - upstreamMs), ...fields };
  };

  try {
    key = authenticate(state, incoming.headers);
    tags = { ...(key?.tags ?? {}), ...parseTagsHeader(incoming.headers["x-switchyard-tags"]) };
    const request = parseMessagesRequest(incoming.body);
    requestedModel = request.model;
    stream = request.stream;
    if (key && key.allowed_models.length > 0 && !key.allowed_models.includes(request.model)) {
      throw new GatewayError("permission", `key "${key.name}" may not use model ${request.model}; allowed: ${key.allowed_models.join(", ")}`);
    }
    if (key) await state.budgets.check(key, startedAt);

    const deployments = deploymentsFor(state.config, state.catalog, request.model);
    if (deployments.length === 0) throw new GatewayError("not_found", `model: ${request.model}`);
    candidates = deployments;
    const needs = readRequestNeeds(request.body, incoming.headers["anthropic-beta"]);
    const ranking = rankCandidates(deployments, needs, expectedUsage(incoming.bodyBytes, request.maxTokens), state.config.config.routing.policy, priceDate(startedAt));
    if (ranking.ranked.length === 0) {
      throw new GatewayError(
        "no_route",
        `no deployment of ${request.model} can serve this request: ${ranking.excluded.map((exclusion) => `${exclusion.deployment} ${exclusion.reason}`).join("; ")}`,
      );
    }

    const deadline = AbortSignal.timeout(state.config.config.timeouts.total_ms);
    const signal = AbortSignal.any([deadline, incoming.clientGone]);
    const maxAttempts = state.config.config.routing.max_attempts;
    let lastError: UpstreamError | undefined;
    for (const deployment of ranking.ranked.slice(0, maxAttempts)) {
      const client = state.clients.get(deployment.providerName);
      if (!client) throw new GatewayError("internal", `no client for provider ${deployment.providerName}`);
      const attemptStarted = performance.now();
      let result: UpstreamResult;
      try {
        result = await client.messages({
          body: bodyFor(deployment, request.body),
          stream: request.stream,
          upstreamModel: deployment.upstreamModel,
          anthropicVersion: anthropicVersion(incoming.headers),
          betas: needs.betas,
          requestId,
          signal,
          firstByteTimeoutMs: state.config.config.timeouts.first_byte_ms,
        });
      } catch (error) {
        const upstreamError = error instanceof UpstreamError ? error : new UpstreamError("internal", String(error));
        const latency = performance.now() - attemptStarted;
        upstreamMs += latency;
        attempts.push({ deployment: deployment.id, provider: deployment.provider.kind, status: upstreamError.details.status ?? null, error: upstreamError.kind, latency_ms: Math.round(latency) });
        lastError = upstreamError;
        if (incoming.clientGone.aborted || deadline.aborted || !isFailoverable(upstreamError.kind)) break;
        continue;
      }
      upstreamMs += performance.now() - attemptStarted;
      attempts.push({ deployment: deployment.id, provider: deployment.provider.kind, status: 200, error: null, latency_ms: Math.round(performance.now() - attemptStarted) });
      if (result.kind === "json") {
        const { row, cost } = buildLedgerRow(state, outcome({ deployment, status: 200, usage: result.usage, ttftMs: performance.now() - started }));
        state.ledger.record(row);
        if (key) state.budgets.add(key.id, startedAt, cost);
        response.writeHead(200, {
          "content-type": "application/json",
          "request-id": requestId,
          "x-switchyard-deployment": deployment.id,
          "x-switchyard-provider": deployment.provider.kind,
          "x-switchyard-attempts": String(attempts.length),
          ...(row.cost_usd !== null ? { "x-switchyard-cost-usd": row.cost_usd } : {}),
          ...(row.cost_exact ? {} : { "x-switchyard-cost-exact": "false" }),
          ...result.headers,
        });
        response.end(result.bytes);
        return;
      }
      await streamToClient(state, result, response, deployment, requestId, attempts, started, (ttftMs, streamUpstreamMs, failure) => {
        upstreamMs += streamUpstreamMs;
        return outcome({ deployment, status: 200, usage: result.usage(), ttftMs, ...(failure ? { streamError: failure } : {}) });
      }, key);
      return;
    }
    throw lastError ?? new GatewayError("internal", "no attempt was made");
  } catch (error) {
    const known = asKnownError(error);
    const reply = errorResponse(known, requestId);
    state.ledger.record(buildLedgerRow(state, outcome({ deployment: undefined, status: reply.status, errorType: reply.type, usage: undefined, ttftMs: undefined })).row);
    if (!response.headersSent) {
      response.writeHead(reply.status, { ...reply.headers, "x-switchyard-attempts": String(attempts.length) });
      response.end(reply.body);
    } else {
      response.end();
    }
  }
}

/**
 * Streams the upstream's SSE bytes to the client as they arrive. The headers and first event go
 * out together (the upstream already sent its first event, so failover is over). A failure after
 * that becomes an `event: error` in the stream. The ledger row is written before the stream ends.
 */
async function streamToClient(
  state: GatewayState,
  result: Extract<UpstreamResult, { kind: "stream" }>,
  response: ServerResponse,
  deployment: Deployment,
  requestId: string,
  attempts: AttemptRecord[],
  started: number,
  finish: (ttftMs: number, upstreamMs: number, failure: string | undefined) => Outcome,
  key: ApiKeyRecord | null,
): Promise<void> {
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "request-id": requestId,
    "x-switchyard-deployment": deployment.id,
    "x-switchyard-provider": deployment.provider.kind,
    "x-switchyard-attempts": String(attempts.length),
    ...result.headers,
  });
  response.flushHeaders();
  response.write(result.first);
  const ttftMs = performance.now() - started;
  let waiting = 0;
  let failure: string | undefined;
  try {
    let before = performance.now();
    for await (const chunk of result.rest) {
      waiting += performance.now() - before;
      if (!response.write(chunk)) await new Promise((resolve) => response.once("drain", resolve));
      before = performance.now();
    }
    waiting += performance.now() - before;
  } catch (error) {
    const upstreamError = error instanceof UpstreamError ? error : new UpstreamError("connection", String(error));
    failure = upstreamError.kind;
    if (!response.destroyed) response.write(sseError(anthropicErrorType(upstreamError.kind), upstreamError.message));
  }
  const { row, cost } = buildLedgerRow(state, finish(ttftMs, waiting, failure));
  state.ledger.record(row);
  if (key) state.budgets.add(key.id, row.created_at, cost);
  response.end();
}
