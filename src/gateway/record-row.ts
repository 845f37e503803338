import type { LedgerRow } from "../ledger/ledger.js";
import type { Outcome, PricedRow } from "./ledger-row.js";
import type { GatewayState } from "./state.js";

/**
 * Records a request's row, built and priced from its outcome (buildLedgerRow), and adds what it
 * charges (its cost, or the upper bound of an inexact one: budgets err towards refusing) to its
 * key's month, counted against the budget even when the row could not be recorded. Returns the row.
 */
export function recordPriced(state: GatewayState, outcome: Outcome, { row, charged, stored }: PricedRow): LedgerRow {
  const recorded = recordRow(state, row);
  if (outcome.key && charged > 0n) {
    const key = outcome.key.id;
    if (stored > 0n) state.budgets.add(key, outcome.startedAt, stored, recorded);
    // What no sum of the ledger can give (an unpriced row's hold, a bound the row cannot state) is
    // kept for the month, as a lost row's cost is.
    if (charged > stored) state.budgets.add(key, outcome.startedAt, charged - stored, undefined);
  }
  return row;
}

/**
 * Records a request's row and returns its number (undefined if it could not). A ledger that cannot
 * take the row (the journal's disk is full) must neither take the gateway down nor keep an answer
 * the upstream has already been paid for from its client, whose retries would only pay again: the
 * answer goes out, the budget still counts its cost, and the loss is reported (state.lostRows).
 */
export function recordRow(state: GatewayState, row: LedgerRow): number | undefined {
  try {
    return state.ledger.record(row);
  } catch (error) {
    state.lostRows.note(row.request_id, error);
    return undefined;
  }
}
