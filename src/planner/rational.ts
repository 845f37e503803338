/**
 * Exact fractions on BigInt, for traffic shares and counts that are not decimal (1/3 of the
 * requests arrive in a bucket, 730/24 days in a month). Money never lives here for long: a
 * Rational amount becomes Money through `roundHalfEven` at the attodollar, the one documented
 * rounding (see docs/PLANNER.md, "Rounding").
 */
import { Decimal } from "../pricing/decimal.js";

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export class Rational {
  readonly numerator: bigint;
  readonly denominator: bigint;

  private constructor(numerator: bigint, denominator: bigint) {
    if (denominator === 0n) throw new RangeError("division by zero");
    const sign = denominator < 0n ? -1n : 1n;
    const divisor = denominator === 1n ? 1n : gcd(numerator, denominator) || 1n;
    this.numerator = (sign * numerator) / divisor;
    this.denominator = (sign * denominator) / divisor;
  }

  static readonly ZERO = new Rational(0n, 1n);
  static readonly ONE = new Rational(1n, 1n);

  static of(numerator: bigint | number, denominator: bigint | number = 1n): Rational {
    return new Rational(toBigInt(numerator), toBigInt(denominator));
  }

  static fromDecimal(value: Decimal): Rational {
    return new Rational(value.coefficient, 10n ** BigInt(value.scale));
  }

  add(other: Rational): Rational {
    return new Rational(this.numerator * other.denominator + other.numerator * this.denominator, this.denominator * other.denominator);
  }

  sub(other: Rational): Rational {
    return new Rational(this.numerator * other.denominator - other.numerator * this.denominator, this.denominator * other.denominator);
  }

  mul(other: Rational | bigint | number): Rational {
    const right = other instanceof Rational ? other : Rational.of(other);
    return new Rational(this.numerator * right.numerator, this.denominator * right.denominator);
  }

  div(other: Rational | bigint | number): Rational {
    const right = other instanceof Rational ? other : Rational.of(other);
    return new Rational(this.numerator * right.denominator, this.denominator * right.numerator);
  }

  compare(other: Rational): -1 | 0 | 1 {
    const left = this.numerator * other.denominator;
    const right = other.numerator * this.denominator;
    return left < right ? -1 : left > right ? 1 : 0;
  }

  isZero(): boolean {
    return this.numerator === 0n;
  }

  min(other: Rational): Rational {
    return this.compare(other) <= 0 ? this : other;
  }

  max(other: Rational): Rational {
    return this.compare(other) >= 0 ? this : other;
  }

  /** Nearest integer, ties to even: the rounding used for whole requests, tokens and attodollars. */
  roundHalfEven(): bigint {
    const quotient = floorDiv(this.numerator, this.denominator);
    const remainder = this.numerator - quotient * this.denominator;
    const twice = 2n * remainder;
    if (twice > this.denominator || (twice === this.denominator && quotient % 2n !== 0n)) return quotient + 1n;
    return quotient;
  }

  floor(): bigint {
    return floorDiv(this.numerator, this.denominator);
  }

  ceil(): bigint {
    return -floorDiv(-this.numerator, this.denominator);
  }

  /** Decimal with `places` digits after the point, half-even (display and probabilities only). */
  toDecimal(places: number): Decimal {
    return Decimal.fromBigInt(this.numerator).div(Decimal.fromBigInt(this.denominator), places);
  }

  /** For drawing charts only: never for money arithmetic. */
  toNumber(): number {
    return Number(this.toDecimal(12).toString());
  }
}

function toBigInt(value: bigint | number): bigint {
  if (typeof value === "bigint") return value;
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  return BigInt(value);
}

function floorDiv(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  return numerator % denominator !== 0n && numerator < 0n !== denominator < 0n ? quotient - 1n : quotient;
}

export function sumRationals(values: Iterable<Rational>): Rational {
  let total = Rational.ZERO;
  for (const value of values) total = total.add(value);
  return total;
}
