/**
 * What caching saved and what batch would save, per deployment, from spend grouped by
 * (day, deployment): the token sums are priced with the engine at each day's price block.
 *
 * - Caching saved: the cache-read tokens priced as uncached input, minus what they cost as reads.
 *   The write premium (writes cost more than plain input) is shown beside it, at the 5-minute rate.
 *   The engine prices one token of each class (an exact per-token rate in attodollars) and the sum
 *   multiplies it: pricing the day's summed tokens as one request would wrongly cross the
 *   long-context threshold. So these use the standard tier's rates.
 * - Batch: the deployment's actual cost times its batch multiplier (Batch API: every token class at
 *   the multiplier). Web-search fees are not discounted by batch but sit inside the cost.
 */
import { blockInForce } from "../catalog/model.js";
import type { Deployment } from "../config/load-gateway-config.js";
import type { SpendGroup } from "../ledger/ledger.js";
import { Decimal } from "../pricing/decimal.js";
import { moneyToDecimal, type Money } from "../pricing/money.js";
import { priceRequest, PricingError } from "../pricing/price-request.js";
import type { Usage } from "../pricing/usage.js";
import { moneyOf } from "./format.js";

export interface CacheSaving {
  deployment: string;
  readTokens: number;
  /** The reads at the read rate (what they cost). */
  readCost: Money;
  /** The same tokens at the uncached input rate. */
  readAtInputRate: Money;
  saved: Money;
  writeTokens: number;
  /** Writes at the 5-minute write rate minus the same tokens at the input rate. */
  writePremium: Money;
  net: Money;
  /** Days whose tokens could not be priced (deployment gone from the config, no price that day). */
  unpricedDays: string[];
}

export interface BatchSaving {
  deployment: string;
  cost: Money;
  /** Undefined when the deployment offers no batch. */
  batchCost: Decimal | undefined;
  multiplier: Decimal | undefined;
}

function blockOn(deployment: Deployment, day: string) {
  return blockInForce(deployment.offering, day);
}

/** Exact attodollars for one token of a class on a deployment that day (undefined if not offered). */
function perToken(deployment: Deployment, day: string, usage: Usage): Money | undefined {
  const block = blockOn(deployment, day);
  if (!block) return undefined;
  try {
    return priceRequest(deployment.offering, block, { input: 0, output: 0, ...usage }).total;
  } catch (error) {
    if (error instanceof PricingError) return undefined;
    throw error;
  }
}

/** @param daily spend grouped by ["day", "deployment"] */
export function cacheSavings(deployments: ReadonlyMap<string, Deployment>, daily: SpendGroup[]): CacheSaving[] {
  const byDeployment = new Map<string, CacheSaving>();
  for (const group of daily) {
    const id = group.group.deployment;
    const day = group.group.day;
    if (!id || !day || (group.cache_read_tokens === 0 && group.cache_write_tokens === 0)) continue;
    let entry = byDeployment.get(id);
    if (!entry) {
      entry = { deployment: id, readTokens: 0, readCost: 0n, readAtInputRate: 0n, saved: 0n, writeTokens: 0, writePremium: 0n, net: 0n, unpricedDays: [] };
      byDeployment.set(id, entry);
    }
    const deployment = deployments.get(id);
    const input = deployment && perToken(deployment, day, { input: 1 });
    const read = deployment && perToken(deployment, day, { cacheRead: 1 });
    const write = deployment && perToken(deployment, day, { cacheWrite5m: 1 });
    if (input === undefined || (group.cache_read_tokens > 0 && read === undefined) || (group.cache_write_tokens > 0 && write === undefined)) {
      entry.unpricedDays.push(day);
      continue;
    }
    const reads = BigInt(group.cache_read_tokens);
    const writes = BigInt(group.cache_write_tokens);
    entry.readTokens += group.cache_read_tokens;
    entry.writeTokens += group.cache_write_tokens;
    entry.readCost += reads * (read ?? 0n);
    entry.readAtInputRate += reads * input;
    entry.writePremium += writes * ((write ?? input) - input);
  }
  const result = [...byDeployment.values()];
  for (const entry of result) {
    entry.saved = entry.readAtInputRate - entry.readCost;
    entry.net = entry.saved - entry.writePremium;
  }
  return result.sort((a, b) => (a.saved === b.saved ? (a.deployment < b.deployment ? -1 : 1) : a.saved > b.saved ? -1 : 1));
}

/** @param daily spend grouped by ["day", "deployment"] */
export function batchSavings(deployments: ReadonlyMap<string, Deployment>, daily: SpendGroup[]): BatchSaving[] {
  const byDeployment = new Map<string, BatchSaving>();
  for (const group of daily) {
    const id = group.group.deployment;
    const day = group.group.day;
    if (!id || !day) continue;
    const deployment = deployments.get(id);
    const multiplier = deployment ? blockOn(deployment, day)?.batchMultiplier : undefined;
    let entry = byDeployment.get(id);
    if (!entry) {
      entry = { deployment: id, cost: 0n, batchCost: Decimal.ZERO, multiplier };
      byDeployment.set(id, entry);
    }
    const cost = moneyOf(group.cost_usd);
    entry.cost += cost;
    if (multiplier === undefined || entry.batchCost === undefined) {
      entry.batchCost = undefined;
    } else {
      entry.batchCost = entry.batchCost.add(moneyToDecimal(cost).mul(multiplier));
      if (entry.multiplier !== undefined && !entry.multiplier.equals(multiplier)) entry.multiplier = undefined;
    }
  }
  return [...byDeployment.values()].filter((entry) => entry.cost > 0n).sort((a, b) => (a.cost === b.cost ? 0 : a.cost > b.cost ? -1 : 1));
}
