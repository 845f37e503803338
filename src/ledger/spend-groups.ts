/**
 * The part of a spend report both stores share: checking the query, and turning the rows their SQL
 * returns into SpendGroups in one order. The SQL differs per database (sqlite/spend.ts,
 * postgres/spend.ts); what a group means must not.
 */
import type { SpendGroup, SpendQuery } from "./ledger.js";
import { attodollarsFromText, canonicalUsd } from "./exact-sum.js";

export type GroupField = SpendQuery["group_by"][number];
export const GROUP_FIELDS: readonly GroupField[] = ["day", "key", "model", "requested_model", "provider", "deployment", "tag"];

/**
 * Which rows' shadow costs a report sums, in both stores' SQL: those whose own cost is known, the
 * requests cost_usd sums. A request the gateway could not price (cost_usd null) may still have
 * shadow costs on the other deployments; counted there and not in the actual cost, it made every
 * other deployment look dearer than the one that served it.
 */
export const SHADOW_OF_PRICED = "r.cost_usd IS NOT NULL";

export class SpendQueryError extends Error {
  override readonly name = "SpendQueryError";
}

/** The group fields in order, once each; "tag" requires a tag key. */
export function checkSpendQuery(query: SpendQuery): GroupField[] {
  const fields: GroupField[] = [];
  for (const field of query.group_by) {
    if (!GROUP_FIELDS.includes(field)) throw new SpendQueryError(`cannot group spend by ${JSON.stringify(field)}`);
    if (!fields.includes(field)) fields.push(field);
  }
  if (fields.includes("tag") && !query.tag_key) throw new SpendQueryError('grouping by "tag" needs a tag_key (e.g. "team")');
  return fields;
}

/** One aggregated row as a store's SQL returns it: group values in the order of the fields. */
export interface TotalsRow {
  values: (string | null)[];
  requests: number;
  errors: number;
  /** Exact decimal text (any number of trailing zeros). */
  cost_usd: string;
  /** What counts against budgets: each request's cost_usd_upper where it has one, else its cost_usd. */
  charged_usd: string;
  inexact_requests: number;
  unpriced_requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_write_tokens: number;
  cache_read_tokens: number;
}

export interface ShadowRow {
  values: (string | null)[];
  deployment: string;
  cost_usd: string;
  /** How many requests have a shadow cost on `deployment`. */
  requests: number;
}

const identity = (values: (string | null)[]) => JSON.stringify(values);

export function assembleGroups(fields: GroupField[], totals: TotalsRow[], shadows: ShadowRow[]): SpendGroup[] {
  const byIdentity = new Map<string, SpendGroup>();
  for (const row of totals) {
    const group: Record<string, string | null> = {};
    fields.forEach((field, index) => (group[field] = row.values[index] ?? null));
    byIdentity.set(identity(row.values), {
      group,
      requests: row.requests,
      errors: row.errors,
      cost_usd: canonicalUsd(row.cost_usd),
      charged_usd: canonicalUsd(row.charged_usd),
      inexact_requests: row.inexact_requests,
      unpriced_requests: row.unpriced_requests,
      input_tokens: row.input_tokens,
      output_tokens: row.output_tokens,
      cache_write_tokens: row.cache_write_tokens,
      cache_read_tokens: row.cache_read_tokens,
      shadow_costs: {},
      shadow_requests: {},
    });
  }
  for (const shadow of shadows) {
    const group = byIdentity.get(identity(shadow.values));
    if (group) {
      group.shadow_costs[shadow.deployment] = canonicalUsd(shadow.cost_usd);
      group.shadow_requests[shadow.deployment] = shadow.requests;
    }
  }
  const groups = [...byIdentity.values()];
  for (const group of groups) {
    group.shadow_costs = Object.fromEntries(Object.entries(group.shadow_costs).sort(([a], [b]) => compareText(a, b)));
    group.shadow_requests = Object.fromEntries(Object.entries(group.shadow_requests).sort(([a], [b]) => compareText(a, b)));
  }
  return inReportOrder(fields, groups);
}

/** `groups` (by `fields`) in a report's order, as the stores give it: for groups rolled up from a finer report. */
export function inReportOrder(fields: GroupField[], groups: SpendGroup[]): SpendGroup[] {
  return [...groups].sort(spendOrder(fields, groups));
}

/**
 * The order of a report's rows: by the first field as it would be alone (days in order, anything
 * else the largest total first), then by the values of the fields in order, so that the rows of
 * one key (of --by key,model) stay together, biggest spender first, its models by name.
 */
function spendOrder(fields: GroupField[], groups: SpendGroup[]): (a: SpendGroup, b: SpendGroup) => number {
  const [first] = fields;
  if (first === undefined || first === "day") return byValues(fields);
  const totals = new Map<string | null, bigint>();
  for (const group of groups) {
    const value = group.group[first] ?? null;
    totals.set(value, (totals.get(value) ?? 0n) + attodollarsFromText(group.cost_usd));
  }
  const firstTotal = (group: SpendGroup) => totals.get(group.group[first] ?? null) ?? 0n;
  const values = byValues(fields);
  return (a, b) => {
    const left = firstTotal(a);
    const right = firstTotal(b);
    return left === right ? values(a, b) : left > right ? -1 : 1;
  };
}

function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function byValues(fields: GroupField[]) {
  return (a: SpendGroup, b: SpendGroup): number => {
    for (const field of fields) {
      const order = compareText(a.group[field] ?? null, b.group[field] ?? null);
      if (order !== 0) return order;
    }
    return 0;
  };
}
