/** Spend groups for pages under test: what a fake ledger's spend() hands them. */
import type { SpendGroup } from "../../src/ledger/ledger.js";
import { emptySpendGroup } from "../../src/ledger/roll-up.js";

/** A group with these values: one request, nothing spent, no tokens, unless `fields` says otherwise. */
export function spendGroup(group: Record<string, string | null>, fields: Partial<SpendGroup> = {}): SpendGroup {
  return { ...emptySpendGroup(group), requests: 1, ...fields };
}
