/**
 * "What would this traffic have cost on deployment D?" from two spend reports: a request served by D
 * counts its actual cost, a request D could have served counts its shadow cost on D. A request whose
 * model D does not offer counts on neither, so compare like for like by grouping on requested_model.
 */
import type { SpendGroup } from "./ledger.js";
import { UsdSum } from "./exact-sum.js";
import { rollUp, servedByADeployment } from "./roll-up.js";
import type { GroupField } from "./spend-groups.js";

const identityOn = (fields: GroupField[]) => (group: SpendGroup) => JSON.stringify(fields.map((field) => group.group[field] ?? null));
const byName = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : 1);

/**
 * @param groups the report grouped by `fields`
 * @param byDeployment the same query grouped by `fields` plus "deployment"
 * @returns for each group, in order, the cost on each deployment (sorted by name)
 */
export function costOnEachDeployment(fields: GroupField[], groups: SpendGroup[], byDeployment: SpendGroup[]): Record<string, string>[] {
  const identity = identityOn(fields);
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
    return Object.fromEntries([...sums.entries()].sort(byName).map(([deployment, sum]) => [deployment, sum.toString()]));
  });
}

/**
 * Which of those figures are partial: for each group, each deployment that has a figure but could not
 * price some of the requests it counts (no shadow cost there: no price for something they used), with
 * how many; a deployment left out has a complete figure. Only the priced requests some deployment
 * served are counted, as in the costs. "Could not price" means something only within one requested
 * model (a group by day mixes models, each with its own deployments), so it is counted model by model,
 * among the models the deployment has a figure for, and added up per group.
 *
 * @param groups the report grouped by `fields`
 * @param rows the same query grouped by `fields` plus "requested_model" and "deployment" (finer is fine)
 * @returns for each group, in order, the requests each partial deployment could not price (sorted by name)
 */
export function unpricedOnEachDeployment(fields: GroupField[], groups: SpendGroup[], rows: SpendGroup[]): Record<string, number>[] {
  const modelFields: GroupField[] = fields.includes("requested_model") ? fields : [...fields, "requested_model"];
  const { served } = servedByADeployment(rows);
  const byModel = rollUp(served, modelFields);
  const byModelAndDeployment = rollUp(served, [...modelFields, "deployment"]);
  const priced = (group: SpendGroup) => group.requests - group.unpriced_requests;
  const pricedThere = new Map<string, Map<string, number>>();
  const modelIdentity = identityOn(modelFields);
  for (const row of byModelAndDeployment) {
    const there = pricedThere.get(modelIdentity(row)) ?? new Map<string, number>();
    there.set(row.group.deployment as string, priced(row));
    pricedThere.set(modelIdentity(row), there);
  }
  const identity = identityOn(fields);
  const unpriced = new Map<string, Map<string, number>>();
  for (const model of byModel) {
    const there = pricedThere.get(modelIdentity(model)) ?? new Map<string, number>();
    const counts = unpriced.get(identity(model)) ?? new Map<string, number>();
    for (const deployment of new Set([...there.keys(), ...Object.keys(model.shadow_costs)])) {
      const unknown = priced(model) - (there.get(deployment) ?? 0) - (model.shadow_requests[deployment] ?? 0);
      if (unknown > 0) counts.set(deployment, (counts.get(deployment) ?? 0) + unknown);
    }
    unpriced.set(identity(model), counts);
  }
  return groups.map((group) => Object.fromEntries([...(unpriced.get(identity(group)) ?? new Map<string, number>()).entries()].sort(byName)));
}

/** Of the requests each deployment served in a group: how many, and how many could not be priced (cost_usd null). */
export interface ServedOnDeployments {
  requests: Record<string, number>;
  unpriced: Record<string, number>;
}

/**
 * For each group, the requests each deployment served and those of them it could not price: the
 * deployment's cost_on_each_deployment leaves those out (as cost_usd does), so it is a lower bound.
 *
 * @param byDeployment the report grouped by `fields` plus "deployment"
 */
export function servedOnEachDeployment(fields: GroupField[], groups: SpendGroup[], byDeployment: SpendGroup[]): ServedOnDeployments[] {
  const identity = identityOn(fields);
  const served = new Map<string, ServedOnDeployments>();
  for (const row of [...byDeployment].sort((a, b) => ((a.group.deployment ?? "") < (b.group.deployment ?? "") ? -1 : 1))) {
    const deployment = row.group.deployment;
    if (deployment === null || deployment === undefined) continue;
    const entry = served.get(identity(row)) ?? { requests: {}, unpriced: {} };
    entry.requests[deployment] = row.requests;
    if (row.unpriced_requests > 0) entry.unpriced[deployment] = row.unpriced_requests;
    served.set(identity(row), entry);
  }
  return groups.map((group) => served.get(identity(group)) ?? { requests: {}, unpriced: {} });
}
