/**
 * One usage shape for every provider. A field the provider did not report is `undefined`, never 0:
 * "unknown" and "none" bill differently, and the ledger keeps the difference.
 *
 * Buckets are disjoint (Anthropic's convention): total input = input + cache writes + cache reads.
 */

/** The speeds a request can run at (Anthropic usage.speed; fast mode where offered). */
export const SPEEDS = ["standard", "fast"] as const;
export type Speed = (typeof SPEEDS)[number];

export function isSpeed(text: string | undefined): text is Speed {
  return (SPEEDS as readonly (string | undefined)[]).includes(text);
}

export interface Usage {
  /** Uncached input tokens (after the last cache breakpoint). */
  input?: number | undefined;
  output?: number | undefined;
  cacheWrite5m?: number | undefined;
  cacheWrite1h?: number | undefined;
  /** Cache writes whose TTL split the provider did not report: priced as a range, flagged. */
  cacheWriteUnsplit?: number | undefined;
  cacheRead?: number | undefined;
  webSearchRequests?: number | undefined;
  /** Claude Managed Agents: running session time in milliseconds (billed per session-hour). */
  agentSessionMs?: number | undefined;
  /** What the request actually ran at (Anthropic usage.speed); billing follows it. */
  speed?: Speed | undefined;
  /** Anthropic usage.service_tier: "batch" means batch pricing. */
  serviceTier?: string | undefined;
  /** Anthropic usage.inference_geo as reported ("global", "us", "not_available"). */
  inferenceGeo?: string | undefined;
}

export const TOKEN_CLASSES = ["input", "cache_write_5m", "cache_write_1h", "cache_write_unknown_ttl", "cache_read", "output"] as const;
export type TokenClass = (typeof TOKEN_CLASSES)[number];

export function tokensOf(usage: Usage, tokenClass: TokenClass): number | undefined {
  switch (tokenClass) {
    case "input":
      return usage.input;
    case "output":
      return usage.output;
    case "cache_write_5m":
      return usage.cacheWrite5m;
    case "cache_write_1h":
      return usage.cacheWrite1h;
    case "cache_write_unknown_ttl":
      return usage.cacheWriteUnsplit;
    case "cache_read":
      return usage.cacheRead;
  }
}

/**
 * Input that decides a long-context tier: uncached input + cache writes + cache reads.
 * Output never counts (Anthropic: "based solely on input tokens (including cache reads/writes)").
 */
export function totalInputTokens(usage: Usage): number {
  return (
    (usage.input ?? 0) +
    (usage.cacheWrite5m ?? 0) +
    (usage.cacheWrite1h ?? 0) +
    (usage.cacheWriteUnsplit ?? 0) +
    (usage.cacheRead ?? 0)
  );
}

/** Adds usage records field by field; a field stays unknown only if it is unknown in all of them. */
export function addUsage(a: Usage, b: Usage): Usage {
  const sum = (x: number | undefined, y: number | undefined) => (x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0));
  return {
    input: sum(a.input, b.input),
    output: sum(a.output, b.output),
    cacheWrite5m: sum(a.cacheWrite5m, b.cacheWrite5m),
    cacheWrite1h: sum(a.cacheWrite1h, b.cacheWrite1h),
    cacheWriteUnsplit: sum(a.cacheWriteUnsplit, b.cacheWriteUnsplit),
    cacheRead: sum(a.cacheRead, b.cacheRead),
    webSearchRequests: sum(a.webSearchRequests, b.webSearchRequests),
    agentSessionMs: sum(a.agentSessionMs, b.agentSessionMs),
    speed: a.speed ?? b.speed,
    serviceTier: a.serviceTier ?? b.serviceTier,
    inferenceGeo: a.inferenceGeo ?? b.inferenceGeo,
  };
}

/** The usage counts under the names the ledger and every `--json` use; an unknown count is null, not 0. */
export interface UsageCountsJson {
  input_tokens: number | null;
  output_tokens: number | null;
  cache_write_5m_tokens: number | null;
  cache_write_1h_tokens: number | null;
  /** Cache writes whose TTL split the provider did not report. */
  cache_write_unsplit_tokens: number | null;
  cache_read_tokens: number | null;
  web_search_requests: number | null;
}

export function usageCountsToJson(usage: Usage | undefined): UsageCountsJson {
  const known = (value: number | undefined): number | null => (value === undefined ? null : value);
  return {
    input_tokens: known(usage?.input),
    output_tokens: known(usage?.output),
    cache_write_5m_tokens: known(usage?.cacheWrite5m),
    cache_write_1h_tokens: known(usage?.cacheWrite1h),
    cache_write_unsplit_tokens: known(usage?.cacheWriteUnsplit),
    cache_read_tokens: known(usage?.cacheRead),
    web_search_requests: known(usage?.webSearchRequests),
  };
}
