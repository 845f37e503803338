/**
 * "What would this traffic have cost on deployment D?" from two spend reports: a request served by D
 * counts its actual cost, a request D could have served counts its shadow cost on D. A request whose
 * model D does not offer counts on neither, so compare like for like by grouping on requested_model.
 */
import type { SpendGroup } from "./ledger.js";
import { UsdSum } from "./exact-sum.js";
import type { GroupField } from "./spend-groups.js";

/**
 * @param groups the report grouped by `fields`
 * @param byDeployment the same query grouped by `fields` plus "deployment"
 * @returns for each group, in order, the cost on each deployment (sorted by name)
 */
export function costOnEachDeployment(fields: GroupField[], groups: SpendGroup[], byDeployment: SpendGroup[]): Record<string, string>[] {
  const identity = (group: SpendGroup) => JSON.stringify(fields.map((field) => group.group[field] ?? null));
  const served = new Map<string, SpendGroup[]>();
  for (const row of byDeployment) {
    const key = identity(row);
    served.set(key, [...(served.get(key) ?? []), row]);
  }
  return groups.map((group) => {
    const sums = new Map<string, UsdSum>();
    const add = (deployment: string, amount: string) => sums.set(deployment, (sums.get(deployment) ?? new UsdSum()).add(amount));
    for (const row of served.get(identity(group)) ?? []) {
      const deployment = row.group.deployment;
      if (deployment !== null && deployment !== undefined) add(deployment, row.cost_usd);
    }
    for (const [deployment, amount] of Object.entries(group.shadow_costs)) add(deployment, amount);
    return Object.fromEntries([...sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([deployment, sum]) => [deployment, sum.toString()]));
  });
}

/** Adds per-deployment costs across groups. */
export function sumDeploymentCosts(perGroup: Record<string, string>[]): Record<string, string> {
  const sums = new Map<string, UsdSum>();
  for (const costs of perGroup) {
    for (const [deployment, amount] of Object.entries(costs)) sums.set(deployment, (sums.get(deployment) ?? new UsdSum()).add(amount));
  }
  return Object.fromEntries([...sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([deployment, sum]) => [deployment, sum.toString()]));
}
