/**
 * Coarser spend groups from finer ones, exactly: a dashboard page asks the ledger once (e.g. by day
 * and deployment) and rolls that up for its other views (by deployment alone), instead of scanning
 * the ledger again; `switchyard spend` and the pages total their groups with it. Counts add; money adds as BigInt attodollars; shadow costs and their counts add per deployment.
 */
import { attodollarsFromText, UsdSum } from "./exact-sum.js";
import type { SpendGroup } from "./ledger.js";
import type { GroupField } from "./spend-groups.js";

/** A group of no requests: nothing spent, no tokens, no shadow costs. */
export function emptySpendGroup(group: Record<string, string | null>): SpendGroup {
  return { group, requests: 0, errors: 0, cost_usd: "0", charged_usd: "0", inexact_requests: 0, unpriced_requests: 0, input_tokens: 0, output_tokens: 0, cache_write_tokens: 0, cache_read_tokens: 0, shadow_costs: {}, shadow_requests: {} };
}

/** The groups of `groups` merged on `fields`, largest cost first (ties by the group values). */
export function rollUp(groups: SpendGroup[], fields: GroupField[]): SpendGroup[] {
  const merged = new Map<string, { group: SpendGroup; cost: UsdSum; charged: UsdSum; shadows: Map<string, UsdSum>; shadowRequests: Map<string, number> }>();
  for (const source of groups) {
    const values = fields.map((field) => source.group[field] ?? null);
    const identity = JSON.stringify(values);
    let entry = merged.get(identity);
    if (!entry) {
      const group: Record<string, string | null> = {};
      fields.forEach((field, index) => (group[field] = values[index] ?? null));
      entry = {
        group: emptySpendGroup(group),
        cost: new UsdSum(),
        charged: new UsdSum(),
        shadows: new Map(),
        shadowRequests: new Map(),
      };
      merged.set(identity, entry);
    }
    const target = entry.group;
    target.requests += source.requests;
    target.errors += source.errors;
    target.inexact_requests += source.inexact_requests;
    target.unpriced_requests += source.unpriced_requests;
    target.input_tokens += source.input_tokens;
    target.output_tokens += source.output_tokens;
    target.cache_write_tokens += source.cache_write_tokens;
    target.cache_read_tokens += source.cache_read_tokens;
    entry.cost.add(source.cost_usd);
    entry.charged.add(source.charged_usd);
    for (const [deployment, amount] of Object.entries(source.shadow_costs)) {
      const sum = entry.shadows.get(deployment) ?? new UsdSum();
      entry.shadows.set(deployment, sum.add(amount));
    }
    for (const [deployment, requests] of Object.entries(source.shadow_requests)) entry.shadowRequests.set(deployment, (entry.shadowRequests.get(deployment) ?? 0) + requests);
  }
  const byName = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : 1);
  const result = [...merged.values()].map(({ group, cost, charged, shadows, shadowRequests }) => ({
    ...group,
    cost_usd: cost.toString(),
    charged_usd: charged.toString(),
    shadow_costs: Object.fromEntries([...shadows.entries()].sort(byName).map(([deployment, sum]) => [deployment, sum.toString()])),
    shadow_requests: Object.fromEntries([...shadowRequests.entries()].sort(byName)),
  }));
  // Each group's sort key computed once, not per comparison (a tag with a value per request makes
  // a hundred thousand groups).
  const keyed = result.map((group) => ({ group, cost: attodollarsFromText(group.cost_usd), text: JSON.stringify(fields.map((field) => group.group[field] ?? "")) }));
  keyed.sort((a, b) => (a.cost !== b.cost ? (a.cost > b.cost ? -1 : 1) : a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  return keyed.map(({ group }) => group);
}

/**
 * Of groups that include "deployment": those a deployment served, and how many requests none did
 * (refused for a budget or a rate limit, an unknown model, every attempt failed). Those have no
 * usage and cost 0, but count as requests: views that compare deployments leave them out.
 */
export function servedByADeployment(groups: SpendGroup[]): { served: SpendGroup[]; unserved: number } {
  const served: SpendGroup[] = [];
  let unserved = 0;
  for (const group of groups) {
    if (group.group.deployment === null || group.group.deployment === undefined) unserved += group.requests;
    else served.push(group);
  }
  return { served, unserved };
}

/** The sum of all groups, exact (each request is in exactly one group: one value per tag key). */
export function totalOf(groups: SpendGroup[]): SpendGroup {
  return rollUp(groups, [])[0] ?? emptySpendGroup({});
}
