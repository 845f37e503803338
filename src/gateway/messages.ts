/**
 * POST /v1/messages: authenticate, admit (rate limits, budget), plan the route, try candidates in
 * order until one answers (failover only before any byte reached the client), pass the answer
 * through, price it from the upstream's own usage report, and record it in the ledger before the
 * response ends.
 */
import type { IncomingHttpHeaders } from "node:http";
import { randomBytes } from "node:crypto";
import type { ApiKeyRecord, AttemptRecord, LedgerRow } from "../ledger/ledger.js";
import type { UpstreamResult } from "../providers/provider.js";
import { healthOutcome, isFailoverable, UpstreamError, type ErrorKind } from "../providers/upstream-error.js";
import { anthropicErrorType } from "../providers/error-types.js";
import { refusalScope } from "../routing/field-refusals.js";
import { addDroppedWarning, withoutDropFields, type SentBody } from "../config/drop-fields.js";
import { addBetaWarnings, endedBetasWarning } from "../routing/betas.js";
import type { Attempt } from "../routing/health.js";
import { budgetHold, deploymentsFor, type Candidate } from "../routing/candidates.js";
import { requestTokens } from "../routing/cache-prefixes.js";
import { readOtherModels } from "../routing/request-needs.js";
import type { RateLimitSettings } from "../config/gateway-config.js";
import { isAnthropicShape, type Deployment, type ResolvedConfig } from "../config/load-gateway-config.js";
import { authenticate, requireModelAllowed } from "./authenticate.js";
import type { Release } from "./budgets.js";
import type { Money } from "../pricing/money.js";
import { asKnownError, errorResponse, GatewayError, withDropHint } from "./errors.js";
import type { ClientResponse } from "./client-response.js";
import { buildLedgerRow, type Outcome } from "./ledger-row.js";
import { recordPriced } from "./record-row.js";
import { streamToClient } from "./stream-to-client.js";
import { planRoute, type RoutePlan } from "./plan-route.js";
import { anthropicVersion, parseMessagesRequest, parseTagsHeader, unknownModel, withHeaderTags } from "./request-body.js";
import { withTopLevelMembers } from "./json-splice.js";
import { priceDate, type GatewayState } from "./state.js";
import { sleepUnlessCancelled, type Cancel } from "../util/cancel.js";
import { abortedError } from "../providers/shared/http.js";

/** 96 random bits per process, then a counter: unique across replicas and restarts, cheap per request. */
const PROCESS_PREFIX = randomBytes(12).toString("base64url");
let requestCounter = 0;

export function newRequestId(): string {
  requestCounter += 1;
  return `req_sy_${PROCESS_PREFIX}${requestCounter.toString(36).padStart(6, "0")}`;
}

/**
 * A request for handleMessages: a Messages body as received, with its bytes; or another API's body
 * with a `translate` step (openai/chat-request.ts) that turns it into a Messages body and its
 * bytes, or throws to refuse it. The step runs after the key is checked, so a request it refuses is
 * answered and recorded like any refused Messages request.
 */
export type IncomingMessages = {
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Aborted when the client goes away; handleMessages also aborts it at the overall deadline. */
  cancel: Cancel;
  /** Called as the beta variant (`?beta=true`, as Claude Code does): Anthropic-shape upstreams are called so too. */
  beta?: boolean;
} & ({ raw: Buffer; translate?: undefined } | { raw?: undefined; translate: (body: unknown, outputLimit: (model: string) => number | undefined) => { body: unknown; raw: Buffer } });

/** The model a request body names, before it is checked: the ledger row of a refused request keeps it. */
function modelNamed(body: unknown): string {
  const model = typeof body === "object" && body !== null ? (body as { model?: unknown }).model : undefined;
  return typeof model === "string" ? model : "";
}

/** What an Anthropic-shape deployment sets in the client's body besides `model`: inference_geo from a "us" route. */
function anthropicShapeEdits(deployment: Deployment): Record<string, unknown> | undefined {
  return deployment.route === "us" ? { inference_geo: "us" } : undefined;
}

/** Per-deployment parsed body; other upstreams build their own body from it and take no inference_geo. */
function bodyFor(deployment: Deployment, body: Record<string, unknown>): Record<string, unknown> {
  if (isAnthropicShape(deployment)) {
    const edits = anthropicShapeEdits(deployment);
    return edits ? { ...body, ...edits } : body;
  }
  if (body.inference_geo === undefined) return body;
  const { inference_geo: _geo, ...rest } = body;
  return rest;
}

