/**
 * Headers on every Anthropic response: request-id, organization id and the rate-limit family
 * (https://platform.claude.com/docs/en/api/rate-limits#response-headers). Resets are RFC 3339.
 * When a dimension has no limit configured the emulator enforces nothing and reports a
 * generous fixed figure with remaining = limit, so clients that read the headers still work.
 */
import type { FastifyReply } from "fastify";
import type { EmulatorState } from "../shared/emulator-state.js";
import type { BucketState, LimitDimension } from "../shared/rate-limiter.js";

/** A fixed, recognisable organisation id (real ones are UUIDs). */
const ORGANIZATION_ID = "00000000-0000-4000-8000-0000e3a1a70e";

const UNLIMITED: Record<LimitDimension, number> = {
  requests: 4_000,
  input_tokens: 2_000_000,
  output_tokens: 400_000,
  tokens: 2_400_000,
};

let lastSecond = Number.NaN;
let lastText = "";

/** RFC 3339 to the second, rounded up; memoised because every response asks several times. */
function iso(epochMs: number): string {
  const second = Math.ceil(epochMs / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  return lastText;
}

export function applyCommonHeaders(reply: FastifyReply, state: EmulatorState, requestId: string): void {
  const now = state.clock.now();
  const bucket = (dimension: LimitDimension): BucketState =>
    state.rateLimiter.state(dimension) ?? { limit: UNLIMITED[dimension], remaining: UNLIMITED[dimension], resetAt: now };
  reply.header("request-id", requestId);
  reply.header("anthropic-organization-id", ORGANIZATION_ID);
  const requests = bucket("requests");
  const input = bucket("input_tokens");
  const output = bucket("output_tokens");
  // "tokens" is the most restrictive of the input and output limits in effect.
  const tokens = input.remaining <= output.remaining ? input : output;
  const families: [string, BucketState][] = [
    ["requests", requests],
    ["tokens", tokens],
    ["input-tokens", input],
    ["output-tokens", output],
  ];
  for (const [name, figures] of families) {
    reply.header(`anthropic-ratelimit-${name}-limit`, String(figures.limit));
    reply.header(`anthropic-ratelimit-${name}-remaining`, String(figures.remaining));
    reply.header(`anthropic-ratelimit-${name}-reset`, iso(figures.resetAt));
  }
}
