/**
 * A request's outcome -> its ledger row: usage as reported (unknown stays null), the exact cost
 * on the deployment that served, and the shadow cost of the same usage on every other candidate.
 */
import { blockInForce } from "../catalog/model.js";
import type { Deployment } from "../config/load-gateway-config.js";
import { CLIENT_GONE, streamEndedEarly, type ApiKeyRecord, type AttemptRecord, type LedgerRow } from "../ledger/ledger.js";
import { storableText } from "../ledger/row-schema.js";
import { formatUsd, type Money } from "../pricing/money.js";
import type { NormalizedUsage } from "../pricing/normalize-usage.js";
import { priceRequest, PricingError, type PriceResult } from "../pricing/price-request.js";
import { usageCountsToJson, type Usage } from "../pricing/usage.js";
import { priceDate } from "./state.js";

export interface Outcome {
  requestId: string;
  startedAt: number;
  key: ApiKeyRecord | null;
  tags: Record<string, string>;
  requestedModel: string;
  stream: boolean;
  attempts: AttemptRecord[];
  /** Every deployment of the requested model (for shadow costs). */
  candidates: readonly Deployment[];
  deployment: Deployment | undefined;
  status: number;
  errorType?: string;
  /** Set when a stream broke after it started. */
  streamError?: string;
  usage: NormalizedUsage | undefined;
  /** performance.now() when the gateway began handling the request (its body read). */
  startedMs: number;
  /** Time spent in upstream calls (attempts, and a stream's body). */
  upstreamMs: number;
  ttftMs: number | undefined;
  /** Routing notes for the ledger (last-resort routing, waits for a cache holder). */
  warnings: string[];
  /** What the request held against its key's budget (the most it could cost), if it held anything. */
  held?: Money;
  /** The request's max_tokens: the most output an answer whose output was never reported can have. */
  maxTokens?: number;
}

/** The row plus what it charges its key, as Money, so callers need not parse the string back. */
export interface PricedRow {
  row: LedgerRow;
  /** What counts against the key's budget: the upper bound of an inexact cost when one is known (cost_usd_upper), else the cost; unpriced, the request's budget hold (0 without one). */
  charged: Money;
  /**
   * A fault of the gateway's own while pricing (a bug, not a PricingError), for the caller to
   * report. The row is still whole: the usage as reported, the cost unknown (null), not zero.
   */
  fault?: unknown;
}

function priceOn(deployment: Deployment, usage: Usage, date: string): PriceResult {
  const block = blockInForce(deployment.offering, date);
  if (!block) throw new PricingError(`no price for ${deployment.id} on ${date}`, "at");
  return priceRequest(deployment.offering, block, usage);
}


/** The longest requested model name a row keeps (a client may send anything there). */
const MODEL_NAME_LIMIT = 256;


/**
 * The deployment whose rates the usage is billed at. An Anthropic-shape upstream may run a request
 * in the US although none was asked for (a workspace's default inference_geo), and says so in
 * its usage: the "us" route of the same provider and model is then what was billed (1.1x on
 * Claude 4.6 and later). When no such deployment is configured to price it with, the serving one
 * is, and `exact` is false: a lower bound.
 */
function billedOn(served: Deployment, candidates: readonly Deployment[], usage: Usage, warnings: string[]): { deployment: Deployment; exact: boolean } {
  if (usage.inferenceGeo !== "us" || served.route === "us") return { deployment: served, exact: true };
  const us = candidates.find((candidate) => candidate.provider.kind === served.provider.kind && candidate.route === "us" && candidate.model.id === served.model.id);
  if (us) {
    warnings.push(`the upstream ran inference_geo "us" (a workspace default?): priced at ${us.id}'s rates`);
    return { deployment: us, exact: true };
  }
  warnings.push(`the upstream ran inference_geo "us" (a workspace default?) but no "us" deployment of ${served.model.id} is configured to price it: priced at ${served.route} rates, a lower bound`);
  return { deployment: served, exact: false };
}

/**
 * A cost whose output was never reported (a stream that ended before its last message_delta) is a
 * lower bound with no upper one; the upstream wrote at most max_tokens, so that is the upper bound,
 * and what the key's budget is charged: output it may have billed is not free spend.
 */
function boundOutput(cost: PriceResult, deployment: Deployment, usage: Usage, date: string, maxTokens: number, warnings: string[]): PriceResult {
  const bound = priceOn(deployment, { ...usage, output: maxTokens }, date);
  if (bound.upper === undefined) return cost;
  warnings.push(`output tokens not reported: cost_usd_upper counts max_tokens (${maxTokens}) of output`);
  return { ...cost, upper: bound.upper };
}