/**
 * The client's bytes with the deployment's members spliced in (Anthropic-shape upstreams), when
 * that can be exact: not when the deployment drops some of the client's fields (its drop_fields).
 * count_tokens splices in `model` only.
 */
export function jsonFor(deployment: Deployment, raw: Buffer | undefined, sent: SentBody, endpoint: "messages" | "count_tokens" = "messages"): Buffer | undefined {
  if (raw === undefined || sent.dropped.length > 0 || !isAnthropicShape(deployment)) return undefined;
  return withTopLevelMembers(raw, endpoint === "messages" ? { model: deployment.upstreamModel, ...anthropicShapeEdits(deployment) } : { model: deployment.upstreamModel });
}


export function limitsFor(state: GatewayState, key: ApiKeyRecord): RateLimitSettings {
  const own = state.config.config.keys[key.name];
  const defaults = state.config.config.rate_limits;
  return {
    requests_per_minute: own?.requests_per_minute ?? defaults.requests_per_minute,
    tokens_per_minute: own?.tokens_per_minute ?? defaults.tokens_per_minute,
  };
}

/**
 * Whether to wait for a throttled deployment that holds the request's cached prefix instead of
 * moving on: only for a short retry-after, and only when the next candidate would cost more
 * (it would have to write the prefix again).
 */
function worthWaiting(state: GatewayState, candidate: Candidate, next: Candidate | undefined, error: UpstreamError, deadline: number): boolean {
  const affinity = state.config.config.routing.affinity;
  const wait = error.details.retryAfterMs;
  if (!affinity.enabled || candidate.heldTokens === 0 || wait === undefined || wait > affinity.max_wait_ms) return false;
  if (error.kind !== "rate_limited" && error.kind !== "overloaded") return false;
  if (state.now() + wait >= deadline) return false;
  if (!next) return true;
  return next.expectedCost === undefined || candidate.expectedCost === undefined || next.expectedCost > candidate.expectedCost;
}

/** A fault of the gateway's own (a bug), not an upstream's answer or a refusal: reported with its stack. */
function isOwnFault(error: unknown): boolean {
  return !(error instanceof GatewayError) && !(error instanceof UpstreamError);
}

/** The most output every one of these deployments accepts (the catalog's smallest max_output_tokens), if the catalog gives one. */
function outputLimitOf(deployments: readonly Deployment[]): number | undefined {
  let least: number | undefined;
  for (const deployment of deployments) {
    const limit = deployment.offering.capabilities.max_output_tokens;
    if (limit !== undefined && (least === undefined || limit < least)) least = limit;
  }
  return least;
}

/**
 * Answers one Messages request; never rejects. A fault of the gateway's own (a bug) is reported
 * (state.faults) and answered with a 500, or with a dropped connection once the answer has begun;
 * one in the error path itself drops the connection. As an unhandled rejection it would stop the
 * process, and every request in flight with it.
 */
export function handleMessages(state: GatewayState, incoming: IncomingMessages, response: ClientResponse): Promise<void> {
  const requestId = newRequestId();
  /** Whether this request's fault was reported already: a second one in its error path is its consequence. */
  const fault = { noted: false };
  // A .catch rather than an async wrapper: no second suspended frame per request.
  return answerMessages(state, incoming, response, requestId, fault).catch((error: unknown) => {
    if (!fault.noted) state.faults.note(requestId, error, true);
    incoming.cancel.abort(new Error("the gateway failed while answering"));
    response.destroy();
  });
}

