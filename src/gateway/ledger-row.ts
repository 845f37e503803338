/**
 * A request's outcome -> its ledger row: usage as reported (unknown stays null), the exact cost
 * on the deployment that served, and the shadow cost of the same usage on every other candidate.
 */
import { blockInForce } from "../catalog/model.js";
import type { Deployment } from "../config/load-gateway-config.js";
import { CLIENT_GONE, streamEndedEarly, type ApiKeyRecord, type AttemptRecord, type LedgerRow } from "../ledger/ledger.js";
import { storableText } from "../ledger/row-schema.js";
import { formatUsd, type Money } from "../pricing/money.js";
import type { Catalog } from "../catalog/catalog.js";
import type { ModelUsage, NormalizedUsage } from "../pricing/normalize-usage.js";
import { withOtherModels } from "../pricing/other-models.js";
import { billedOffering } from "../pricing/inference-geo.js";
import { priceRequest, PricingError, type PriceResult } from "../pricing/price-request.js";
import { usageCountsToJson, type Usage } from "../pricing/usage.js";
import { priceDate } from "./state.js";

export interface Outcome {
  /** Where the advisor's sub-inferences and a fallback's attempt find their models' prices (pricing/other-models.ts). */
  catalog: Catalog;
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
  /** Of `held`, what the input alone could cost (the hold with no output), computed only when a row needs it: see unreportedCharge. */
  heldInput?: () => Money;
  /** The request's max_tokens: the most output an answer whose output was never reported can have. */
  maxTokens?: number;
  /** Its web_search tools' max_uses summed (the most searches an answer whose count was never reported can have); null when one has none. */
  webSearchesAtMost?: number | null;
  /** It has an advisor tool (RequestNeeds.advisor): an answer whose output was never reported may have consulted it, unbounded. */
  advisor?: boolean;
  /** It has a server-side fallback chain (RequestNeeds.fallbacks): an answer whose output was never reported may have been a fallback model's. */
  fallbacks?: boolean;
}

/** The row plus what it charges its key, as Money, so callers need not parse the string back. */
export interface PricedRow {
  row: LedgerRow;
  /**
   * What counts against the key's budget: the upper bound of an inexact cost when one is known,
   * else the cost; unpriced, or with no bound at all, the request's budget hold (0 without one);
   * plus what each attempt that may have billed without reporting anything is charged (unreportedCharge).
   */
  charged: Money;
  /** The part of `charged` the ledger's sums count when budgets reload (cost_usd_upper, else cost_usd); the rest is kept by this gateway for the month. */
  stored: Money;
  /**
   * A fault of the gateway's own while pricing (a bug, not a PricingError), for the caller to
   * report. The row is still whole: the usage as reported, the cost unknown (null), not zero.
   */
  fault?: unknown;
}

/** Tokens the request spent on other models (an advisor's, a fallback's), and the catalog that prices them. */
interface OtherModels {
  catalog: Catalog;
  models: readonly ModelUsage[] | undefined;
}

/** The usage's price on a deployment, with other models' tokens (`others`) at their rates on the same provider and route. */
function priceOn(deployment: Deployment, usage: Usage, date: string, others: OtherModels): PriceResult {
  const block = blockInForce(deployment.offering, date);
  if (!block) throw new PricingError(`no price for ${deployment.id} on ${date}`, "at");
  return withOtherModels(others.catalog, deployment.offering, date, priceRequest(deployment.offering, block, usage), others.models);
}


/** The longest requested model name a row keeps (a client may send anything there). */
const MODEL_NAME_LIMIT = 256;


/**
 * The deployment whose rates the usage is billed at (pricing/inference-geo.ts): the catalog's "us"
 * route of the serving one where its usage says it ran there, whether or not a deployment of that
 * route is configured (its offering was found when the config was loaded).
 */
function billedOn(served: Deployment, usage: Usage, warnings: string[]): { deployment: Deployment; exact: boolean } {
  const billed = billedOffering(served.offering, usage, () => served.usOffering);
  if (billed.warning) warnings.push(billed.warning);
  const deployment = billed.offering === served.offering ? served : { ...served, offering: billed.offering, route: billed.offering.route };
  return { deployment, exact: billed.exact };
}

/**
 * An attempt the upstream may bill for though it never reported what: one that ended by a deadline
 * or a client gone (if the upstream had begun on it: a connect timeout is a "timeout" too, though
 * nothing reached the upstream, so the flag errs towards "not known"), or one that failed after
 * the upstream's 2xx (its body cut off, stalled or unreadable).
 */
