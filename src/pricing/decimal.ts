/**
 * Exact decimal numbers on BigInt: value = coefficient / 10^scale.
 *
 * Addition, subtraction and multiplication are exact and never round. Division is the only
 * operation that may round, and it takes the number of places and says how (half-even).
 * See docs/decisions/0002-exact-money.md for why money is not a binary float.
 */
export class Decimal {
  private constructor(
    readonly coefficient: bigint,
    readonly scale: number,
  ) {}

  static readonly ZERO = new Decimal(0n, 0);
  static readonly ONE = new Decimal(1n, 0);

  /** Parses a plain decimal string such as "3", "0.30", "-1.25", "4.125". No exponents. */
  static parse(text: string): Decimal {
    const match = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
    if (!match) throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
    const [, sign, whole, fraction = ""] = match;
    const coefficient = BigInt(`${whole}${fraction}`);
    return new Decimal(sign === "-" ? -coefficient : coefficient, fraction.length);
  }

  static fromBigInt(value: bigint, scale = 0): Decimal {
    return new Decimal(value, scale);
  }

  /** Only for integers (token counts, request counts): never for fractional money. */
  static fromInteger(value: number | bigint): Decimal {
    if (typeof value === "number" && !Number.isSafeInteger(value)) {
      throw new RangeError(`not a safe integer: ${value}`);
    }
    return new Decimal(BigInt(value), 0);
  }

  static isDecimalText(text: string): boolean {
    return /^[+-]?\d+(?:\.\d+)?$/.test(text.trim());
  }

  add(other: Decimal): Decimal {
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.rescaled(scale) + other.rescaled(scale), scale);
  }

  sub(other: Decimal): Decimal {
    return this.add(other.neg());
  }

  mul(other: Decimal): Decimal {
    return new Decimal(this.coefficient * other.coefficient, this.scale + other.scale).normalized();
  }

  neg(): Decimal {
    return new Decimal(-this.coefficient, this.scale);
  }

  /** Rounded division: `places` digits after the point, ties to even. */
  div(other: Decimal, places: number): Decimal {
    if (other.coefficient === 0n) throw new RangeError("division by zero");
    // this/other = (a / 10^sa) / (b / 10^sb); scaled to `places`: a * 10^(places + sb - sa) / b
    const shift = places + other.scale - this.scale;
    let numerator = this.coefficient;
    let denominator = other.coefficient;
    if (shift >= 0) numerator *= 10n ** BigInt(shift);
    else denominator *= 10n ** BigInt(-shift);
    return new Decimal(divideHalfEven(numerator, denominator), places).normalized();
  }

  /** Rounds to `places` digits after the point, ties to even. */
  round(places: number): Decimal {
    if (this.scale <= places) return this;
    const divisor = 10n ** BigInt(this.scale - places);
    return new Decimal(divideHalfEven(this.coefficient, divisor), places);
  }

  /** Smallest integer >= this value. */
  ceil(): bigint {
    const divisor = 10n ** BigInt(this.scale);
    const quotient = this.coefficient / divisor;
    return this.coefficient > 0n && quotient * divisor !== this.coefficient ? quotient + 1n : quotient;
  }

  compare(other: Decimal): -1 | 0 | 1 {
    const scale = Math.max(this.scale, other.scale);
    const left = this.rescaled(scale);
    const right = other.rescaled(scale);
    return left < right ? -1 : left > right ? 1 : 0;
  }

  equals(other: Decimal): boolean {
    return this.compare(other) === 0;
  }

  isZero(): boolean {
    return this.coefficient === 0n;
  }

  isNegative(): boolean {
    return this.coefficient < 0n;
  }

  /** The exact value as an integer count of 10^-scale units; throws if that would lose digits. */
  toScaledBigInt(scale: number): bigint {
    if (scale >= this.scale) return this.rescaled(scale);
    const divisor = 10n ** BigInt(this.scale - scale);
    if (this.coefficient % divisor !== 0n) {
      throw new RangeError(`${this.toString()} has more than ${scale} decimal places`);
    }
    return this.coefficient / divisor;
  }

  /** Canonical text: no exponent, no trailing zeros after the point ("0.3", "12", "-0.0165"). */
  toString(): string {
    const normal = this.normalized();
    return formatScaled(normal.coefficient, normal.scale);
  }

  /** Fixed number of places, rounding half-even when needed ("0.30" for 0.3 at 2 places). */
  toFixed(places: number): string {
    const rounded = this.round(places);
    return formatScaled(rounded.rescaled(places), places);
  }

  toJSON(): string {
    return this.toString();
  }

  private rescaled(scale: number): bigint {
    return this.coefficient * 10n ** BigInt(scale - this.scale);
  }

  private normalized(): Decimal {
    let { coefficient, scale } = this;
    while (scale > 0 && coefficient % 10n === 0n) {
      coefficient /= 10n;
      scale -= 1;
    }
    return scale === this.scale ? this : new Decimal(coefficient, scale);
  }
}

function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  let quotient = numerator / denominator;
  const remainder = numerator - quotient * denominator;
  const twice = 2n * (remainder < 0n ? -remainder : remainder);
  if (twice > denominator || (twice === denominator && quotient % 2n !== 0n)) {
    quotient += remainder < 0n ? -1n : 1n;
  }
  return quotient;
}

/** Formats coefficient / 10^scale as plain decimal text, keeping every digit of the scale. */
export function formatScaled(coefficient: bigint, scale: number): string {
  const negative = coefficient < 0n;
  const digits = (negative ? -coefficient : coefficient).toString();
  if (scale === 0) return `${negative ? "-" : ""}${digits}`;
  const padded = digits.padStart(scale + 1, "0");
  const whole = padded.slice(0, padded.length - scale);
  const fraction = padded.slice(padded.length - scale);
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}
