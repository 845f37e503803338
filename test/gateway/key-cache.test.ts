/**
 * KeyCache's timed checks (src/gateway/key-cache.ts): a store that fails or hangs is reported (a
 * revoked key stays accepted on this replica until a check succeeds), checks never pile up on a
 * slow store (one at a time, however long it takes), and checkedAt says how fresh the keys are.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { newApiKey } from "../../src/ledger/api-keys.js";
import type { ApiKeyRecord, KeyStore } from "../../src/ledger/ledger.js";
import { KeyCache } from "../../src/gateway/key-cache.js";

test("a check the key store fails or does not answer is reported, checks do not pile up, and checkedAt stays at the last answer", async () => {
  const { secret, record } = newApiKey({ name: "team", monthly_budget_usd: null, allowed_models: [], tags: {} });
  let records: ApiKeyRecord[] = [record];
  let version = 1;
  let mode: "ok" | "fail" | "hang" = "ok";
  let answerHung = (): void => undefined;
  let versionCalls = 0;
  const store = {
    async version() {
      versionCalls += 1;
      if (mode === "fail") throw new Error("connection refused");
      if (mode === "hang") await new Promise<void>((resolve) => (answerHung = resolve));
      return version;
    },
    async list() {
      return records;
    },
  } as unknown as KeyStore;
  const errors: string[] = [];
  let clock = 1_000_000;
  const cache = new KeyCache(store, 20, (error) => errors.push(error.message), () => clock);
  await cache.start();
  try {
    assert.equal(cache.verify(secret)?.id, record.id);
    assert.equal(cache.checkedAt, 1_000_000);

    // Revoked in the store while this replica cannot read it: still accepted, and said so.
    records = [{ ...record, revoked_at: clock }];
    version = 2;
    mode = "fail";
    clock += 5_000;
    await sleep(80);
    assert.equal(cache.verify(secret)?.id, record.id);
    assert.equal(cache.checkedAt, 1_000_000);
    assert.match(errors[0] ?? "", /reloading the virtual keys failed \(the keys in memory are as of 1970-01-01T00:16:40\.000Z; a key revoked since is still accepted here\): connection refused/);

    // A store that hangs: reported once a check has waited five periods (at least 1 s), and no
    // other check starts while it hangs, however long (the store bounds its own queries).
    mode = "hang";
    errors.length = 0;
    await sleep(60);
    const during = versionCalls;
    await sleep(1_300);
    assert.ok(errors.some((message) => /no answer within 1000 ms/.test(message)), errors.join("\n"));
    assert.equal(versionCalls, during, "no check starts while one hangs, before or after it is reported");

    mode = "ok";
    answerHung();
    await sleep(200);
    assert.equal(cache.verify(secret), undefined, "the revocation applies once the store answers");
    assert.equal(cache.checkedAt, clock);
  } finally {
    cache.stop();
  }
});

test("a secret not in memory is looked for again once the store has been asked (a key created a moment ago), at most once per 100 ms whatever the misses", async () => {
  const first = newApiKey({ name: "first", monthly_budget_usd: null, allowed_models: [], tags: {} });
  const created = newApiKey({ name: "created", monthly_budget_usd: null, allowed_models: [], tags: {} });
  let records: ApiKeyRecord[] = [first.record];
  let version = 1;
  let versionCalls = 0;
  const store = {
    async version() {
      versionCalls += 1;
      return version;
    },
    async list() {
      return records;
    },
  } as unknown as KeyStore;
  let clock = 1_000_000;
  // A timed check every minute: only the recheck can find the new key here.
  const cache = new KeyCache(store, 60_000, () => undefined, () => clock);
  await cache.start();
  try {
    records = [first.record, created.record];
    version = 2;
    assert.equal(cache.verify(created.secret), undefined, "not in memory yet");
    const before = versionCalls;
    const found = await Promise.all([cache.recheck(created.secret), cache.recheck(created.secret), cache.recheck("sk-sy-wrong")]);
    assert.deepEqual(found.map((record) => record?.id), [created.record.id, created.record.id, undefined]);
    assert.equal(versionCalls, before + 1, "three misses at once: one question to the store");
    // A flood of wrong keys within 100 ms asks nothing more; after it, once.
    for (let index = 0; index < 20; index += 1) assert.equal(await cache.recheck(`sk-sy-wrong${index}`), undefined);
    assert.equal(versionCalls, before + 1);
    clock += 100;
    assert.equal(await cache.recheck("sk-sy-wrong"), undefined);
    assert.equal(versionCalls, before + 2);
  } finally {
    cache.stop();
  }
});

test("loads that overlap (a recheck during a slow timed check): one begun earlier never replaces a later one's keys, so a revoked key stays refused", async () => {
  const { secret, record } = newApiKey({ name: "revoked-soon", monthly_budget_usd: null, allowed_models: [], tags: {} });
  let version = 1;
  let records: ApiKeyRecord[] = [record];
  /** When set, list() answers with what the store held when it was called, but only once released. */
  let slow: { release: () => void } | undefined;
  const store = {
    async version() {
      return version;
    },
    async list() {
      const snapshot = records;
      if (slow) await new Promise<void>((resolve) => (slow = { release: resolve }));
      return snapshot;
    },
  } as unknown as KeyStore;
  const cache = new KeyCache(store, 60_000);
  await cache.start();
  try {
    assert.equal(cache.verify(secret)?.id, record.id);
    // A load begins (version 2: another key changed) and reads the list before the revocation...
    version = 2;
    slow = { release: () => undefined };
    const older = cache.refresh(false);
    await sleep(10);
    const releaseOlder = slow.release;
    slow = undefined;
    // ...then the key is revoked, and a later load sees it.
    records = [{ ...record, revoked_at: Date.now() }];
    version = 3;
    await cache.refresh(false);
    assert.equal(cache.verify(secret), undefined, "revoked");
    // The older load ends last: its keys (the key still active) must not come back.
    releaseOlder();
    await older;
    assert.equal(cache.verify(secret), undefined, "still revoked after the older load ended");
    assert.equal(cache.revoked(secret)?.id, record.id);
  } finally {
    cache.stop();
  }
});