async function answerMessages(state: GatewayState, incoming: IncomingMessages, response: ClientResponse, requestId: string, fault: { noted: boolean }): Promise<void> {
  const startedAt = state.now();
  const started = performance.now();
  let upstreamMs = 0;
  const attempts: AttemptRecord[] = [];
  const warnings: string[] = [];
  let key: ApiKeyRecord | null = null;
  let tags: Record<string, string> = {};
  let requestedModel = "";
  let stream = false;
  let candidates: readonly Deployment[] = [];
  let rateHeaders: Record<string, string> = {};
  let clearDeadline: (() => void) | undefined;
  let releaseBudget: Release | undefined;
  /** What the request holds against its key's budget: charged in place of a cost that cannot be priced. */
  let held: Money | undefined;
  let heldInput: (() => Money) | undefined;
  let maxTokens: number | undefined;
  /** What bounds an answer whose output is never reported, besides max_tokens (ledger-row's boundOutput). */
  let bounds: Pick<Outcome, "webSearchesAtMost" | "advisor" | "fallbacks"> = {};
  /** Whether the request's row is recorded: a fault after that (writing the answer) must not record a second. */
  let recorded = false;
  const record = (fields: Outcome): LedgerRow => {
    // Built (and priced) first: a row that cannot be built leaves the error path to record one.
    const priced = buildLedgerRow(fields);
    recorded = true;
    if (priced.fault !== undefined) {
      // A pricing bug: reported, and the row keeps the usage with its cost unknown; the answer still goes out.
      state.faults.note(requestId, priced.fault, true);
      fault.noted = true;
    }
    return recordPriced(state, fields, priced);
  };
  /** The attempt under way or last made: a fault before its end was told must not leave a half-open probe out. */
  let attempt: Attempt | undefined;
  const outcome = (fields: Pick<Outcome, "deployment" | "status" | "usage" | "ttftMs"> & Partial<Pick<Outcome, "errorType" | "streamError">>): Outcome => ({
    catalog: state.catalog,
    requestId,
    startedAt,
    key,
    tags,
    requestedModel,
    stream,
    attempts,
    candidates,
    startedMs: started,
    upstreamMs,
    warnings,
    ...(held === undefined ? {} : { held }),
    ...(heldInput === undefined ? {} : { heldInput }),
    ...(maxTokens === undefined ? {} : { maxTokens }),
    ...bounds,
    ...fields,
  });

  try {
    // A key in memory is answered without a promise (the hot path); only a miss waits on the store.
    const known = authenticate(state, incoming.headers);
    key = known instanceof Promise ? await known : known;
    // The key's own tags first: a header refused below leaves the row still carrying them.
    tags = key?.tags ?? {};
    // The OpenAI chat route speaks no Anthropic version: the default is sent for it.
    const version = anthropicVersion(incoming.translate ? {} : incoming.headers);
    tags = withHeaderTags(tags, parseTagsHeader(incoming.headers["x-switchyard-tags"]), warnings);
    const { body, raw } = incoming.translate ? incoming.translate(incoming.body, (model) => outputLimitOf(deploymentsFor(state.config, state.catalog, model))) : { body: incoming.body, raw: incoming.raw };
    const request = parseMessagesRequest(body);
    requestedModel = request.model;
    stream = request.stream;
    maxTokens = request.maxTokens;
    requireModelAllowed(state, key, request.model);
    if (key) {
      // A key already over its budget is refused before routing and the rate limiter spend anything
      // on it (its first request of the month waits for its spend to load).
      const spentCheck = state.budgets.refuseIfSpent(key, startedAt);
      if (spentCheck) await spentCheck;
      const admitted = state.limiter.admit(key.id, limitsFor(state, key), requestTokens(raw.length));
      // Shared limits (Redis) answer later; this replica's own at once.
      rateHeaders = admitted instanceof Promise ? await admitted : admitted;
    }

    const deployments = deploymentsFor(state.config, state.catalog, request.model);
    if (deployments.length === 0) throw unknownModel(request.model);
    candidates = deployments;
    const plan = planRoute(state, key, incoming.headers, request, raw.length, deployments, startedAt);
    bounds = { webSearchesAtMost: plan.needs.webSearchesAtMost, advisor: plan.needs.advisor, fallbacks: plan.needs.fallbacks };
    if (plan.ranking.lastResort) warnings.push("every deployment was unhealthy; tried anyway, soonest-available first");
    for (const moved of plan.ranking.endedLast) warnings.push(endedBetasWarning(moved.deployment, moved.betas.ended));
    for (const moved of plan.triedLast) warnings.push(`moved ${moved.deployment} last: it refused ${moved.field} on an earlier request`);
    if (key && key.monthly_budget_usd !== null) {
      // After routing, so that what the request holds against the budget is what it may cost where
      // it may go; held until its own cost is added (released in finally).
      const candidatesTried = plan.ranking.ranked.slice(0, state.config.config.routing.max_attempts);
      const holding = { inputTokens: requestTokens(raw.length), maxTokens: request.maxTokens, cacheTtl: plan.needs.cacheTtl, fast: plan.needs.fast, webSearches: plan.needs.webSearchesAtMost };
      // An advisor tool's consultations and a fallback chain's attempts are held for too, at their
      // models' rates where each candidate serves.
      const others = plan.needs.advisor || plan.needs.fallbacks ? { ...readOtherModels(request.body), catalog: state.catalog, at: priceDate(startedAt) } : undefined;
      const hold = budgetHold(candidatesTried, holding, others);
      const admitted = state.budgets.admit(key, startedAt, hold);
      releaseBudget = admitted instanceof Promise ? await admitted : admitted;
      held = hold;
      // Needed only by a row with an attempt cut before it reported anything: priced then, not on every request.
      heldInput = () => budgetHold(candidatesTried, { ...holding, maxTokens: 0, webSearches: 0 });
    }

    const deadlineAt = startedAt + state.config.config.timeouts.total_ms;
    // One token and one timer per request (AbortSignal.any + AbortSignal.timeout cost ~5% of the CPU).
    const cancel = incoming.cancel;
    clearDeadline = cancel.abortAfter(state.config.config.timeouts.total_ms, deadlineReason(state.config, request.stream));
    const ranked = plan.ranking.ranked;
    let warnedUpTo = -1;
    let lastError: UpstreamError | undefined;
    let waited = false;
    for (let index = 0; index < ranked.length && attempts.length < state.config.config.routing.max_attempts; index += 1) {
      // Gone (or past the deadline) while waiting for limits, a budget or a retry-after: no attempt that never leaves.
      if (cancel.aborted) throw abortedError(cancel.reason, "switchyard");
      const candidate = ranked[index] as Candidate;
      const deployment = candidate.deployment;
      const client = state.clients.get(deployment.providerName);
      if (!client) throw new GatewayError("internal", `no client for provider ${deployment.providerName}`);
      const sentBody = withoutDropFields(deployment, request.body);
      // Once per candidate: the retry of one waited for (index -= 1 below) says nothing new.
      if (index > warnedUpTo) {
        warnedUpTo = index;
        addBetaWarnings(warnings, deployment, candidate.betas);
        addDroppedWarning(warnings, deployment, sentBody);
      }
      const attemptStarted = performance.now();
      attempt = state.health.begin(deployment.id);
      let result: UpstreamResult;
      try {
        result = await client.messages({
          body: bodyFor(deployment, sentBody.body),
          json: jsonFor(deployment, raw, sentBody),
          stream: request.stream,
          beta: incoming.beta === true,
          upstreamModel: deployment.upstreamModel,
          answerModel: deployment.answerModel,
          anthropicVersion: version,
          betas: candidate.betas.send,
          requestId,
          cancel,
          // A JSON answer's first byte comes once it is whole: only the request's deadline bounds it.
          firstByteTimeoutMs: request.stream ? state.config.config.timeouts.first_byte_ms : 0,
        });
      } catch (error) {
        // A provider client's own fault (a bug) is reported; it says nothing of the deployment's
        // health, and another deployment (another client) may serve the request.
        const clientFault = !(error instanceof UpstreamError);
        if (clientFault) state.faults.note(requestId, error, true);
        let upstreamError = error instanceof UpstreamError ? error : new UpstreamError("internal", String(error));
        if (upstreamError.kind === "upstream_auth") {
          // The gateway's own credentials, account or configuration, not the caller's key: the
          // operator hears of it, and the client's message names the deployment.
          upstreamError = new UpstreamError("upstream_auth", `deployment ${deployment.id} refused the gateway's own credentials or configuration (not your API key): ${upstreamError.message}`, upstreamError.details);
          state.deploymentRefusals.note(requestId, upstreamError);
        }
        const latency = performance.now() - attemptStarted;
        upstreamMs += latency;
        attempts.push({ deployment: deployment.id, provider: deployment.provider.kind, status: upstreamError.details.status ?? null, error: upstreamError.kind, latency_ms: Math.round(latency) });
        lastError = upstreamError;
        const refused = upstreamError.details.refusedFields;
        if (refused) {
          // The last deployment's refusal is what the client reads: it says how to have the gateway drop the field.
          lastError = withDropHint(upstreamError, deployment.id, state.fieldRefusals.learn(deployment.id, refusalScope("messages", plan.needs.betas), refused, sentBody.body, state.now()));
        }
        // A client that left before the first byte, or a request at fault, says nothing of the
        // deployment's health; the attempt only ends (a half-open probe is out no longer).
        const health = healthOutcome(upstreamError.kind);
        if (health) {
          state.health.record(deployment.id, health, { retryAfterMs: upstreamError.details.retryAfterMs, attempt });
        } else {
          state.health.settle(attempt);
        }
        if (cancel.aborted || !(clientFault || isFailoverable(upstreamError.kind))) break;
        if (!waited && worthWaiting(state, candidate, ranked[index + 1], upstreamError, deadlineAt)) {
          waited = true;
          warnings.push(`waited ${upstreamError.details.retryAfterMs} ms for ${deployment.id}, which holds the cached prefix`);
          await sleepUnlessCancelled(upstreamError.details.retryAfterMs ?? 0, cancel);
          index -= 1;
        }
        continue;
      }
      const firstByteMs = performance.now() - attemptStarted;
      upstreamMs += firstByteMs;
      attempts.push({ deployment: deployment.id, provider: deployment.provider.kind, status: 200, error: null, latency_ms: Math.round(firstByteMs) });
      if (result.kind === "json") {
        // The row first, and the answer whatever follows: the upstream was paid for it, and a
        // client answered a 500 would only retry and pay again. A fault of the gateway's own in
        // the bookkeeping after it is reported, not passed on.
        const row = record(outcome({ deployment, status: 200, usage: result.usage, ttftMs: performance.now() - started }));
        try {
          state.health.record(deployment.id, "success", { ttftMs: firstByteMs, totalMs: firstByteMs, attempt });
          rememberPrefixes(state, plan, deployment);
          debitOutput(state, key, result.usage.usage.output);
        } catch (error) {
          state.faults.note(requestId, error, true);
          fault.noted = true;
          state.health.settle(attempt);
        }
        response.writeHead(200, {
          "content-type": "application/json",
          // Known length: one write, no chunked framing. The length of what is sent: an upstream's
          // invalid UTF-8 decoded to U+FFFD (3 bytes each) makes the text longer than its bytes.
          "content-length": String(result.text === undefined ? result.bytes.length : Buffer.byteLength(result.text)),
          "request-id": requestId,
          "x-switchyard-deployment": deployment.id,
          "x-switchyard-provider": deployment.provider.kind,
          "x-switchyard-attempts": String(attempts.length),
          ...(row.cost_usd !== null ? { "x-switchyard-cost-usd": row.cost_usd } : {}),
          ...(row.cost_exact ? {} : { "x-switchyard-cost-exact": "false" }),
          ...result.headers,
          ...rateHeaders,
        });
        // A string body is sent in the same write as the headers (a Buffer would be a second iovec).
        response.end(result.text ?? result.bytes);
        return;
      }
      /** Set when timeouts.stream_max_ms ended the stream. */
      let cutAtMax = false;
      const finish = (ttftMs: number, streamMs: number, failure: ErrorKind | undefined): void => {
        upstreamMs += streamMs;
        const totalMs = firstByteMs + streamMs;
        // A client gone (CLIENT_GONE) or the request's own fault has no health outcome.
        // A stream cut at stream_max_ms met the operator's limit, not a fault of the deployment's.
        const health = failure === undefined || cutAtMax ? undefined : healthOutcome(failure);
        if (health) state.health.record(deployment.id, health, { attempt });
        // The upstream answered (its first event arrived). Ended early by the client, or by the
        // request's own fault (an invalid_request event): healthy, without a total time.
        else if (failure) state.health.record(deployment.id, "success", { ttftMs: firstByteMs, attempt });
        else state.health.record(deployment.id, "success", { ttftMs: firstByteMs, totalMs, attempt });
        const usage = result.usage();
        if (!failure) rememberPrefixes(state, plan, deployment);
        // Output the upstream reported counts against the key's token limit however the stream ended.
        debitOutput(state, key, usage.usage.output);
        // Begun, the stream's status stays 200; what ended it early is its error type (spend counts it among the errors).
        record(outcome({ deployment, status: 200, usage, ttftMs, ...(failure ? { streamError: failure, errorType: anthropicErrorType(failure) } : {}) }));
      };
      // Begun, a stream is bounded by its silences, not total_ms: a long answer (thinking, tens of
      // thousands of tokens) may run past total_ms, while one that sends nothing for first_byte_ms
      // has stalled (Anthropic's pings and every event count as bytes). stream_max_ms caps a
      // stream that is never silent and never ends.
      clearDeadline();
      const { first_byte_ms: silentMs, stream_max_ms: maxMs, client_stall_ms: clientStallMs } = state.config.config.timeouts;
      const silence = cancel.abortWhenSilent(silentMs, `no bytes from the upstream for ${silentMs} ms`);
      const maxTimer =
        maxMs > 0
          ? setTimeout(() => {
              cutAtMax = true;
              cancel.abort(new Error(`the stream ran past timeouts.stream_max_ms (${maxMs} ms)`));
            }, maxMs)
          : undefined;
      const clearMax = () => clearTimeout(maxTimer);
      clearDeadline = () => {
        silence.clear();
        clearMax();
      };
      try {
        await streamToClient(result, response, { deployment, requestId, attempts, rateHeaders, alive: silence.touch, waitingForClient: silence.hold, cancel, clientStallMs }, finish, started);
      } catch (error) {
        // The gateway's own fault before the stream's end was told (the upstream's failures are
        // events in the stream): the upstream's stream is closed rather than left to its timeout,
        // and the row keeps what the upstream reported using (its message_start at least).
        cancel.abort(new Error("the gateway failed while streaming"));
        if (!recorded) record(outcome({ deployment, status: 500, errorType: "api_error", usage: result.usage(), ttftMs: undefined }));
        throw error;
      }
      return;
    }
    throw lastError ?? new GatewayError("internal", "no attempt was made");
  } catch (error) {
    // Refused before its body was read: the row still names the model the body asked for.
    if (requestedModel === "") requestedModel = modelNamed(incoming.body);
    if (isOwnFault(error)) {
      state.faults.note(requestId, error, true);
      fault.noted = true;
    }
    // Whatever ended the request, a half-open probe it carried is out no longer (a no-op once told).
    if (attempt) state.health.settle(attempt);
    const known = asKnownError(error);
    const reply = errorResponse(known, requestId);
    // A client gone before its answer began (client_disconnected) is answered nothing; its row says 499.
    if (!recorded) record(outcome({ deployment: undefined, status: reply.status, errorType: reply.type, usage: undefined, ttftMs: undefined }));
    if (!response.headersSent) {
      response.writeHead(reply.status, { ...rateHeaders, ...reply.headers, ...answeredBy(known, attempts), "x-switchyard-attempts": String(attempts.length) });
      response.end(reply.body);
    } else {
      // An answer already begun cannot become an error: the client must not take it for a whole one.
      response.destroy();
    }
  } finally {
    clearDeadline?.();
    releaseBudget?.();
  }
}

