/**
 * Whether one request of a usage fits an offering: its prompt (input, cache writes and reads)
 * and output within the context window, its output within the output limit. `price` and
 * `compare` say so (a usage may also be the sum of several requests, so it is a note, not a
 * refusal); `plan` checks a workload's largest request against the same window (contextWindow).
 * A model whose 1M-token window comes with a beta (context-1m-2025-08-07) counts that window: its
 * long-context prices are for exactly those requests.
 */
import type { Offering } from "../catalog/model.js";
import type { Capabilities } from "../catalog/schema.js";
import { totalInputTokens, type Usage } from "./usage.js";

const ONE_MILLION = 1_000_000;

/** The largest request a model takes, prompt and output together: its window, or 1M where the context-1m beta gives it; with `viaBeta`, whether the beta does. */
export function contextWindow(capabilities: Capabilities): { tokens: number; viaBeta: boolean } | undefined {
  const { context_window: window, context_1m: beta } = capabilities;
  if (window === undefined) return undefined;
  return beta === true && window < ONE_MILLION ? { tokens: ONE_MILLION, viaBeta: true } : { tokens: window, viaBeta: false };
}

/** What does not fit, one sentence each; empty when it all fits or the catalog gives no limits. */
export function requestLimitProblems(offering: Offering, usage: Usage): string[] {
  const maxOutput = offering.capabilities.max_output_tokens;
  const prompt = totalInputTokens(usage);
  const output = usage.output ?? 0;
  const problems: string[] = [];
  const window = contextWindow(offering.capabilities);
  if (window !== undefined && prompt + output > window.tokens) {
    problems.push(`${prompt} prompt + ${output} output tokens exceed ${offering.model.id}'s ${window.tokens}-token context window${window.viaBeta ? " (with the context-1m beta)" : ""}`);
  }
  if (maxOutput !== undefined && output > maxOutput) problems.push(`${output} output tokens exceed ${offering.model.id}'s ${maxOutput}-token output limit`);
  return problems;
}

/** A problem as price and compare state it: the upstream refuses such a request, unless the usage sums several. */
export function asOneRequest(problem: string): string {
  return `as one request, ${problem}: the upstream would refuse it (fine if this usage sums several requests)`;
}
