/** Virtual keys: the secret format, hashing, constant-time verification, and both key stores. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { KeyCache } from "../../src/gateway/key-cache.js";
import { DuplicateKeyNameError, hashSecret, newApiKey, randomBase62 } from "../../src/ledger/api-keys.js";
import { openLedger, type Ledger } from "../../src/ledger/open-ledger.js";
import { TEST_LEDGERS, type TestLedger } from "./test-ledgers.js";

test("a secret is sk-sy- and 32 base62 characters; the record keeps its SHA-256 and a short prefix", () => {
  const { secret, record } = newApiKey({ name: "search", allowed_models: ["claude-sonnet-4-5"], tags: { team: "search" }, monthly_budget_usd: "100", now: 5 });
  assert.match(secret, /^sk-sy-[0-9A-Za-z]{32}$/);
  assert.equal(record.hash, createHash("sha256").update(secret).digest("hex"));
  assert.equal(record.prefix, secret.slice(0, 10));
  assert.match(record.id, /^key_[0-9A-Za-z]{16}$/);
  assert.deepEqual({ ...record, id: "", hash: "", prefix: "" }, {
    id: "", name: "search", prefix: "", hash: "", allowed_models: ["claude-sonnet-4-5"], tags: { team: "search" }, monthly_budget_usd: "100", created_at: 5, revoked_at: null,
  });
  assert.ok(!JSON.stringify(record).includes(secret.slice(6)), "the record must not contain the secret");
  assert.notEqual(newApiKey({ name: "x" }).secret, newApiKey({ name: "x" }).secret);
});

test("base62 characters are used evenly (no modulo bias toward the first characters)", () => {
  const counts = new Map<string, number>();
  for (const character of randomBase62(62_000)) counts.set(character, (counts.get(character) ?? 0) + 1);
  assert.equal(counts.size, 62);
  for (const [character, count] of counts) assert.ok(count > 800 && count < 1200, `${character} appeared ${count} times of ~1000`);
});

for (const makeLedger of TEST_LEDGERS) {
  const testLedger: TestLedger = makeLedger();
  describe(`key store contract: ${testLedger.kind}`, () => {
    let ledger: Ledger;
    before(async () => {
      ledger = await openLedger({ ...testLedger.config, journal: false });
    });
    after(async () => {
      await ledger.close();
      await testLedger.cleanup();
    });

    test("create, list, revoke by id and by name; version moves on every change", async () => {
      const v0 = await ledger.keys.version();
      const alpha = newApiKey({ name: "alpha", allowed_models: ["claude-haiku-4-5", "sonnet"], tags: { team: "search", env: "prod" }, monthly_budget_usd: "12.50", now: 1_000 });
      const beta = newApiKey({ name: "beta", now: 2_000 });
      await ledger.keys.create(alpha.record);
      await ledger.keys.create(beta.record);
      const v2 = await ledger.keys.version();
      assert.equal(v2, v0 + 2);

      const listed = await ledger.keys.list();
      assert.deepEqual(listed, [{ ...alpha.record, monthly_budget_usd: "12.5" }, beta.record]);
      // The gateway's own lookup (KeyCache) over what the store lists.
      const cache = new KeyCache(ledger.keys);
      await cache.refresh();
      assert.equal(cache.verify(alpha.secret)?.name, "alpha");
      assert.equal(cache.verify(`${alpha.secret}x`), undefined);

      assert.equal(await ledger.keys.revoke(alpha.record.id, 3_000), true);
      assert.equal(await ledger.keys.revoke("beta", 4_000), true);
      assert.equal(await ledger.keys.revoke("beta", 5_000), false, "already revoked");
      assert.equal(await ledger.keys.revoke("nobody", 5_000), false);
      assert.equal(await ledger.keys.version(), v2 + 2, "only real revocations move the version");
      assert.deepEqual((await ledger.keys.list()).map((key) => [key.name, key.revoked_at]), [["alpha", 3_000], ["beta", 4_000]]);
      await cache.refresh(false);
      assert.equal(cache.verify(alpha.secret), undefined, "a revoked key is refused once the cache sees the new version");
    });

    test("an active name is unique; a revoked key's name can be reused", async () => {
      const first = newApiKey({ name: "shared-name", now: 10_000 });
      await ledger.keys.create(first.record);
      await assert.rejects(ledger.keys.create(newApiKey({ name: "shared-name" }).record), DuplicateKeyNameError);
      await ledger.keys.revoke("shared-name", 11_000);
      const second = newApiKey({ name: "shared-name", now: 12_000 });
      await ledger.keys.create(second.record);
      assert.equal(await ledger.keys.revoke("shared-name", 13_000), true);
      const named = (await ledger.keys.list()).filter((key) => key.name === "shared-name");
      assert.deepEqual(named.map((key) => key.revoked_at), [11_000, 13_000]);
    });

    test("the database holds the hash, never the secret", async () => {
      const { secret, record } = newApiKey({ name: "hash-only" });
      await ledger.keys.create(record);
      const rows = await testLedger.rawKeyRows();
      const stored = rows.find((row) => row.id === record.id);
      assert.equal(stored?.hash, hashSecret(secret));
      const everything = JSON.stringify(rows);
      assert.ok(!everything.includes(secret.slice("sk-sy-".length)), "no column may contain the secret");
    });
  });
}
