/**
 * The ledger: one row per request the gateway served (or refused), with the exact cost.
 * This file is THE interface; sqlite/ and postgres/ implement it with the same file names.
 *
 * Money is an exact decimal string (USD) everywhere in this interface. Token counts are
 * `null` when the provider did not report them — never 0 — and the stores keep that difference.
 */

import type { UsageCountsJson } from "../pricing/usage.js";

/**
 * The error an attempt, a row (`error_type`, with status 499) or a stream's end carries when the
 * client went away: not the upstream's failure. The providers' ErrorKind of the same name
 * (`abortedError` in providers/shared/http.ts) is where it comes from before the first byte.
 */
export const CLIENT_GONE = "client_disconnected";

/**
 * A row's warning for a stream that ended before its end (the error kind, or CLIENT_GONE): its
 * attempt was a success when the stream began, so this is where the failure is kept. Written by
 * the gateway (ledger-row.ts), read back by the metrics.
 */
export function streamEndedEarly(kind: string): string {
  return `stream ended early: ${kind}`;
}

/** The kind of streamEndedEarly's warning among `warnings`, if there is one. */
export function streamEndedEarlyKind(warnings: readonly string[]): string | undefined {
  for (const warning of warnings) {
    const kind = /^stream ended early: (\w+)$/.exec(warning)?.[1];
    if (kind) return kind;
  }
  return undefined;
}

/** One upstream attempt inside a request (failover tries several). */
export interface AttemptRecord {
  deployment: string;
  provider: string;
  /** HTTP status from the upstream, or null for a connection error / timeout before any status. */
  status: number | null;
  /** Closed set from gateway/errors.ts, e.g. "rate_limited", "overloaded", "timeout", "connection"; or CLIENT_GONE. */
  error: string | null;
  latency_ms: number;
}

export interface LedgerRow extends UsageCountsJson {
  /** The gateway's request id (also sent to the client as request-id). Primary key. */
  request_id: string;
  /** Milliseconds since the epoch when the request arrived. */
  created_at: number;
  /** Virtual key id (not the secret), or null when unauthenticated access is allowed. */
  key_id: string | null;
  /** From the x-switchyard-tags header: "team=search,env=prod" -> {team: "search", env: "prod"}. */
  tags: Record<string, string>;
  /** The model the client asked for (an alias or id). */
  requested_model: string;
  /** The deployment that produced the response; null if none did. */
  deployment: string | null;
  provider: string | null;
  route: string | null;
  region: string | null;
  /** Catalog model id of the deployment that served. */
  model: string | null;
  upstream_model_id: string | null;
  /** HTTP status returned to the client. */
  status: number;
  /** Anthropic error type returned to the client, when an error. */
  error_type: string | null;
  stream: boolean;
  attempts: AttemptRecord[];
  latency_ms: number;
  /** Time to the first byte sent to the client (streaming: the first event). */
  ttft_ms: number | null;
  /** Time spent inside the gateway rather than waiting for upstreams. */
  overhead_ms: number;
  // input_tokens … web_search_requests: UsageCountsJson (null where the upstream did not report).
  /** Exact USD; "0" for requests that were refused before any upstream call. Null when unpriceable. */
  cost_usd: string | null;
  /** false when some usage was unknown: cost_usd is a lower bound. */
  cost_exact: boolean;
  cost_usd_upper: string | null;
  /** What the same usage would have cost on each other deployment of the requested model. */
  shadow_costs: Record<string, string>;
  warnings: string[];
}

export interface SpendQuery {
  /** Inclusive start, ms since epoch. */
  from?: number;
  /** Exclusive end, ms since epoch. */
  to?: number;
  group_by: ("day" | "key" | "model" | "requested_model" | "provider" | "deployment" | "tag")[];
  /** With group_by "tag": which tag key to group on (e.g. "team"). */
  tag_key?: string;
  key_id?: string;
}

export interface SpendGroup {
  /** The group's values, keyed by the group_by fields. */
  group: Record<string, string | null>;
  requests: number;
  /** Requests that failed: an error status, or a stream that began (200) and ended with an error (its row's error_type). */
  errors: number;
  cost_usd: string;
  /**
   * What the group's requests count against their keys' budgets: the upper bound of an inexact
   * cost where one is known (cost_usd_upper), else the cost; as the gateway's budgets and
   * `keysSpend` count it. Equal to cost_usd unless some cost is a range.
   */
  charged_usd: string;
  /** Requests whose cost is not exact: a lower bound (some usage unknown) or unknown (unpriced_requests). */
  inexact_requests: number;
  /** Of those, requests that could not be priced at all (cost_usd null): their cost is in no total. */
  unpriced_requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_write_tokens: number;
  cache_read_tokens: number;
  /**
   * Sum of shadow costs per deployment for the group's priced requests: those cost_usd sums (an
   * unpriced request's shadow costs are left out, as its cost is), so the two compare like for like.
   */
  shadow_costs: Record<string, string>;
  /**
   * How many of those priced requests have a shadow cost on each deployment. A request that
   * deployment could not price (no price for something it used, or not configured then) has none,
   * so its shadow_costs sum is of these requests only: a lower bound, not the group's cost there.
   */
  shadow_requests: Record<string, number>;
}

/**
 * A store refused rows for what they hold (a type, a range, a constraint), not because it is
 * unavailable: the same batch would fail on every retry. The writer then finds the refused rows,
 * keeps them aside in a file and stores the others, instead of retrying the batch forever.
 */