/**
 * Which deployment's answer an error is: the last attempt's, where the upstream answered (an
 * UpstreamError with its status), with the upstream's request id for a support ticket. Nothing
 * for the gateway's own refusals, or a deployment that never answered (a timeout, a reset).
 */
function answeredBy(error: GatewayError | UpstreamError, attempts: readonly AttemptRecord[]): Record<string, string> {
  const last = attempts[attempts.length - 1];
  if (!(error instanceof UpstreamError) || error.details.status === undefined || !last) return {};
  return {
    "x-switchyard-deployment": last.deployment,
    "x-switchyard-provider": last.provider,
    ...(error.details.upstreamRequestId ? { "x-switchyard-upstream-request-id": error.details.upstreamRequestId } : {}),
  };
}

const deadlineReasons = new WeakMap<ResolvedConfig, { json: string; stream: string }>();

/**
 * What the client reads when timeouts.total_ms passes: the setting, and for a JSON answer (which
 * arrives whole, so no first-byte timeout can move it on to another deployment) what would.
 * Written once per config, not per request.
 */
function deadlineReason(config: ResolvedConfig, stream: boolean): string {
  let reasons = deadlineReasons.get(config);
  if (!reasons) {
    const { total_ms: totalMs, first_byte_ms: firstByteMs } = config.config.timeouts;
    reasons = {
      stream: `timeouts.total_ms, ${totalMs} ms, passed before the stream began`,
      json: `timeouts.total_ms, ${totalMs} ms, passed: a JSON answer arrives whole, so only total_ms bounds it; a streamed request moves on to the next deployment after timeouts.first_byte_ms (${firstByteMs} ms) of silence`,
    };
    deadlineReasons.set(config, reasons);
  }
  return stream ? reasons.stream : reasons.json;
}

/** After a success: the deployment now holds the request's prefixes. */
function rememberPrefixes(state: GatewayState, plan: RoutePlan, deployment: Deployment): void {
  if (plan.prefixes.length > 0 && state.config.config.routing.affinity.enabled && deployment.offering.capabilities.prompt_caching !== null) {
    state.affinity.remember(plan.prefixes, deployment.id);
  }
}

/** Output tokens count against the key's per-minute token limit. */
function debitOutput(state: GatewayState, key: ApiKeyRecord | null, outputTokens: number | undefined): void {
  if (key && outputTokens) state.limiter.debitTokens(key.id, limitsFor(state, key), outputTokens);
}

