/**
 * Monthly budgets per key, checked before any upstream call. Spend per key and calendar month
 * (UTC) is kept exact in memory, loaded from the ledger the first time a key is seen this month
 * and increased as requests are recorded.
 */
import { monthWindow } from "../ledger/budget-window.js";
import type { ApiKeyRecord, LedgerStore } from "../ledger/ledger.js";
import { formatUsd, parseUsd, type Money } from "../pricing/money.js";
import { GatewayError } from "./errors.js";

const monthStart = (now: number): number => monthWindow(now).from;

export class BudgetTracker {
  /** key id -> {month start, spend} */
  private readonly spend = new Map<string, { month: number; amount: Money }>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(private readonly store: LedgerStore) {}

  /** Loads a key's spend this month from the ledger, once at a time per key. */
  private load(keyId: string, month: number): Promise<void> {
    let pending = this.loading.get(keyId);
    if (!pending) {
      pending = this.store.keySpend(keyId, month).then((text) => {
        this.spend.set(keyId, { month, amount: parseUsd(text) });
      });
      this.loading.set(keyId, pending);
      void pending.finally(() => this.loading.delete(keyId)).catch(() => undefined);
    }
    return pending;
  }

  /**
   * Throws a budget_exceeded error (429) when the key has spent its monthly budget. Synchronous
   * (returns undefined) when the key has no budget or its spend this month is already known, which
   * is every request but a key's first of the month; otherwise a promise that loads it first.
   */
  check(key: ApiKeyRecord, now: number): Promise<void> | undefined {
    if (key.monthly_budget_usd === null) return undefined;
    const month = monthStart(now);
    const current = this.spend.get(key.id);
    if (current && current.month === month) return this.enforce(key, current.amount, now);
    return this.load(key.id, month).then(() => this.enforce(key, (this.spend.get(key.id) as { amount: Money }).amount, now));
  }

  private enforce(key: ApiKeyRecord, amount: Money, now: number): undefined {
    const budget = parseUsd(key.monthly_budget_usd as string);
    if (amount >= budget) {
      const resets = monthWindow(now).resets_at;
      throw new GatewayError(
        "budget_exceeded",
        `key "${key.name}" has spent $${formatUsd(amount)} of its $${key.monthly_budget_usd} monthly budget; ` +
          `the budget resets at ${new Date(resets).toISOString()}`,
        { "retry-after": String(Math.ceil((resets - now) / 1000)), "x-should-retry": "false" },
      );
    }
    return undefined;
  }

  /** Adds a recorded request's cost. */
  add(keyId: string, at: number, cost: Money): void {
    const current = this.spend.get(keyId);
    if (current && current.month === monthStart(at)) current.amount += cost;
  }

  /** Exact spend this month, for headers and the dashboard; undefined if not loaded yet. */
  spent(keyId: string, now: number): Money | undefined {
    const current = this.spend.get(keyId);
    return current && current.month === monthStart(now) ? current.amount : undefined;
  }
}
