/** Spend reports and keys' budget spend in SQLite SQL: counts with SUM, money with the exact decimal_sum aggregate. */
import type { SpendGroup, SpendQuery } from "../ledger.js";
import { assembleGroups, checkSpendQuery, SHADOW_OF_PRICED, type GroupField, type ShadowRow, type TotalsRow } from "../spend-groups.js";
import type { SqliteDatabase } from "./connection.js";

const GROUP_EXPRESSIONS: Record<GroupField, string> = {
  day: "strftime('%Y-%m-%d', r.created_at / 1000, 'unixepoch')",
  key: "r.key_id",
  model: "r.model",
  requested_model: "r.requested_model",
  provider: "r.provider",
  deployment: "r.deployment",
  // json_each rather than json_extract: any tag key works, with no JSON-path quoting to get wrong.
  tag: "(SELECT value FROM json_each(r.tags) WHERE key = @tag_key)",
};

type Parameters = Record<string, string | number>;

/** The FROM clause (with `extraJoin`) and WHERE clause (with `extraCondition`) of both queries. */
function fromClause(fields: GroupField[], query: SpendQuery, extraJoin = "", extraCondition?: string): { sql: string; parameters: Parameters } {
  const parameters: Parameters = {};
  const conditions: string[] = extraCondition ? [extraCondition] : [];
  if (query.from !== undefined) {
    conditions.push("r.created_at >= @from");
    parameters.from = query.from;
  }
  if (query.to !== undefined) {
    conditions.push("r.created_at < @to");
    parameters.to = query.to;
  }
  if (query.key_id !== undefined) {
    conditions.push("r.key_id = @key_id");
    parameters.key_id = query.key_id;
  }
  if (fields.includes("tag")) parameters.tag_key = query.tag_key ?? "";
  const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  return { sql: `FROM ledger_rows r ${extraJoin} ${where}`, parameters };
}

/**
 * Both queries run in one read transaction: in WAL mode it reads one snapshot, so the shadow costs
 * are of the same requests as the totals while the insert thread keeps committing.
 */
export function spend(database: SqliteDatabase, query: SpendQuery): SpendGroup[] {
  return database.transaction(() => spendIn(database, query))();
}

function spendIn(database: SqliteDatabase, query: SpendQuery): SpendGroup[] {
  const fields = checkSpendQuery(query);
  const { sql: from, parameters } = fromClause(fields, query);
  const groupColumns = fields.map((field, index) => `${GROUP_EXPRESSIONS[field]} AS g${index}`);
  const groupBy = fields.length > 0 ? `GROUP BY ${fields.map((_, index) => `g${index}`).join(", ")}` : "";
  const width = fields.length;

  const totals = database
    .prepare(
      `SELECT ${[...groupColumns,
        "count(*)",
        "coalesce(sum(CASE WHEN r.status >= 400 OR r.error_type IS NOT NULL THEN 1 ELSE 0 END), 0)",
        "decimal_sum(r.cost_usd)",
        "coalesce(sum(CASE WHEN r.cost_exact = 1 THEN 0 ELSE 1 END), 0)",
        "coalesce(sum(r.input_tokens), 0)",
        "coalesce(sum(r.output_tokens), 0)",
        "coalesce(sum(coalesce(r.cache_write_5m_tokens, 0) + coalesce(r.cache_write_1h_tokens, 0) + coalesce(r.cache_write_unsplit_tokens, 0)), 0)",
        "coalesce(sum(r.cache_read_tokens), 0)",
        "coalesce(sum(CASE WHEN r.cost_usd IS NULL THEN 1 ELSE 0 END), 0)",
        "decimal_sum(coalesce(r.cost_usd_upper, r.cost_usd))",
      ].join(", ")} ${from} ${groupBy}`,
    )
    .raw(true)
    .all(parameters) as unknown[][];

  // One row per (group, deployment) from the JSON object of each request's shadow costs: of the
  // requests cost_usd sums (SHADOW_OF_PRICED), so that the two compare like for like.
  const shadowFrom = fromClause(fields, query, "JOIN json_each(r.shadow_costs) s", SHADOW_OF_PRICED).sql;
  const shadows = database
    .prepare(
      `SELECT ${[...groupColumns, "s.key", "decimal_sum(s.value)", "count(*)"].join(", ")} ${shadowFrom} ` +
        `GROUP BY ${[...fields.map((_, index) => `g${index}`), "s.key"].join(", ")}`,
    )
    .raw(true)
    .all(parameters) as unknown[][];

  const totalsRows: TotalsRow[] = totals
    .filter((row) => Number(row[width]) > 0)
    .map((row) => ({
      values: row.slice(0, width) as (string | null)[],
      requests: Number(row[width]),
      errors: Number(row[width + 1]),
      cost_usd: String(row[width + 2]),
      inexact_requests: Number(row[width + 3]),
      input_tokens: Number(row[width + 4]),
      output_tokens: Number(row[width + 5]),
      cache_write_tokens: Number(row[width + 6]),
      cache_read_tokens: Number(row[width + 7]),
      unpriced_requests: Number(row[width + 8]),
      charged_usd: String(row[width + 9]),
    }));
  const shadowRows: ShadowRow[] = shadows.map((row) => ({
    values: row.slice(0, width) as (string | null)[],
    deployment: String(row[width]),
    cost_usd: String(row[width + 1]),
    requests: Number(row[width + 2]),
  }));
  return assembleGroups(fields, totalsRows, shadowRows);
}

/** LedgerStore.keysSpend's query: what each key's rows since `from` count against its budget (keys without rows are absent). */
export function keysSpend(database: SqliteDatabase, keyIds: string[], from: number): Map<string, string> {
  const rows = database
    .prepare("SELECT key_id, decimal_sum(coalesce(cost_usd_upper, cost_usd)) AS total FROM ledger_rows WHERE key_id IN (SELECT value FROM json_each(?)) AND created_at >= ? GROUP BY key_id")
    .all(JSON.stringify(keyIds), from) as { key_id: string; total: string }[];
  return new Map(rows.map((row) => [row.key_id, row.total]));
}
