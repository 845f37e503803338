/** The 429 message for each limit, in the API's words (https://platform.claude.com/docs/en/api/rate-limits). */
import type { LimitDimension } from "../shared/rate-limiter.js";

const UNIT: Record<LimitDimension, string> = {
  requests: "requests per minute",
  input_tokens: "input tokens per minute",
  output_tokens: "output tokens per minute",
  tokens: "tokens per minute",
};

export function rateLimitMessage(dimension: LimitDimension, limit: number): string {
  return (
    `This request would exceed your organization's rate limit of ${limit.toLocaleString("en-US")} ${UNIT[dimension]}. ` +
    "For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage."
  );
}