export class RowsRefusedError extends Error {
  override readonly name: string = "RowsRefusedError";
}

/** What insertJournalSegment did with a segment besides storing its rows. */
export interface SegmentInsert {
  rejectedLines: number;
  refused: RefusedRow[];
}

/** A row the store refused for its contents, and the store's reason. */
export interface RefusedRow {
  row: LedgerRow;
  reason: string;
}

/**
 * Inserts the rows with `insert`, in batches of at most `batchRows`; where it refuses a batch for
 * its contents (RowsRefusedError), halves the batch until the refused rows are alone, and returns
 * those: one bad row does not hold up the others. Any other failure (the store is down) is thrown,
 * to be retried later.
 */
export async function insertSettingAside(insert: (rows: LedgerRow[]) => Promise<void> | void, rows: LedgerRow[], batchRows: number): Promise<RefusedRow[]> {
  const refused: RefusedRow[] = [];
  const attempt = async (batch: LedgerRow[]): Promise<void> => {
    try {
      await insert(batch);
    } catch (error) {
      if (!(error instanceof RowsRefusedError)) throw error;
      if (batch.length === 1) {
        refused.push({ row: batch[0] as LedgerRow, reason: error.message });
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await attempt(batch.slice(0, half));
      await attempt(batch.slice(half));
    }
  };
  for (let start = 0; start < rows.length; start += batchRows) await attempt(rows.slice(start, start + batchRows));
  return refused;
}

/** Where a ledger was expected there is none (a database, file or schema without one). */
export class NotALedgerError extends Error {
  override readonly name = "NotALedgerError";
}

export interface LedgerStore {
  /** Several gateway processes may write it at once (PostgreSQL): each reloads budgets' spend from it. */
  readonly shared: boolean;
  /**
   * Creates tables and indexes if absent (or, with `mustExist`, throws NotALedgerError where there
   * is no ledger yet: a command that only reads must not make one). Idempotent. SQLite's store
   * ignores `mustExist`: its connection has refused such a file already (openSqlite).
   */
  migrate(options?: { mustExist?: boolean }): Promise<void>;
  /**
   * Inserts rows in one transaction; a row whose request_id exists is ignored (replays are safe).
   * Throws RowsRefusedError when the store refuses the rows' contents (any other error is taken
   * as the store being unavailable, and the batch is retried).
   */
  insertBatch(rows: LedgerRow[]): Promise<void>;
  /**
   * Optional: inserts the rows of a journal segment this process wrote (every line a row that
   * passed checkRow), reading the file itself. A store that can do this off
   * the event loop spares the writer from keeping rows in memory and passing them over.
   * Rows go in transactions of at most `batchRows`; a batch refused for its contents is halved
   * until the refused rows are alone (insertSettingAside). Returns how many lines could not be read
   * as rows, and the refused rows with their reasons.
   */
  insertJournalSegment?(path: string, batchRows: number): Promise<SegmentInsert>;
  spend(query: SpendQuery): Promise<SpendGroup[]>;
  /**
   * What each key's requests since `from` (ms) count against its budget, exactly, in one query:
   * each row's cost, or its upper bound where the cost is inexact and one is known
   * (cost_usd_upper: cache writes of unknown TTL, at the 1-hour rate). Every key asked for is in
   * the answer ("0" if unused).
   */
  keysSpend(keyIds: string[], from: number): Promise<Map<string, string>>;
  /** Most recent rows first. */
  recent(limit: number, filter?: { key_id?: string; status?: number }): Promise<LedgerRow[]>;
  get(requestId: string): Promise<LedgerRow | undefined>;
  count(): Promise<number>;
  close(): Promise<void>;
}

/** Exact spend of one key since `from` (ms). */
export async function keySpend(store: Pick<LedgerStore, "keysSpend">, keyId: string, from: number): Promise<string> {
  return (await store.keysSpend([keyId], from)).get(keyId) ?? "0";
}

/** A virtual API key. The secret is shown once at creation; only its hash is stored. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  /** First characters of the secret, for people to recognise it ("sk-sy-AbC1…"). */
  prefix: string;
  /** Hex SHA-256 of the secret. */
  hash: string;
  /** Requested model names this key may use; empty = any. */
  allowed_models: string[];
  tags: Record<string, string>;
  /** Monthly budget in USD (exact decimal string); null = none. */
  monthly_budget_usd: string | null;
  created_at: number;
  revoked_at: number | null;
}

export interface KeyStore {
  migrate(): Promise<void>;
  create(key: ApiKeyRecord): Promise<void>;
  list(): Promise<ApiKeyRecord[]>;
  /** By id or name; returns whether a key was revoked. */
  revoke(idOrName: string, at: number): Promise<boolean>;
  /** A number that changes whenever keys change, so a gateway can refresh its cache cheaply. */
  version(): Promise<number>;
}

/**
 * What the gateway calls on its hot path. `record` must return quickly (no database round trip),
 * yet a row it has accepted survives a kill -9 of the process: see ledger/writer.ts.
 */
export interface LedgerWriter {
  /** Accepts a row (durably, once this returns) and gives its number in this writer: 1, 2, … */
  record(row: LedgerRow): number;
  /**
   * How many of this writer's rows the store holds. Rows reach the store in the order they were
   * recorded, so row n (record's answer) is stored once this is ≥ n. Budgets use it to tell their
   * own spend that a store query already counts from spend that is still on its way.
   */
  storedRows(): number;
  /** Writes everything accepted so far to the store. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
