/**
 * e^(-x) for the cache model's Poisson miss probability. It is a probability, not money, so it
 * is computed at a stated precision: the result is rounded half-even to PROBABILITY_PLACES
 * decimal places. docs/PLANNER.md ("Rounding") says why that cannot move a whole request.
 */
import { Decimal } from "../pricing/decimal.js";
import { Rational } from "./rational.js";

export const PROBABILITY_PLACES = 20;
const GUARD_DIGITS = 15;

/** e^(-x) for x >= 0, rounded half-even to PROBABILITY_PLACES places. */
export function expNegative(x: Rational): Decimal {
  if (x.compare(Rational.ZERO) < 0) throw new RangeError("expNegative takes x >= 0");
  // Beyond ~ places * ln(10) the result rounds to zero; stop before the series gets long.
  if (x.compare(Rational.of(PROBABILITY_PLACES * 3 + 10)) > 0) return Decimal.ZERO;
  const working = PROBABILITY_PLACES + GUARD_DIGITS;
  const one = 10n ** BigInt(working);
  // Halve x until it is at most 1/2 so that the series converges fast, then square back.
  let halvings = 0;
  let reduced = x;
  while (reduced.compare(Rational.of(1n, 2n)) > 0) {
    reduced = reduced.div(2n);
    halvings += 1;
  }
  const y = reduced.mul(one).roundHalfEven(); // y as a fixed-point integer at `working` digits
  let term = one;
  let sum = one;
  for (let n = 1n; term !== 0n; n += 1n) {
    term = -divideRounded(term * y, one * n);
    sum += term;
  }
  for (let i = 0; i < halvings; i += 1) sum = divideRounded(sum * sum, one);
  return Decimal.fromBigInt(sum, working).round(PROBABILITY_PLACES);
}

/** numerator / denominator rounded half-even, for positive denominators (plain BigInt, no fractions kept). */
function divideRounded(numerator: bigint, denominator: bigint): bigint {
  let quotient = numerator / denominator;
  let remainder = numerator % denominator;
  if (remainder < 0n) {
    quotient -= 1n;
    remainder += denominator;
  }
  const twice = 2n * remainder;
  return twice > denominator || (twice === denominator && quotient % 2n !== 0n) ? quotient + 1n : quotient;
}
