/**
 * Which of a request's anthropic-beta values go to a deployment, from the catalog's data: each
 * model's or offering's accepted list (`capabilities.betas`) and what the catalog knows of each
 * beta (catalog/betas.yaml: whether a request depends on it).
 *
 *  - Anthropic-shape upstreams (the Anthropic API, Claude Platform on AWS) receive every beta the
 *    client sent: betas are defined there, and they answer a value they do not take with a 400
 *    that names it;
 *  - elsewhere a beta the deployment accepts is sent; one the request needs (`needed: true`) and
 *    the deployment does not accept keeps the request off it (the client hears which beta when no
 *    deployment is left); any other is left off, so an upstream never sees a beta it would answer
 *    with an opaque "invalid beta flag" (Bedrock). A field that a left-off beta enabled is then
 *    refused by name, and the gateway moves the request on (providers/shared/refused-fields.ts).
 *    A needed beta is left off too where the deployment gives what it asks for anyway (the
 *    1M-context beta on a model whose window is 1M by default: `implied_by_context_window`);
 *  - a deployment whose catalog entry has no list receives every beta.
 *
 * A needed beta its provider has stopped serving (`ended` in catalog/betas.yaml: the Claude API
 * ended the 1M-context beta on 2026-04-30) is still sent, as the client sent it: the upstream
 * serves a request that fits without it, and refuses one that does not (Sonnet 4.5 over 200K
 * tokens). Such a deployment is tried after those that serve the beta (`ended`, read by
 * routing/candidates.ts), so a long-context session runs where its window is.
 */
import type { BetaInfo } from "../catalog/schema.js";
import { isAnthropicShape, type Deployment } from "../config/load-gateway-config.js";

export interface BetasOn {
  /** The betas to send to this deployment, in the client's order. */
  send: readonly string[];
  /**
   * Betas left off that the catalog does not know (catalog/betas.yaml): the deployment does not
   * accept them, and the request is taken not to depend on them. The ledger row names them; the
   * known ones left off are the catalog's documented rule.
   */
  unknown: readonly string[];
  /** Needed betas left off because the deployment gives what they ask for without them. */
  implied: readonly string[];
  /** Betas the request needs that the deployment does not accept: it cannot serve the request. */
  missing: readonly string[];
  /** Betas the request needs that the deployment's provider stopped serving on or before the request's day (sent all the same). */
  ended: readonly EndedBeta[];
}

/** A needed beta a provider no longer serves, and the first day it did not. */
export interface EndedBeta {
  beta: string;
  /** YYYY-MM-DD */
  on: string;
}

const NONE: readonly string[] = [];
const NOTHING_ENDED: readonly EndedBeta[] = [];
const NO_BETAS: BetasOn = { send: NONE, unknown: NONE, implied: NONE, missing: NONE, ended: NOTHING_ENDED };

/** Whether the deployment's window already gives what a needed beta asks for (the 1M-context beta on a 1M model). */
function impliedOn(deployment: Deployment, info: BetaInfo): boolean {
  return info.implied_by_context_window !== undefined && (deployment.offering.capabilities.context_window ?? 0) >= info.implied_by_context_window;
}

/** The needed betas of `requested` that the deployment's provider ended by day `at` (YYYY-MM-DD). */
function endedOn(deployment: Deployment, requested: readonly string[], known: ReadonlyMap<string, BetaInfo>, at: string): readonly EndedBeta[] {
  let ended: EndedBeta[] | undefined;
  for (const beta of requested) {
    const info = known.get(beta);
    const on = info?.needed ? info.ended?.[deployment.offering.provider] : undefined;
    if (info && on !== undefined && on <= at && !impliedOn(deployment, info)) (ended ??= []).push({ beta, on });
  }
  return ended ?? NOTHING_ENDED;
}

/** The request's betas on `deployment`, on day `at` (YYYY-MM-DD). */
export function betasOn(deployment: Deployment, requested: readonly string[], known: ReadonlyMap<string, BetaInfo>, at: string): BetasOn {
  if (requested.length === 0) return NO_BETAS;
  const accepted = deployment.offering.capabilities.betas;
  const ended = endedOn(deployment, requested, known, at);
  if (!accepted || isAnthropicShape(deployment)) return { send: requested, unknown: NONE, implied: NONE, missing: NONE, ended };
  const send: string[] = [];
  const unknown: string[] = [];
  const implied: string[] = [];
  const missing: string[] = [];
  for (const beta of requested) {
    const info = known.get(beta);
    if (accepted.includes(beta)) send.push(beta);
    else if (!info) unknown.push(beta);
    else if (!info.needed) continue;
    else if (impliedOn(deployment, info)) implied.push(beta);
    else missing.push(beta);
  }
  return { send, unknown, implied, missing, ended };
}

/** The warning for a deployment tried last because its provider ended a beta the request needs. */
export function endedBetasWarning(deployment: Deployment, ended: readonly EndedBeta[]): string {
  return `moved ${deployment.id} last: ${deployment.offering.provider} stopped serving anthropic-beta ${ended.map((each) => `${each.beta} on ${each.on}`).join(", ")}, and a request longer than the model's own window is refused there`;
}

/**
 * The most output a deployment writes for a request that sends these betas: its model's
 * `max_output_tokens`, or more where a beta it accepts raises it (output-128k-2025-02-19 on Claude
 * Sonnet 3.7); undefined when the catalog gives no limit.
 */
export function outputLimitOn(deployment: Deployment, betas: BetasOn, known: ReadonlyMap<string, BetaInfo>): number | undefined {
  let limit = deployment.offering.capabilities.max_output_tokens;
  if (limit === undefined) return undefined;
  const accepted = deployment.offering.capabilities.betas;
  for (const beta of betas.send) {
    const raised = known.get(beta)?.max_output_tokens;
    // An Anthropic-shape deployment is sent every beta; only one its model accepts raises the limit.
    if (raised !== undefined && raised > limit && (accepted === undefined || accepted.includes(beta))) limit = raised;
  }
  return limit;
}

/** Why a deployment cannot serve a request that needs these betas. */
export function missingBetasReason(missing: readonly string[]): string {
  return `anthropic-beta ${missing.join(", ")}: the request needs it, and the deployment does not accept it`;
}

/**
 * Adds what the ledger row says of the betas a deployment did not receive (none: nothing). A beta
 * the catalog knows as not needed is left off without a word: that it is left off is the catalog's
 * documented rule (Claude Code's five known ones left off Bedrock were 120 bytes of every row), and a
 * field it enables is refused by name, or dropped with a warning of its own.
 */
export function addBetaWarnings(warnings: string[], deployment: Deployment, betas: BetasOn): void {
  if (betas.unknown.length > 0) warnings.push(`left anthropic-beta ${betas.unknown.join(", ")} off for ${deployment.id}: not accepted there, and not in the catalog's betas`);
  if (betas.implied.length > 0) warnings.push(`left anthropic-beta ${betas.implied.join(", ")} off for ${deployment.id}: its context window gives what it asks for`);
}
