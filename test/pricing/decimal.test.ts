import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Decimal } from "../../src/pricing/decimal.js";
import { formatUsd, parseUsd, perTokenRate } from "../../src/pricing/money.js";

test("parse and print keep every digit and drop trailing zeros", () => {
  assert.equal(Decimal.parse("0.30").toString(), "0.3");
  assert.equal(Decimal.parse("4.125").toString(), "4.125");
  assert.equal(Decimal.parse("-0.0165").toString(), "-0.0165");
  assert.equal(Decimal.parse("12").toString(), "12");
  assert.equal(Decimal.fromBigInt(0n, 18).toString(), "0");
  assert.equal(Decimal.parse("0.00").toString(), "0");
  assert.equal(formatUsd(0n), "0");
  assert.throws(() => Decimal.parse("1e-3"), /not a decimal/);
  assert.throws(() => Decimal.parse("abc"), /not a decimal/);
});

test("arithmetic is exact where binary floats are not", () => {
  // 0.1 + 0.2 is 0.30000000000000004 in binary floating point
  assert.equal(Decimal.parse("0.1").add(Decimal.parse("0.2")).toString(), "0.3");
  // 3.75 x 1.1 = 4.125, and 0.03 x 1.1 x 0.5 = 0.0165
  assert.equal(Decimal.parse("3.75").mul(Decimal.parse("1.1")).toString(), "4.125");
  assert.equal(Decimal.parse("0.03").mul(Decimal.parse("1.1")).mul(Decimal.parse("0.5")).toString(), "0.0165");
});

test("division rounds half to even at the requested places", () => {
  assert.equal(Decimal.parse("1").div(Decimal.parse("3"), 4).toString(), "0.3333");
  assert.equal(Decimal.parse("0.125").round(2).toFixed(2), "0.12");
  assert.equal(Decimal.parse("0.135").round(2).toFixed(2), "0.14");
  assert.equal(Decimal.parse("-2.5").round(0).toString(), "-2");
  assert.equal(Decimal.parse("10").div(Decimal.parse("4"), 0).toString(), "2");
  assert.equal(Decimal.parse("2.01").ceil(), 3n);
  assert.equal(Decimal.parse("2").ceil(), 2n);
});

test("a per-MTok rate converts to whole attodollars per token", () => {
  // $3 per million tokens = $0.000003 per token = 3 x 10^12 attodollars
  assert.equal(perTokenRate(Decimal.parse("3")), 3_000_000_000_000n);
  assert.equal(perTokenRate(Decimal.parse("0.0165")), 16_500_000_000n);
  assert.throws(() => perTokenRate(Decimal.parse("0.0000000000001")), /more than 12 decimal places/);
});

test("money text round-trips exactly", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (amount) => {
      assert.equal(parseUsd(formatUsd(amount)), amount);
    }),
  );
});

test("addition is associative and commutative (property)", () => {
  const decimal = fc
    .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 18 }))
    .map(([coefficient, scale]) => Decimal.fromBigInt(coefficient, scale));
  fc.assert(
    fc.property(decimal, decimal, decimal, (a, b, c) => {
      assert.ok(a.add(b).add(c).equals(a.add(b.add(c))));
      assert.ok(a.mul(b).equals(b.mul(a)));
    }),
  );
});
