/** Property tests: the lines sum to the total; pricing requests one by one sums to the price of the aggregate. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { loadCatalog } from "../../src/catalog/files.js";
import { priceRequest } from "../../src/pricing/price-request.js";
import { addUsage, type Usage } from "../../src/pricing/usage.js";
import { FIXTURE_CATALOG } from "../helpers/paths.js";

const catalog = loadCatalog({ directory: FIXTURE_CATALOG });
const offering = catalog.resolve("claude-sonnet-4-5").offering!;
const block = catalog.priceOn(offering, "2026-11-22");

const smallUsage: fc.Arbitrary<Usage> = fc.record({
  input: fc.integer({ min: 0, max: 20_000 }),
  output: fc.integer({ min: 0, max: 20_000 }),
  cacheWrite5m: fc.integer({ min: 0, max: 20_000 }),
  cacheWrite1h: fc.integer({ min: 0, max: 20_000 }),
  cacheRead: fc.integer({ min: 0, max: 20_000 }),
  webSearchRequests: fc.integer({ min: 0, max: 7 }),
});

test("the lines sum exactly to the total (property)", () => {
  fc.assert(
    fc.property(smallUsage, fc.boolean(), (usage, batch) => {
      const result = priceRequest(offering, block, usage, { batch });
      const sum = result.lines.reduce((accumulator, line) => accumulator + (line.usd ?? 0n), 0n);
      assert.equal(sum, result.total);
    }),
    { numRuns: 2000 },
  );
});

test("pricing requests one by one and summing equals pricing their aggregate counts, within one tier (property)", () => {
  // Long-context tiers are decided per request, so the aggregate is compared on a card without one.
  fc.assert(
    fc.property(fc.array(smallUsage, { minLength: 1, maxLength: 50 }), fc.boolean(), (usages, batch) => {
      const flat = { ...block, longContext: undefined };
      const oneByOne = usages.reduce((sum, usage) => sum + priceRequest(offering, flat, usage, { batch }).total, 0n);
      const aggregate = usages.reduce((sum, usage) => addUsage(sum, usage), {} as Usage);
      assert.equal(priceRequest(offering, flat, aggregate, { batch }).total, oneByOne);
    }),
    { numRuns: 300 },
  );
});

test("a million requests priced one by one sum exactly to the aggregate price", () => {
  const usage: Usage = { input: 3_517, output: 211, cacheWrite5m: 13, cacheWrite1h: 7, cacheRead: 1_999 };
  let sum = 0n;
  for (let index = 0; index < 1_000_000; index += 1) sum += priceRequest(offering, block, usage).total;
  const aggregate: Usage = { input: 3_517_000_000, output: 211_000_000, cacheWrite5m: 13_000_000, cacheWrite1h: 7_000_000, cacheRead: 1_999_000_000 };
  assert.equal(priceRequest(offering, { ...block, longContext: undefined }, aggregate).total, sum);
});
