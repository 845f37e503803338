/**
 * The traffic shape: how a month's requests spread over the hours of a day and the days of a week.
 *
 * A month is 730 hours (the convention AWS uses for hourly commitments: 8,760 / 12), so a week
 * is 168 of them and a month has 730/168 weeks. Within an hour the arrivals are taken as a
 * Poisson stream at that hour's mean rate; peaks shorter than an hour are not modelled.
 */
import type { ArrivalProfile } from "./workload.js";
import { Rational, sumRationals } from "./rational.js";

export const HOURS_PER_MONTH = 730;
const HOURS_PER_WEEK = 168;

/** Days per month with traffic: 730/24 days x active days per week / 7. */
export function activeDaysPerMonth(profile: ArrivalProfile): Rational {
  return Rational.of(HOURS_PER_MONTH * profile.daysPerWeek, 24 * 7);
}

export function weightShares(profile: ArrivalProfile): Rational[] {
  const weights = profile.weights.map((weight) => Rational.fromDecimal(weight));
  const total = sumRationals(weights);
  return weights.map((weight) => weight.div(total));
}

/** Requests per month that arrive in each hour-of-day bucket (summed over the active days). */
export function requestsByHour(requestsPerMonth: bigint, profile: ArrivalProfile): Rational[] {
  return weightShares(profile).map((share) => share.mul(requestsPerMonth));
}

/** Mean arrivals per minute during hour `h` of an active day. */
export function ratesPerMinute(requestsPerMonth: bigint, profile: ArrivalProfile): Rational[] {
  const minutes = activeDaysPerMonth(profile).mul(60);
  return requestsByHour(requestsPerMonth, profile).map((requests) => requests.div(minutes));
}

/** Mean arrivals per hour during hour `h` of an active day. */
export function ratesPerHour(requestsPerMonth: bigint, profile: ArrivalProfile): Rational[] {
  const days = activeDaysPerMonth(profile);
  return requestsByHour(requestsPerMonth, profile).map((requests) => requests.div(days));
}

export interface ColdStarts {
  /** Times per month that traffic resumes after a quiet stretch of an hour or more. */
  perMonth: Rational;
  /** The hour bucket in which it resumes. */
  hour: number;
}

/**
 * Where traffic resumes after an idle stretch (an hour with weight 0, or the days off in the
 * week). The first request after it always misses the cache, whatever the TTL, because the gap
 * is at least an hour.
 */
export function coldStarts(profile: ArrivalProfile): ColdStarts[] {
  const idle = profile.weights.map((weight) => weight.isZero());
  const days = activeDaysPerMonth(profile);
  const starts: ColdStarts[] = [];
  for (let hour = 0; hour < 24; hour += 1) {
    if (!idle[hour] && idle[(hour + 23) % 24]) starts.push({ perMonth: days, hour });
  }
  if (starts.length === 0 && profile.daysPerWeek < 7) {
    // Busy around the clock on active days, idle on the days off: one restart per week.
    const first = idle.findIndex((isIdle) => !isIdle);
    starts.push({ perMonth: Rational.of(HOURS_PER_MONTH, HOURS_PER_WEEK), hour: first });
  }
  return starts;
}
