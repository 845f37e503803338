/** The planner's two non-money number types: exact rationals and the stated-precision e^(-x). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { expNegative, PROBABILITY_PLACES } from "../../src/planner/exponential.js";
import { Rational } from "../../src/planner/rational.js";

test("rationals stay exact and round half-even only when asked", () => {
  // 730 / 24 days a month x 5/7 active days = 3650/168 = 1825/84
  assert.equal(Rational.of(730 * 5, 24 * 7).numerator, 1825n);
  assert.equal(Rational.of(730 * 5, 24 * 7).denominator, 84n);
  // 1/3 + 1/6 = 1/2, which rounds half-even to 0; 3/2 rounds to 2; 5/2 rounds to 2
  assert.equal(Rational.of(1, 3).add(Rational.of(1, 6)).roundHalfEven(), 0n);
  assert.equal(Rational.of(3, 2).roundHalfEven(), 2n);
  assert.equal(Rational.of(5, 2).roundHalfEven(), 2n);
  assert.equal(Rational.of(-7, 2).ceil(), -3n);
  assert.equal(Rational.of(-7, 2).floor(), -4n);
  assert.equal(Rational.of(2, 3).toDecimal(4).toString(), "0.6667");
});

test(`e^(-x) is correct to ${PROBABILITY_PLACES} places`, () => {
  // e^-1 = 0.36787944117144232159552377...; to 20 places 0.36787944117144232160
  assert.equal(expNegative(Rational.ONE).toString(), "0.3678794411714423216");
  // e^-5 = 0.00673794699908546709663604...
  assert.equal(expNegative(Rational.of(5)).toString(), "0.0067379469990854671");
  // e^-0.5 = 0.60653065971263342360379953...
  assert.equal(expNegative(Rational.of(1, 2)).toString(), "0.6065306597126334236");
  // e^-57.5 ≈ 1.06e-25: rounds to zero at 20 places
  assert.equal(expNegative(Rational.of(115, 2)).toString(), "0");
  assert.equal(expNegative(Rational.ZERO).toString(), "1");
});
