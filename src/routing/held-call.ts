/**
 * What one call can cost at most, for a key's budget hold: its input billed the dearest way the
 * call can bill it, and the rest of its usage. A call that writes a cache at a TTL bills its input
 * as a write at that TTL, or a 5-minute write, or plain input: the first of these the block has a
 * price for (Sonnet 4 on Bedrock has no 1-hour rate and bills the breakpoint as a 5-minute write).
 * A call that writes no cache bills it as plain input.
 */
import type { Offering, PriceBlock } from "../catalog/model.js";
import { priceRequest, PricingError } from "../pricing/price-request.js";
import type { Usage } from "../pricing/usage.js";
import type { CacheTtl } from "./cache-prefixes.js";

/** The call's price with `input` tokens billed as above; undefined when the block prices none of the ways. */
export function heldCall(offering: Offering, block: PriceBlock, input: number, ttl: CacheTtl | undefined, rest: Usage): bigint | undefined {
  const cached = ttl !== undefined && block.standard.cacheWrite5m !== undefined;
  const inputs: Usage[] = !cached ? [{ input }] : [...(ttl === "1h" ? [{ cacheWrite1h: input }] : []), { cacheWrite5m: input }, { input }];
  for (const billed of inputs) {
    try {
      return priceRequest(offering, block, { ...rest, ...billed }).total;
    } catch (error) {
      if (!(error instanceof PricingError)) throw error;
    }
  }
  return undefined;
}
