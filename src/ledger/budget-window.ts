/**
 * The window a monthly key budget counts: the UTC calendar month containing `at`.
 * UTC, so every replica (and the spend report) agrees on when a budget resets.
 */
export interface BudgetWindow {
  /** First millisecond of the month, inclusive: pass to keySpend / LedgerStore.keysSpend. */
  from: number;
  /** First millisecond of the next month: when the budget resets. */
  resets_at: number;
}

export function monthWindow(at: number): BudgetWindow {
  const date = new Date(at);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return { from: Date.UTC(year, month, 1), resets_at: Date.UTC(year, month + 1, 1) };
}
