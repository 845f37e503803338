/**
 * A commitment's break-even volume (provisioned throughput, self-hosting) as the reports and
 * --json give it: a number of requests a month, "never", or none at all, and then always why,
 * so that a missing figure is never read as "never" or as zero.
 */

export type BreakEven = { kind: "at"; requests: bigint } | { kind: "never" } | { kind: "none"; reason: string };

/**
 * A month with no requests has no on-demand cost per request (0 / 0) to measure a break-even
 * against: not "never", which would say the commitment cannot pay at any volume.
 */
export const NO_TRAFFIC_REASON =
  "no requests this month, so there is no on-demand cost per request to measure the break-even against (see a month with traffic)";

/** The search's answer: a volume, or null when no volume breaks even. */
export function breakEvenFound(requests: bigint | null): BreakEven {
  return requests === null ? { kind: "never" } : { kind: "at", requests };
}

/** The lever's detail fields: break_even_requests_per_month (a count, "never" or null) and, when null, no_break_even_reason. */
export function breakEvenDetail(breakEven: BreakEven): { break_even_requests_per_month: string | null; no_break_even_reason: string | null } {
  if (breakEven.kind === "none") return { break_even_requests_per_month: null, no_break_even_reason: breakEven.reason };
  return { break_even_requests_per_month: breakEven.kind === "never" ? "never" : breakEven.requests.toString(), no_break_even_reason: null };
}

/** The clause the lever's title ends with, for the reports. */
export function breakEvenClause(breakEven: BreakEven): string {
  if (breakEven.kind === "none") return `; no break-even: ${breakEven.reason}`;
  if (breakEven.kind === "never") return "; it breaks even at no volume";
  return `; breaks even at ${breakEven.requests.toLocaleString("en-US")} requests a month`;
}
