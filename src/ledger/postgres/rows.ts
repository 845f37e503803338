/**
 * A LedgerRow to PostgreSQL and back. Rows go in as one JSON array expanded by jsonb_to_recordset,
 * whose keys are the LedgerRow field names, so a batch is one parameter and one round trip.
 * node-postgres returns bigint and numeric as text: counts become numbers, money is made canonical.
 */
import type { AttemptRecord, LedgerRow } from "../ledger.js";
import { canonicalUsd } from "../exact-sum.js";

export const COLUMN_TYPES: readonly (readonly [keyof LedgerRow, string])[] = [
  ["request_id", "text"],
  ["created_at", "bigint"],
  ["key_id", "text"],
  ["tags", "jsonb"],
  ["requested_model", "text"],
  ["deployment", "text"],
  ["provider", "text"],
  ["route", "text"],
  ["region", "text"],
  ["model", "text"],
  ["upstream_model_id", "text"],
  ["status", "integer"],
  ["error_type", "text"],
  ["stream", "boolean"],
  ["attempts", "jsonb"],
  ["latency_ms", "double precision"],
  ["ttft_ms", "double precision"],
  ["overhead_ms", "double precision"],
  ["input_tokens", "bigint"],
  ["output_tokens", "bigint"],
  ["cache_write_5m_tokens", "bigint"],
  ["cache_write_1h_tokens", "bigint"],
  ["cache_write_unsplit_tokens", "bigint"],
  ["cache_read_tokens", "bigint"],
  ["web_search_requests", "bigint"],
  ["cost_usd", "numeric"],
  ["cost_exact", "boolean"],
  ["cost_usd_upper", "numeric"],
  ["shadow_costs", "jsonb"],
  ["warnings", "jsonb"],
];

/** ledger_rows as node-postgres returns it. */
export interface StoredRow {
  request_id: string;
  created_at: string;
  key_id: string | null;
  tags: Record<string, string>;
  requested_model: string;
  deployment: string | null;
  provider: string | null;
  route: string | null;
  region: string | null;
  model: string | null;
  upstream_model_id: string | null;
  status: number;
  error_type: string | null;
  stream: boolean;
  attempts: AttemptRecord[];
  latency_ms: number;
  ttft_ms: number | null;
  overhead_ms: number;
  input_tokens: string | null;
  output_tokens: string | null;
  cache_write_5m_tokens: string | null;
  cache_write_1h_tokens: string | null;
  cache_write_unsplit_tokens: string | null;
  cache_read_tokens: string | null;
  web_search_requests: string | null;
  cost_usd: string | null;
  cost_exact: boolean;
  cost_usd_upper: string | null;
  shadow_costs: Record<string, string>;
  warnings: string[];
}

const count = (text: string | null) => (text === null ? null : Number(text));
const usd = (text: string | null) => (text === null ? null : canonicalUsd(text));

export function fromStoredRow(stored: StoredRow): LedgerRow {
  const shadowCosts: Record<string, string> = {};
  for (const [deployment, cost] of Object.entries(stored.shadow_costs)) shadowCosts[deployment] = canonicalUsd(cost);
  return {
    request_id: stored.request_id,
    created_at: Number(stored.created_at),
    key_id: stored.key_id,
    tags: stored.tags,
    requested_model: stored.requested_model,
    deployment: stored.deployment,
    provider: stored.provider,
    route: stored.route,
    region: stored.region,
    model: stored.model,
    upstream_model_id: stored.upstream_model_id,
    status: stored.status,
    error_type: stored.error_type,
    stream: stored.stream,
    attempts: stored.attempts,
    latency_ms: stored.latency_ms,
    ttft_ms: stored.ttft_ms,
    overhead_ms: stored.overhead_ms,
    input_tokens: count(stored.input_tokens),
    output_tokens: count(stored.output_tokens),
    cache_write_5m_tokens: count(stored.cache_write_5m_tokens),
    cache_write_1h_tokens: count(stored.cache_write_1h_tokens),
    cache_write_unsplit_tokens: count(stored.cache_write_unsplit_tokens),
    cache_read_tokens: count(stored.cache_read_tokens),
    web_search_requests: count(stored.web_search_requests),
    cost_usd: usd(stored.cost_usd),
    cost_exact: stored.cost_exact,
    cost_usd_upper: usd(stored.cost_usd_upper),
    shadow_costs: shadowCosts,
    warnings: stored.warnings,
  };
}