export function buildLedgerRow(outcome: Outcome): PricedRow {
  const date = priceDate(outcome.startedAt);
  const usage = outcome.usage?.usage;
  const warnings = [...outcome.warnings, ...(outcome.usage?.warnings ?? [])];
  if (outcome.streamError) warnings.push(streamEndedEarly(outcome.streamError));

  let cost: PriceResult | undefined;
  let fault: unknown;
  let billedExactly = true;
  const shadow: Record<string, string> = {};
  if (usage && outcome.deployment) {
    const billed = billedOn(outcome.deployment, outcome.candidates, usage, warnings);
    billedExactly = billed.exact;
    // A pricing bug must not cost the request its row (and with it the usage the upstream billed).
    try {
      cost = priceOn(billed.deployment, usage, date);
      warnings.push(...cost.warnings);
      if (cost.upper === undefined && usage.output === undefined && outcome.maxTokens !== undefined) cost = boundOutput(cost, billed.deployment, usage, date, outcome.maxTokens, warnings);
    } catch (error) {
      if (!(error instanceof PricingError)) fault = error;
      warnings.push(`could not price: ${error instanceof PricingError ? error.message : "the gateway failed while pricing (reported)"}`);
      if (outcome.held !== undefined) warnings.push(`its budget hold, $${formatUsd(outcome.held)}, is charged to the key in its place (by this gateway, this month)`);
    }
    for (const candidate of outcome.candidates) {
      if (candidate === outcome.deployment) continue;
      try {
        shadow[candidate.id] = formatUsd(priceOn(candidate, usage, date).total);
      } catch (error) {
        if (!(error instanceof PricingError)) fault ??= error;
      }
    }
  }
  const deployment = outcome.deployment;
  const refusedBeforeUpstream = !deployment && outcome.attempts.length === 0;
  // An attempt that may have reached the upstream when it ended without an answer (a deadline
  // passed, or the client left): the upstream may bill what it processed, which it did not report.
  // With no usage the cost is 0 at least; after a failover to a deployment that answered, the
  // answer's cost at least. Either way its upper bound is unknown: inexact, not exact. (A connect
  // timeout is a "timeout" too, though nothing reached the upstream: the flag errs towards "not known".)
  const unfinished = outcome.attempts.find((attempt) => attempt.error === "timeout" || attempt.error === CLIENT_GONE);
  if (unfinished) warnings.push(`the attempt on ${unfinished.deployment} ended without an answer (${unfinished.error}): if the upstream had begun on it, it may bill what it processed, which it did not report`);
  // Measured after pricing, so that the gateway's overhead counts it: only the journal write and
  // the response write, which need the row first, are left out.
  const latencyMs = performance.now() - outcome.startedMs;
  const overheadMs = Math.max(0, latencyMs - outcome.upstreamMs);
  const row: LedgerRow = {
    request_id: outcome.requestId,
    created_at: outcome.startedAt,
    key_id: outcome.key?.id ?? null,
    // Tags need no cleaning: their keys are plain names, values come from headers (no NUL) or the CLI.
    tags: outcome.tags,
    requested_model: storableText(outcome.requestedModel, MODEL_NAME_LIMIT),
    deployment: deployment?.id ?? null,
    provider: deployment?.provider.kind ?? null,
    route: deployment?.route ?? null,
    region: deployment?.region ?? null,
    model: deployment?.model.id ?? null,
    upstream_model_id: deployment?.upstreamModel ?? null,
    status: outcome.status,
    error_type: outcome.errorType ?? null,
    stream: outcome.stream,
    attempts: outcome.attempts,
    latency_ms: Math.round(latencyMs * 1000) / 1000,
    ttft_ms: outcome.ttftMs === undefined ? null : Math.round(outcome.ttftMs * 1000) / 1000,
    overhead_ms: Math.round(overheadMs * 1000) / 1000,
    ...usageCountsToJson(usage),
    // A request refused before any upstream call cost nothing; a served one without a price is unknown.
    cost_usd: cost ? formatUsd(cost.total) : refusedBeforeUpstream || !usage ? "0" : null,
    cost_exact: cost ? cost.exact && billedExactly && !unfinished : refusedBeforeUpstream || (!usage && !unfinished),
    // An unfinished attempt's share is not bounded: the row's upper bound is unknown.
    cost_usd_upper: cost?.upper === undefined || unfinished ? null : formatUsd(cost.upper),
    shadow_costs: shadow,
    warnings: warnings.map((warning) => storableText(warning)),
  };
  // Unpriced: the most it could have cost (its hold), so that a pricing failure is not free spend.
  // As the ledger's sums count it when budgets reload: cost_usd_upper where the row has one, else cost_usd.
  const charged = (row.cost_usd_upper === null ? undefined : cost?.upper) ?? cost?.total ?? (row.cost_usd === null ? (outcome.held ?? 0n) : 0n);
  return { row, charged, ...(fault === undefined ? {} : { fault }) };
}
