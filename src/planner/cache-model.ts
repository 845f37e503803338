/**
 * How many requests write the cached prefix and how many read it, for one TTL.
 *
 * An entry expires when no request reuses the prefix within the TTL; every hit refreshes it (and
 * is billed as a read). With Poisson arrivals at rate λ per prefix, a request misses exactly when
 * the gap since the previous request of that prefix exceeds the TTL: P(miss) = e^(-λ·TTL).
 * Hourly buckets each have their own λ; the first request after an idle hour (or the days off)
 * always misses. Measured hit rates (cache_hit_rate) replace the estimate.
 */
import { Decimal } from "../pricing/decimal.js";
import { coldStarts, ratesPerMinute, requestsByHour } from "./arrival.js";
import { expNegative, PROBABILITY_PLACES } from "./exponential.js";
import { Rational, sumRationals } from "./rational.js";
import type { ArrivalProfile, CacheTtl } from "./workload.js";

export const TTL_MINUTES: Record<CacheTtl, number> = { "5m": 5, "1h": 60 };

export interface CacheSplit {
  ttl: CacheTtl;
  /** Requests that write the prefix (a miss). */
  writes: bigint;
  /** Requests that read it (a hit, which also refreshes the TTL). */
  reads: bigint;
  /** reads / requests, 4 places, for reports. */
  hitRate: Decimal;
  method: "arrival" | "measured";
  /** How the figure was reached, in words a reader can check. */
  formula: string;
}

export interface CacheTraffic {
  requests: bigint;
  profile: ArrivalProfile;
  prefixVariants: number;
  measuredHitRate: Decimal | undefined;
}

/** Every offering of a segment sees the same traffic, so the split is computed once per traffic and TTL. */
const memo = new Map<string, CacheSplit>();

export function splitCacheTraffic(traffic: CacheTraffic, ttl: CacheTtl): CacheSplit {
  const key = [
    traffic.requests,
    traffic.prefixVariants,
    traffic.measuredHitRate?.toString() ?? "-",
    ttl,
    traffic.profile.daysPerWeek,
    traffic.profile.weights.map((weight) => weight.toString()).join(","),
  ].join("|");
  const known = memo.get(key);
  if (known) return known;
  const split = computeSplit(traffic, ttl);
  if (memo.size > 5000) memo.clear();
  memo.set(key, split);
  return split;
}

function computeSplit(traffic: CacheTraffic, ttl: CacheTtl): CacheSplit {
  const { requests, profile, prefixVariants, measuredHitRate } = traffic;
  if (requests === 0n) return { ttl, writes: 0n, reads: 0n, hitRate: Decimal.ZERO, method: "arrival", formula: "no requests" };
  if (measuredHitRate !== undefined) {
    const writes = Rational.fromDecimal(Decimal.ONE.sub(measuredHitRate)).mul(requests).roundHalfEven();
    return finish(ttl, requests, writes, "measured", `writes = requests x (1 - measured hit rate ${measuredHitRate.toString()}), rounded half-even`);
  }
  const variants = BigInt(prefixVariants);
  const ttlMinutes = TTL_MINUTES[ttl];
  const byHour = requestsByHour(requests, profile);
  const missByHour = ratesPerMinute(requests, profile).map((rate) =>
    Rational.fromDecimal(expNegative(rate.div(variants).mul(ttlMinutes))),
  );
  const steady = sumRationals(byHour.map((count, hour) => count.mul(missByHour[hour] as Rational)));
  // The Poisson sum already counts the restart request as a miss with probability q; it always misses.
  const restarts = sumRationals(
    coldStarts(profile).map(({ perMonth, hour }) => perMonth.mul(variants).mul(Rational.ONE.sub(missByHour[hour] as Rational))),
  );
  const expected = steady.add(restarts);
  const floor = requests < variants ? requests : variants; // each prefix is written at least once
  let writes = expected.roundHalfEven();
  if (writes < floor) writes = floor;
  if (writes > requests) writes = requests;
  return finish(
    ttl,
    requests,
    writes,
    "arrival",
    `writes = Σ over hours of requests_h x e^(-λ_h x ${ttlMinutes} min), λ_h = arrivals per minute per prefix ` +
      `(${prefixVariants} prefix${prefixVariants === 1 ? "" : "es"}), plus one miss per restart after an idle hour; ` +
      `e^(-x) to ${PROBABILITY_PLACES} places, the expected count rounded half-even to whole requests`,
  );
}

function finish(ttl: CacheTtl, requests: bigint, writes: bigint, method: CacheSplit["method"], formula: string): CacheSplit {
  const reads = requests - writes;
  return { ttl, writes, reads, hitRate: Rational.of(reads, requests).toDecimal(4), method, formula };
}
