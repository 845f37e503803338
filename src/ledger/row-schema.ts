/**
 * What a storable ledger row is, checked where rows enter the ledger:
 *  - `checkRow` on the gateway's hot path (LedgerWriter.record): a few cheap tests that stop a row the
 *    stores would refuse from reaching the journal, where it would fail every replay;
 *  - `ledgerRowSchema` (zod) when the journal is read back, since a file on disk is a boundary.
 * The two must agree: a row checkRow let into the journal and the schema then refused would be read
 * back as an unreadable line, and its whole segment set aside.
 */
import { z } from "zod";
import { RowsRefusedError, type LedgerRow } from "./ledger.js";
import { isStorableUsd } from "./exact-sum.js";

const usd = z.string().refine(isStorableUsd, "a USD amount with at most 18 decimal places");
const tokens = z.number().int().nonnegative().nullable();
/** HTTP's three digits (RFC 9110 §15: 100–599 defined, 600–999 seen in private use). One test for both checks. */
function isHttpStatus(value: number): boolean {
  return Number.isInteger(value) && value >= 100 && value <= 999;
}
const httpStatus = z.number().refine(isHttpStatus, "an HTTP status (a whole number from 100 to 999)");

export const ledgerRowSchema = z.object({
  request_id: z.string().min(1),
  created_at: z.number().int(),
  key_id: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  requested_model: z.string(),
  deployment: z.string().nullable(),
  provider: z.string().nullable(),
  route: z.string().nullable(),
  region: z.string().nullable(),
  model: z.string().nullable(),
  upstream_model_id: z.string().nullable(),
  status: httpStatus,
  error_type: z.string().nullable(),
  stream: z.boolean(),
  attempts: z.array(
    z.object({
      deployment: z.string(),
      provider: z.string(),
      status: httpStatus.nullable(),
      error: z.string().nullable(),
      latency_ms: z.number(),
    }),
  ),
  latency_ms: z.number(),
  ttft_ms: z.number().nullable(),
  overhead_ms: z.number(),
  input_tokens: tokens,
  output_tokens: tokens,
  cache_write_5m_tokens: tokens,
  cache_write_1h_tokens: tokens,
  cache_write_unsplit_tokens: tokens,
  cache_read_tokens: tokens,
  web_search_requests: tokens,
  cost_usd: usd.nullable(),
  cost_exact: z.boolean(),
  cost_usd_upper: usd.nullable(),
  shadow_costs: z.record(z.string(), usd),
  warnings: z.array(z.string()),
}) satisfies z.ZodType<LedgerRow>;

export class InvalidLedgerRowError extends RowsRefusedError {
  override readonly name = "InvalidLedgerRowError";
}

const TOKEN_FIELDS = [
  "input_tokens",
  "output_tokens",
  "cache_write_5m_tokens",
  "cache_write_1h_tokens",
  "cache_write_unsplit_tokens",
  "cache_read_tokens",
  "web_search_requests",
] as const;

/** A NUL, or half of a surrogate pair: text PostgreSQL's text and jsonb refuse (SQLite takes it). */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, "g");

/**
 * Text from a request (a model name, a tag) as every store can hold it: NULs and lone surrogates
 * become U+FFFD, and text past `maxLength` is cut with "…". One such character refused by
 * PostgreSQL would fail its whole batch on every retry.
 */
export function storableText(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  // Cut first: a cut through a surrogate pair leaves half of it, which the cleaning then replaces.
  const cut = text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
  return UNSTORABLE.test(cut) ? cut.replace(UNSTORABLE_ALL, "\uFFFD") : cut;
}

/** Throws InvalidLedgerRowError for a row no store could hold; cheap enough for every request. */
export function checkRow(row: LedgerRow): void {
  const fail = (field: string, why: string): never => {
    throw new InvalidLedgerRowError(`ledger row ${JSON.stringify(row.request_id)}: ${field} ${why}`);
  };
  if (typeof row.request_id !== "string" || row.request_id.length === 0) fail("request_id", "must be a non-empty string");
  if (!Number.isSafeInteger(row.created_at)) fail("created_at", "must be whole milliseconds since the epoch");
  if (!isHttpStatus(row.status)) fail("status", "must be an HTTP status (a whole number from 100 to 999)");
  // JSON has no NaN or Infinity: JSON.stringify writes null, which a NOT NULL column refuses on every retry.
  if (!Number.isFinite(row.latency_ms)) fail("latency_ms", "must be a finite number of milliseconds");
  if (!Number.isFinite(row.overhead_ms)) fail("overhead_ms", "must be a finite number of milliseconds");
  if (row.ttft_ms !== null && !Number.isFinite(row.ttft_ms)) fail("ttft_ms", "must be a finite number of milliseconds or null");
  for (const attempt of row.attempts) {
    if (attempt.status !== null && !isHttpStatus(attempt.status)) fail("attempts.status", "must be an HTTP status (a whole number from 100 to 999) or null");
    if (!Number.isFinite(attempt.latency_ms)) fail("attempts.latency_ms", "must be a finite number of milliseconds");
  }
  for (const field of TOKEN_FIELDS) {
    const value = row[field];
    if (value !== null && !(Number.isSafeInteger(value) && value >= 0)) fail(field, "must be a whole count or null (not reported)");
  }
  if (row.cost_usd !== null && !isStorableUsd(row.cost_usd)) fail("cost_usd", "must be a decimal string with at most 18 places");
  if (row.cost_usd_upper !== null && !isStorableUsd(row.cost_usd_upper)) fail("cost_usd_upper", "must be a decimal string with at most 18 places");
  for (const [deployment, cost] of Object.entries(row.shadow_costs)) {
    if (typeof cost !== "string" || !isStorableUsd(cost)) fail(`shadow_costs.${deployment}`, "must be a decimal string with at most 18 places");
  }
  for (const [key, value] of Object.entries(row.tags)) {
    if (typeof value !== "string") fail(`tags.${key}`, "must be a string");
    if (UNSTORABLE.test(key) || UNSTORABLE.test(value)) fail(`tags.${key}`, "holds a NUL or a lone surrogate (see storableText)");
  }
  if (UNSTORABLE.test(row.requested_model)) fail("requested_model", "holds a NUL or a lone surrogate (see storableText)");
  for (const warning of row.warnings) if (UNSTORABLE.test(warning)) fail("warnings", "hold a NUL or a lone surrogate (see storableText)");
}

/** A tag's key, wherever tags come from (x-switchyard-tags, keys create --tag, the dashboard's tag filter). */
export const TAG_KEY_PATTERN = "[A-Za-z0-9_.:-]{1,64}";
export const TAG_KEY = new RegExp(`^${TAG_KEY_PATTERN}$`);
