/** The money helpers the stores rely on: canonical text and exact sums of decimal strings. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { UsdSum, attodollarsFromText, canonicalUsd, isStorableUsd } from "../../src/ledger/exact-sum.js";
import { Decimal } from "../../src/pricing/decimal.js";
import { formatUsd } from "../../src/pricing/money.js";

/** Decimal text with up to 20 whole digits and up to 18 places, leading and trailing zeros included. */
const usdText = fc
  .tuple(fc.boolean(), fc.stringMatching(/^\d{1,20}$/), fc.option(fc.stringMatching(/^\d{1,18}$/), { nil: undefined }))
  .map(([negative, whole, fraction]) => `${negative ? "-" : ""}${whole}${fraction === undefined ? "" : `.${fraction}`}`);

test("canonicalUsd is formatUsd of the exact value, computed on the text", () => {
  fc.assert(
    fc.property(usdText, (text) => {
      assert.equal(canonicalUsd(text), formatUsd(attodollarsFromText(text)));
      assert.equal(canonicalUsd(text), Decimal.parse(text).toString());
    }),
  );
  assert.equal(canonicalUsd("0.300000000000000000"), "0.3");
  assert.equal(canonicalUsd("-0.0"), "0");
  assert.equal(canonicalUsd("007.50"), "7.5");
  // Canonical text comes back as it is (the fast path), at the edges of the storable range too.
  for (const text of ["0", "-0.5", "-7", "0.000000000000000001", "12345678901234567890.123456789012345678"]) assert.equal(canonicalUsd(text), text);
  for (const [text, canonical] of [["-0", "0"], ["0.10", "0.1"], ["-00.5", "-0.5"], ["1.", undefined]] as const) {
    if (canonical === undefined) assert.throws(() => canonicalUsd(text), RangeError);
    else assert.equal(canonicalUsd(text), canonical);
  }
  fc.assert(fc.property(fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }), (attodollars) => assert.equal(canonicalUsd(formatUsd(attodollars)), formatUsd(attodollars))));
});

test("UsdSum adds exactly where binary floats drift", () => {
  assert.equal(new UsdSum().add("0.1").add("0.2").toString(), "0.3");
  assert.equal(new UsdSum().add(null).add(undefined).toString(), "0");
  const million = new UsdSum();
  for (let index = 0; index < 1_000_000; index += 1) million.add("0.000001");
  assert.equal(million.toString(), "1");
  fc.assert(
    fc.property(fc.array(usdText, { maxLength: 20 }), (texts) => {
      const expected = texts.reduce((sum, text) => sum.add(Decimal.parse(text)), Decimal.ZERO);
      const sum = new UsdSum();
      for (const text of texts) sum.add(text);
      assert.equal(sum.toString(), expected.toString());
    }),
  );
});

test("only plain decimals with at most 18 places are storable", () => {
  for (const bad of ["1e-3", "0.1234567890123456789", "abc", "", " 1", "1.", ".5", "123456789012345678901"]) {
    assert.equal(isStorableUsd(bad), false, bad);
    assert.throws(() => attodollarsFromText(bad), RangeError, bad);
  }
  assert.equal(isStorableUsd("-12.000000000000000001"), true);
});
