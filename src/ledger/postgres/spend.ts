/** Spend reports in PostgreSQL SQL: NUMERIC sums are exact, so money is summed by the database. */
import type { SpendGroup, SpendQuery } from "../ledger.js";
import { assembleGroups, checkSpendQuery, SHADOW_OF_PRICED, type GroupField, type ShadowRow, type TotalsRow } from "../spend-groups.js";
import { quoteSchema, withTransaction, type PostgresPool } from "./connection.js";

const GROUP_EXPRESSIONS: Record<GroupField, string> = {
  // Integer milliseconds added to the epoch: no float rounding near midnight, and UTC like SQLite.
  day: "to_char(timestamp 'epoch' + r.created_at * interval '1 millisecond', 'YYYY-MM-DD')",
  key: "r.key_id",
  model: "r.model",
  requested_model: "r.requested_model",
  provider: "r.provider",
  deployment: "r.deployment",
  tag: "r.tags ->> $1",
};

/** The FROM and WHERE clauses of both queries (with `extraJoin` and `extraCondition`); with a tag field, $1 is the tag key. */
function fromClause(schema: string, fields: GroupField[], query: SpendQuery, extraJoin = "", extraCondition?: string): { sql: string; parameters: (string | number)[] } {
  const s = quoteSchema(schema);
  const parameters: (string | number)[] = [];
  const parameter = (value: string | number) => {
    parameters.push(value);
    return `$${parameters.length}`;
  };
  if (fields.includes("tag")) parameter(query.tag_key ?? "");
  const conditions: string[] = extraCondition ? [extraCondition] : [];
  if (query.from !== undefined) conditions.push(`r.created_at >= ${parameter(query.from)}`);
  if (query.to !== undefined) conditions.push(`r.created_at < ${parameter(query.to)}`);
  if (query.key_id !== undefined) conditions.push(`r.key_id = ${parameter(query.key_id)}`);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  return { sql: `FROM ${s}.ledger_rows r ${extraJoin} ${where}`, parameters };
}

const groupBy = (positions: number) => Array.from({ length: positions }, (_, index) => String(index + 1)).join(", ");

export async function spend(pool: PostgresPool, schema: string, query: SpendQuery): Promise<SpendGroup[]> {
  const fields = checkSpendQuery(query);
  const width = fields.length;
  const groupColumns = fields.map((field) => `${GROUP_EXPRESSIONS[field]}`);

  // Both queries read one snapshot, so the shadow costs are of the same requests as the totals
  // while rows keep arriving.
  const [totals, shadows] = await withTransaction(
    pool,
    async (client) => {
      const totalsFrom = fromClause(schema, fields, query);
      const totals = await client.query<unknown[]>({
        rowMode: "array",
        text:
          `SELECT ${[...groupColumns,
            "count(*)",
            "count(*) FILTER (WHERE r.status >= 400 OR r.error_type IS NOT NULL)",
            "COALESCE(sum(r.cost_usd), 0)::text",
            "count(*) FILTER (WHERE NOT r.cost_exact)",
            "COALESCE(sum(r.input_tokens), 0)",
            "COALESCE(sum(r.output_tokens), 0)",
            "COALESCE(sum(COALESCE(r.cache_write_5m_tokens, 0) + COALESCE(r.cache_write_1h_tokens, 0) + COALESCE(r.cache_write_unsplit_tokens, 0)), 0)",
            "COALESCE(sum(r.cache_read_tokens), 0)",
            "count(*) FILTER (WHERE r.cost_usd IS NULL)",
            "COALESCE(sum(COALESCE(r.cost_usd_upper, r.cost_usd)), 0)::text",
          ].join(", ")} ${totalsFrom.sql}` + (width > 0 ? ` GROUP BY ${groupBy(width)}` : ""),
        values: totalsFrom.parameters,
      });

      // One row per (group, deployment) from the JSONB object of each request's shadow costs: of the
      // requests cost_usd sums (SHADOW_OF_PRICED), so that the two compare like for like.
      const shadowFrom = fromClause(schema, fields, query, "CROSS JOIN LATERAL jsonb_each_text(r.shadow_costs) s", SHADOW_OF_PRICED);
      const shadows = await client.query<unknown[]>({
        rowMode: "array",
        text: `SELECT ${[...groupColumns, "s.key", "sum(s.value::numeric)::text", "count(*)"].join(", ")} ${shadowFrom.sql} GROUP BY ${groupBy(width + 1)}`,
        values: shadowFrom.parameters,
      });
      return [totals, shadows] as const;
    },
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
  );

  const totalsRows: TotalsRow[] = totals.rows
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
  const shadowRows: ShadowRow[] = shadows.rows.map((row) => ({
    values: row.slice(0, width) as (string | null)[],
    deployment: String(row[width]),
    cost_usd: String(row[width + 1]),
    requests: Number(row[width + 2]),
  }));
  return assembleGroups(fields, totalsRows, shadowRows);
}
