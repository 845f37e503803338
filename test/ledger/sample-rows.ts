/** Ledger rows for tests and the benchmark: complete, deterministic, easy to vary. */
import type { LedgerRow } from "../../src/ledger/ledger.js";
import { formatUsd } from "../../src/pricing/money.js";

export const JAN_1_2026 = Date.UTC(2026, 0, 1);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function sampleRow(overrides: Partial<LedgerRow> & { request_id: string }): LedgerRow {
  return {
    created_at: JAN_1_2026 + 12 * HOUR,
    key_id: "key_alpha",
    tags: { team: "search", env: "prod" },
    requested_model: "claude-sonnet-4-5",
    deployment: "anthropic-sonnet",
    provider: "anthropic",
    route: "global",
    region: null,
    model: "claude-sonnet-4-5",
    upstream_model_id: "claude-sonnet-4-5-20250929",
    status: 200,
    error_type: null,
    stream: true,
    attempts: [{ deployment: "anthropic-sonnet", provider: "anthropic", status: 200, error: null, latency_ms: 812.5 }],
    latency_ms: 815.25,
    ttft_ms: 301.5,
    overhead_ms: 0.42,
    input_tokens: 1200,
    output_tokens: 350,
    cache_write_5m_tokens: 0,
    cache_write_1h_tokens: 0,
    cache_write_unsplit_tokens: null,
    cache_read_tokens: 4000,
    web_search_requests: null,
    cost_usd: "0.00996",
    cost_exact: true,
    cost_usd_upper: null,
    shadow_costs: { "bedrock-sonnet-us": "0.010956", "vertex-sonnet": "0.00996" },
    warnings: [],
    ...overrides,
  };
}

/** Row number `index` of a load run: every field derived from the index, so a reader can rebuild it. */
export function loadRow(prefix: string, index: number): LedgerRow {
  return sampleRow({
    request_id: `${prefix}-${index}`,
    created_at: JAN_1_2026 + index,
    key_id: index % 3 === 0 ? null : `key_${index % 7}`,
    tags: index % 2 === 0 ? { team: `team-${index % 5}`, run: prefix } : {},
    status: index % 11 === 0 ? 529 : 200,
    error_type: index % 11 === 0 ? "overloaded_error" : null,
    input_tokens: index % 13 === 0 ? null : index * 3,
    output_tokens: index % 17 === 0 ? null : index % 1000,
    // index attodollars, in the canonical text the stores give back
    cost_usd: formatUsd(BigInt(index)),
    cost_exact: index % 13 !== 0,
    shadow_costs: { "bedrock-sonnet-us": formatUsd(BigInt(index * 2)) },
    warnings: index % 13 === 0 ? ["input_tokens not reported"] : [],
  });
}