function mayHaveBilled(attempt: AttemptRecord): boolean {
  if (attempt.error === null) return false;
  return attempt.error === "timeout" || attempt.error === CLIENT_GONE || answeredOk(attempt);
}

const answeredOk = (attempt: AttemptRecord): boolean => attempt.status !== null && attempt.status >= 200 && attempt.status < 300;

function unfinishedWarning(attempt: AttemptRecord): string {
  const ended = answeredOk(attempt) ? `failed after its ${attempt.status} (${attempt.error})` : `ended without an answer (${attempt.error})`;
  return `the attempt on ${attempt.deployment} ${ended}: if the upstream had begun on it, it may bill what it processed, which it did not report`;
}

/**
 * A cost whose output was never reported (a stream that ended before its last message_delta) is a
 * lower bound with no upper one; the upstream wrote at most max_tokens, and searched the web at
 * most its web_search tools' max_uses times (their count comes with the output), so that is the
 * upper bound, and what the key's budget is charged: output it may have billed is not free spend.
 * A web_search tool without max_uses leaves it unbounded, and so does an advisor tool whose
 * sub-inferences were not reported (they come with the output, and read what the request holds),
 * and a fallback chain (a fallback model's attempt is reported with the output, at its own rates).
 */
function boundOutput(cost: PriceResult, deployment: Deployment, usage: Usage, date: string, others: OtherModels, most: { maxTokens: number; webSearches: number | null; advisor: boolean; fallbacks: boolean }, warnings: string[]): PriceResult {
  if (most.webSearches === null) {
    warnings.push("output tokens and web searches not reported, and a web_search tool has no max_uses: no upper bound");
    return cost;
  }
  if (most.advisor && others.models === undefined) {
    warnings.push("output tokens and the advisor's sub-inferences not reported (the request has an advisor tool): no upper bound");
    return cost;
  }
  if (most.fallbacks && others.models === undefined) {
    warnings.push("output tokens not reported, and a fallback model may have served the request (it has a fallbacks chain): no upper bound");
    return cost;
  }
  const searches = Math.max(most.webSearches, usage.webSearchRequests ?? 0);
  let bound: PriceResult;
  try {
    bound = priceOn(deployment, { ...usage, output: most.maxTokens, ...(searches > 0 ? { webSearchRequests: searches } : {}) }, date, others);
  } catch (error) {
    // The searches have no price here (routing sends web search only where they have one): unbounded.
    if (!(error instanceof PricingError)) throw error;
    warnings.push(`output tokens not reported, and the bound cannot be priced: ${error.message}`);
    return cost;
  }
  if (bound.upper === undefined) return cost;
  const searched = searches > 0 ? ` and max_uses (${searches}) of web searches` : "";
  warnings.push(`output tokens not reported: cost_usd_upper counts max_tokens (${most.maxTokens}) of output${searched}`);
  return { ...cost, upper: bound.upper };
}

/**
 * What an attempt the upstream may have billed without reporting anything (a timeout or a client
 * gone before any usage came) is charged to its key: unknown usage is not zero. A stream reports its
 * input in its first event, so one cut before it had at most its input processed: the hold's input
 * part. A JSON answer comes whole at the end, so the upstream may have written up to max_tokens
 * before the cut: the whole hold. Neither can be stated as a bound in the row (the input's token
 * count is an estimate), so the gateway keeps it for the month and a warning names it.
 */
function unreportedCharge(outcome: Outcome, attempts: AttemptRecord[], warnings: string[]): Money {
  const each = outcome.stream ? outcome.heldInput?.() : outcome.held;
  if (each === undefined || attempts.length === 0) return 0n;
  const what = outcome.stream ? "the most its input could cost" : "its budget hold, the most it could cost";
  const times = attempts.length === 1 ? "" : ` for each of its ${attempts.length} attempts`;
  warnings.push(`usage not reported by ${attempts.map((attempt) => attempt.deployment).join(", ")}: ${what}, $${formatUsd(each)}${times}, is charged to the key in its place (by this gateway, this month)`);
  return each * BigInt(attempts.length);
}

