/**
 * Whether one request of a usage fits an offering: its prompt (input, cache writes and reads)
 * and output within the context window, its output within the output limit. `price` and
 * `compare` say so (a usage may also be the sum of several requests, so it is a note, not a
 * refusal); `plan` checks a workload's largest request against the same window (contextWindow).
 * A model whose 1M-token window comes with a beta (context-1m-2025-08-07) counts that window where
 * and when the beta is served: its long-context prices are for exactly those requests.
 */
import type { Offering } from "../catalog/model.js";
import type { BetaInfo, Capabilities, ProviderId } from "../catalog/schema.js";
import { totalInputTokens, type Usage } from "./usage.js";

const ONE_MILLION = 1_000_000;

/** The beta that gives Claude Sonnet 4 and 4.5 their 1M-token window; catalog/betas.yaml says where it `ended`. */
const CONTEXT_1M = "context-1m-2025-08-07";

/** Where and when a request runs, and the catalog's betas: the beta's window depends on all three. */
export interface RunsOn {
  provider: ProviderId | "self-host";
  /** YYYY-MM-DD */
  at: string;
  betas: ReadonlyMap<string, BetaInfo>;
}

export interface ContextWindow {
  tokens: number;
  /** The 1M window the context-1m beta gives. */
  viaBeta: boolean;
  /** The model has the beta elsewhere, but this provider stopped serving it on this day (YYYY-MM-DD). */
  betaEnded?: string;
}

/** The largest request a model takes on a provider on a day, prompt and output together: its window, or 1M where the context-1m beta gives it then. */
export function contextWindow(capabilities: Capabilities, runsOn: RunsOn): ContextWindow | undefined {
  const { context_window: window, context_1m: beta } = capabilities;
  if (window === undefined) return undefined;
  if (beta !== true || window >= ONE_MILLION) return { tokens: window, viaBeta: false };
  const ended = runsOn.provider === "self-host" ? undefined : runsOn.betas.get(CONTEXT_1M)?.ended?.[runsOn.provider];
  if (ended !== undefined && ended <= runsOn.at) return { tokens: window, viaBeta: false, betaEnded: ended };
  return { tokens: ONE_MILLION, viaBeta: true };
}

/** " (with the context-1m beta)" and the like: how a window came about, after its size. */
export function windowSource(window: ContextWindow, runsOn: RunsOn): string {
  if (window.viaBeta) return " (with the context-1m beta)";
  if (window.betaEnded !== undefined) return ` (${runsOn.provider} ended the context-1m beta, and its 1M window, on ${window.betaEnded})`;
  return "";
}

/** What does not fit on `offering` on day `at`, one sentence each; empty when it all fits or the catalog gives no limits. */
export function requestLimitProblems(offering: Offering, usage: Usage, at: string, betas: ReadonlyMap<string, BetaInfo>): string[] {
  const maxOutput = offering.capabilities.max_output_tokens;
  const prompt = totalInputTokens(usage);
  const output = usage.output ?? 0;
  const problems: string[] = [];
  const runsOn = { provider: offering.provider, at, betas };
  const window = contextWindow(offering.capabilities, runsOn);
  if (window !== undefined && prompt + output > window.tokens) {
    problems.push(`${prompt} prompt + ${output} output tokens exceed ${offering.model.id}'s ${window.tokens}-token context window${windowSource(window, runsOn)}`);
  }
  if (maxOutput !== undefined && output > maxOutput) problems.push(`${output} output tokens exceed ${offering.model.id}'s ${maxOutput}-token output limit`);
  return problems;
}

/** A problem as price and compare state it: the upstream refuses such a request, unless the usage sums several. */
export function asOneRequest(problem: string): string {
  return `as one request, ${problem}: the upstream would refuse it (fine if this usage sums several requests)`;
}
