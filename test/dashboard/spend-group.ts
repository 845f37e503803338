/** Spend groups for pages under test: what a fake ledger's spend() hands them. */
import type { SpendGroup } from "../../src/ledger/ledger.js";

/** A group with these values: one request, nothing spent, no tokens, unless `fields` says otherwise. */
export function spendGroup(group: Record<string, string | null>, fields: Partial<SpendGroup> = {}): SpendGroup {
  return {
    group,
    requests: 1,
    errors: 0,
    cost_usd: "0",
    charged_usd: "0",
    inexact_requests: 0,
    unpriced_requests: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_write_tokens: 0,
    cache_read_tokens: 0,
    shadow_costs: {},
    shadow_requests: {},
    ...fields,
  };
}