export function buildLedgerRow(outcome: Outcome): PricedRow {
  const date = priceDate(outcome.startedAt);
  const usage = outcome.usage?.usage;
  const others = { catalog: outcome.catalog, models: outcome.usage?.otherModels };
  const warnings = [...outcome.warnings, ...(outcome.usage?.warnings ?? [])];
  if (outcome.streamError) warnings.push(streamEndedEarly(outcome.streamError));

  let cost: PriceResult | undefined;
  let fault: unknown;
  let billedExactly = true;
  const shadow: Record<string, string> = {};
  if (usage && outcome.deployment) {
    const billed = billedOn(outcome.deployment, usage, warnings);
    billedExactly = billed.exact;
    // A pricing bug must not cost the request its row (and with it the usage the upstream billed).
    try {
      cost = priceOn(billed.deployment, usage, date, others);
      warnings.push(...cost.warnings);
      if (cost.upper === undefined && usage.output === undefined && outcome.maxTokens !== undefined) {
        cost = boundOutput(cost, billed.deployment, usage, date, others, { maxTokens: outcome.maxTokens, webSearches: outcome.webSearchesAtMost === undefined ? 0 : outcome.webSearchesAtMost, advisor: outcome.advisor === true, fallbacks: outcome.fallbacks === true }, warnings);
      }
    } catch (error) {
      if (!(error instanceof PricingError)) fault = error;
      warnings.push(`could not price: ${error instanceof PricingError ? error.message : "the gateway failed while pricing (reported)"}`);
      if (outcome.held !== undefined) warnings.push(`its budget hold, $${formatUsd(outcome.held)}, is charged to the key in its place (by this gateway, this month)`);
    }
    for (const candidate of outcome.candidates) {
      if (candidate === outcome.deployment) continue;
      try {
        const shadowCost = priceOn(candidate, usage, date, others);
        // A deployment that has no price for the advisor's model (it does not offer it) could not
        // have served the request as it was: no shadow, rather than one that looks cheaper than it is.
        if (!shadowCost.unpricedModels) shadow[candidate.id] = formatUsd(shadowCost.total);
      } catch (error) {
        if (!(error instanceof PricingError)) fault ??= error;
      }
    }
  }
  const deployment = outcome.deployment;
  const refusedBeforeUpstream = !deployment && outcome.attempts.length === 0;
  // An attempt the upstream may bill for without having reported it (mayHaveBilled). With no usage
  // the cost is 0 at least; after a failover to a deployment that answered, that answer's cost at
  // least. Either way the row's upper bound is unknown: inexact, not exact.
  const unfinished = outcome.attempts.find(mayHaveBilled);
  if (unfinished) warnings.push(unfinishedWarning(unfinished));
  // The attempts that may have billed and reported nothing: every one without usage, else all but
  // the last (whose usage the row has, in part at least).
  const unreported = (usage ? outcome.attempts.slice(0, -1) : outcome.attempts).filter(mayHaveBilled);
  // Measured after pricing, so that the gateway's overhead counts it: only the journal write and
  // the response write, which need the row first, are left out.
  const latencyMs = performance.now() - outcome.startedMs;
  const overheadMs = Math.max(0, latencyMs - outcome.upstreamMs);
  const exact = cost ? cost.exact && billedExactly && !unfinished : refusedBeforeUpstream || (!usage && !unfinished);
  // Known only for an inexact cost whose every part is bounded: not when the rates were a guess
  // (billedExactly false) or an unfinished attempt may add to it.
  const upper = cost && !exact && billedExactly && !unfinished ? cost.upper : undefined;
  // What the budget is charged: the answer's upper bound, or its cost. One with no bound at all
  // (its input was never reported either: a Converse stream cut before its metadata) is charged
  // the request's hold, the most it could have cost, so that a cut stream is not free spend.
  let charged = cost ? (cost.upper ?? cost.total) : usage && outcome.held !== undefined ? outcome.held : 0n;
  if (cost && cost.upper === undefined && outcome.held !== undefined && outcome.held > charged) {
    charged = outcome.held;
    warnings.push(`its usage was not reported in full and has no upper bound: its budget hold, $${formatUsd(outcome.held)}, is charged to the key in its place (by this gateway, this month)`);
  }
  charged += unreportedCharge(outcome, unreported, warnings);
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
    cost_exact: exact,
    cost_usd_upper: upper === undefined ? null : formatUsd(upper),
    shadow_costs: shadow,
    warnings: warnings.map((warning) => storableText(warning)),
  };
  // What the ledger's sums count of the charge when budgets reload: cost_usd_upper where the row has one, else cost_usd.
  const stored = upper ?? cost?.total ?? 0n;
  return { row, charged, stored, ...(fault === undefined ? {} : { fault }) };
}
