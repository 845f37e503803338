/**
 * Whether one request of a usage fits an offering: its prompt (input, cache writes and reads)
 * and output within the context window, its output within the output limit. `price` and
 * `compare` say so (a usage may also be the sum of several requests, so it is a note, not a
 * refusal), as `plan` checks a workload's largest request. A model whose 1M-token window comes with a beta (context-1m-2025-08-07)
 * counts that window: its long-context prices are for exactly those requests.
 */
import type { Offering } from "../catalog/model.js";
import type { Usage } from "./usage.js";

const ONE_MILLION = 1_000_000;

/** What does not fit, one sentence each; empty when it all fits or the catalog gives no limits. */
export function requestLimitProblems(offering: Offering, usage: Usage): string[] {
  const { context_window: window, context_1m: beta, max_output_tokens: maxOutput } = offering.capabilities;
  const prompt = (usage.input ?? 0) + (usage.cacheRead ?? 0) + (usage.cacheWrite5m ?? 0) + (usage.cacheWrite1h ?? 0) + (usage.cacheWriteUnsplit ?? 0);
  const output = usage.output ?? 0;
  const problems: string[] = [];
  const effective = window === undefined ? undefined : beta === true ? Math.max(window, ONE_MILLION) : window;
  if (effective !== undefined && prompt + output > effective) {
    problems.push(`${prompt} prompt + ${output} output tokens exceed ${offering.model.id}'s ${effective}-token context window${effective > (window ?? 0) ? " (with the context-1m beta)" : ""}`);
  }
  if (maxOutput !== undefined && output > maxOutput) problems.push(`${output} output tokens exceed ${offering.model.id}'s ${maxOutput}-token output limit`);
  return problems;
}

/** A problem as price and compare state it: the upstream refuses such a request, unless the usage sums several. */
export function asOneRequest(problem: string): string {
  return `as one request, ${problem}: the upstream would refuse it (fine if this usage sums several requests)`;
}
