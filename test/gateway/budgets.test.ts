/**
 * BudgetTracker (src/gateway/budgets.ts): exact monthly spend per key, and the reloads that let
 * gateways sharing a ledger see each other's spend without losing or double-counting their own
 * rows that are still on their way to the store.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { BudgetTracker, LOAD_TIMEOUT_MS } from "../../src/gateway/budgets.js";
import { GatewayError } from "../../src/gateway/errors.js";
import type { ApiKeyRecord, LedgerStore } from "../../src/ledger/ledger.js";
import { formatUsd, parseUsd } from "../../src/pricing/money.js";
import { monthWindow } from "../../src/ledger/budget-window.js";

const NOW = Date.UTC(2026, 10, 22, 12);
const NEXT_MONTH = Date.UTC(2026, 11, 1, 0, 0, 1);

function key(budget: string | null, id = "key_1"): ApiKeyRecord {
  return { id, name: id, prefix: "sk-sy-x", hash: "0".repeat(64), allowed_models: [], tags: {}, monthly_budget_usd: budget, created_at: 0, revoked_at: null };
}

/**
 * A store holding one figure per key and month (what every gateway's flushed rows add up to), and
 * a writer whose row counts the test moves by hand. `during` runs while a keySpend query is in flight.
 */
function world(settled?: Promise<unknown>) {
  const sums = new Map<string, bigint>();
  const sumKey = (keyId: string, from: number) => `${keyId}@${from}`;
  /** The writer's counts: rows recorded (record's answer) and rows the store holds. */
  const progress = { recorded: 0, stored: 0 };
  let during: (() => void) | undefined;
  let failing: Error | undefined;
  /** Holds a query's answer until the promise it returns settles (per month asked for). */
  let holdAnswer: ((from: number) => Promise<void>) | undefined;
  const queries: string[] = [];
  const store = {
    shared: true,
    async keysSpend(keyIds: string[], from: number) {
      queries.push(keyIds.join(","));
      if (failing) throw failing;
      const values = keyIds.map((keyId) => [keyId, formatUsd(sums.get(sumKey(keyId, from)) ?? 0n)] as [string, string]);
      await (holdAnswer?.(from) ?? Promise.resolve());
      during?.();
      return new Map(values);
    },
  } as unknown as LedgerStore;
  const errors: Error[] = [];
  const tracker = new BudgetTracker(store, () => progress.stored, (error) => errors.push(error), settled);
  return {
    tracker,
    progress,
    errors,
    queries,
    /** Rows of any gateway, made at `at`, reaching the store. */
    store: (keyId: string, usd: string, at = NOW) => {
      const where = sumKey(keyId, monthWindow(at).from);
      sums.set(where, (sums.get(where) ?? 0n) + parseUsd(usd));
    },
    /** This process records a row (the writer counts it) and adds its cost, as messages.ts does. */
    record: (keyId: string, usd: string, at = NOW) => {
      progress.recorded += 1;
      tracker.add(keyId, at, parseUsd(usd), progress.recorded);
      return progress.recorded;
    },
    set during(hook: (() => void) | undefined) {
      during = hook;
    },
    set failing(error: Error | undefined) {
      failing = error;
    },
    set holdAnswer(hold: ((from: number) => Promise<void>) | undefined) {
      holdAnswer = hold;
    },
  };
}

/** A world whose tracker reloads (as with a shared ledger; the test calls refresh() itself). */
async function withReloads(run: (w: ReturnType<typeof world>) => Promise<void>): Promise<void> {
  const w = world();
  w.tracker.startRefreshing(60_000, () => NOW);
  try {
    await run(w);
  } finally {
    w.tracker.stop();
  }
}

const spent = (tracker: BudgetTracker, keyId = "key_1", at = NOW) => {
  const value = tracker.spent(keyId, at);
  return value === undefined ? undefined : formatUsd(value);
};

/** The budget check alone: admit with nothing held, released at once (synchronous when the spend is known). */
function check(tracker: BudgetTracker, k: ApiKeyRecord, at: number): Promise<void> | undefined {
  const admitted = tracker.admit(k, at, 0n);
  if (admitted instanceof Promise) return admitted.then((release) => release?.());
  admitted?.();
  return undefined;
}

/** Admits with `hold` held, on spend already known: the release, synchronously. */
function admit(tracker: BudgetTracker, k: ApiKeyRecord, at: number, hold: bigint): (() => void) | undefined {
  const admitted = tracker.admit(k, at, hold);
  assert.ok(!(admitted instanceof Promise), "the spend is known: no wait");
  return admitted;
}

describe("budgets", () => {
  test("without reloads: the load plus every addition, exactly; over budget is a 429 naming budget and reset", async () => {
    const w = world();
    w.store("key_1", "0.10");
    await check(w.tracker, key("0.30"), NOW);
    assert.equal(spent(w.tracker), "0.1");
    w.record("key_1", "0.1");
    w.record("key_1", "0.000000000000000001");
    assert.equal(spent(w.tracker), "0.200000000000000001");
    assert.equal(check(w.tracker, key("0.30"), NOW), undefined, "known spend is checked without waiting");
    w.record("key_1", "0.1");
    assert.throws(
      () => check(w.tracker, key("0.30"), NOW),
      (error: unknown) => error instanceof GatewayError && /spent \$0\.300000000000000001 of its \$0\.30 monthly budget; the budget resets at 2026-12-01T00:00:00\.000Z/.test(error.message),
    );
    assert.equal(check(w.tracker, key(null), NOW), undefined, "a key without a budget is never checked");
  });

  test("requests in flight hold what they may cost against the budget until released; a release counts once", async () => {
    const w = world();
    w.store("key_1", "0.10");
    await check(w.tracker, key("0.30"), NOW);
    const first = admit(w.tracker, key("0.30"), NOW, parseUsd("0.15"));
    const second = admit(w.tracker, key("0.30"), NOW, parseUsd("0.04"));
    assert.ok(first && second);
    // 0.10 spent + 0.19 held: a third request still fits under 0.30, then nothing does.
    const third = admit(w.tracker, key("0.30"), NOW, parseUsd("0.02"));
    assert.throws(
      () => admit(w.tracker, key("0.30"), NOW, 1n),
      (error: unknown) => error instanceof GatewayError && /spent \$0\.1 \(and its requests in flight may cost up to \$0\.21\) of its \$0\.30/.test(error.message) && error.headers["retry-after"] === "1",
    );
    assert.throws(() => check(w.tracker, key("0.30"), NOW), /in flight/, "a request holding nothing is refused for them too");
    first();
    first();
    w.record("key_1", "0.05");
    // 0.15 spent + 0.06 held: 0.09 more fits, and then nothing (a second release of `first` would have freed 0.15 more).
    assert.equal(check(w.tracker, key("0.30"), NOW), undefined);
    const fourth = admit(w.tracker, key("0.30"), NOW, parseUsd("0.09"));
    assert.throws(() => admit(w.tracker, key("0.30"), NOW, 1n), /spent \$0\.15 \(and its requests in flight may cost up to \$0\.15\)/);
    fourth?.();
    second();
    third?.();
    assert.equal(spent(w.tracker), "0.15", "holds are not spend");
    assert.equal(admit(w.tracker, key(null), NOW, 5n), undefined, "a key without a budget holds nothing");
  });

  test("a burst of a key's first requests of the month waits for one load, then each decides and holds in turn", async () => {
    const w = world();
    w.store("key_1", "0.10");
    const burst = [0, 1, 2].map(() => Promise.resolve(w.tracker.admit(key("0.30"), NOW, parseUsd("0.15"))));
    const settled = await Promise.allSettled(burst);
    // 0.10 spent: the first holds 0.15 (0.25 in all), the second 0.15 more (0.40), the third is refused.
    assert.deepEqual(settled.map((result) => result.status), ["fulfilled", "fulfilled", "rejected"]);
    assert.match(String((settled[2] as PromiseRejectedResult).reason), /spent \$0\.1 \(and its requests in flight may cost up to \$0\.3\)/);
    assert.equal(w.queries.length, 1, "one load");
  });

  test("a reload adds what other gateways stored and keeps this one's rows the store does not hold yet", () =>
    withReloads(async (w) => {
      await check(w.tracker, key("10"), NOW);
      w.record("key_1", "1"); // row 1
      w.record("key_1", "2"); // row 2
      w.record("key_1", "4"); // row 3
      assert.equal(spent(w.tracker), "7");
      // Rows 1 and 2 reach the store; another replica stored 0.5; row 3 is still in the journal.
      w.store("key_1", "3");
      w.progress.stored = 2;
      w.store("key_1", "0.5");
      await w.tracker.refresh(NOW);
      assert.equal(spent(w.tracker), "7.5");
      // Row 3 arrives; nothing counted twice.
      w.store("key_1", "4");
      w.progress.stored = 3;
      await w.tracker.refresh(NOW);
      assert.equal(spent(w.tracker), "7.5");
      assert.equal(w.errors.length, 0);
    }));

  test("the cost of a row the ledger could not take stays through every reload of the month, and is gone the next", () =>
    withReloads(async (w) => {
      await check(w.tracker, key("10"), NOW);
      w.record("key_1", "1"); // row 1
      w.tracker.add("key_1", NOW, parseUsd("2"), undefined); // answered, but its row was lost
      w.record("key_1", "4"); // row 2
      assert.equal(spent(w.tracker), "7");
      // Every recorded row reaches the store; the lost one never will.
      w.store("key_1", "5");
      w.progress.stored = 2;
      await w.tracker.refresh(NOW);
      assert.equal(spent(w.tracker), "7");
      await w.tracker.refresh(NOW);
      assert.equal(spent(w.tracker), "7");
      await check(w.tracker, key("10"), NEXT_MONTH);
      assert.equal(spent(w.tracker, "key_1", NEXT_MONTH), "0");
    }));

  test("a round of reloads is one query for every key seen this month", () =>
    withReloads(async (w) => {
      await check(w.tracker, key("10", "key_a"), NOW);
      await check(w.tracker, key("10", "key_b"), NOW);
      w.store("key_a", "1");
      w.store("key_b", "2");
      const before = w.queries.length;
      await w.tracker.refresh(NOW);
      assert.deepEqual(w.queries.slice(before), ["key_a,key_b"]);
      assert.deepEqual([spent(w.tracker, "key_a"), spent(w.tracker, "key_b")], ["1", "2"]);
    }));

  test("an addition made while the reload's query runs is kept", () =>
    withReloads(async (w) => {
      await check(w.tracker, key("10"), NOW);
      w.during = () => w.record("key_1", "0.25");
      await w.tracker.refresh(NOW);
      w.during = undefined;
      assert.equal(spent(w.tracker), "0.25");
    }));

  test("a row stored while the query runs may count twice until the next reload, never zero times", () =>
    withReloads(async (w) => {
      await check(w.tracker, key("10"), NOW);
      w.record("key_1", "1");
      // The flush has committed row 1, but the writer has not counted it as stored yet (it does
      // once the commit returns): the same as a commit between reading `stored` and the query.
      w.store("key_1", "1");
      await w.tracker.refresh(NOW);
      // stored was 0 when the reload began: row 1 is kept, and the store's sum has it too.
      assert.equal(spent(w.tracker), "2");
      w.progress.stored = 1;
      await w.tracker.refresh(NOW);
      assert.equal(spent(w.tracker), "1");
    }));

  test("a failed reload keeps the last figure and says so; many additions meanwhile stay exact", () =>
    withReloads(async (w) => {
      await check(w.tracker, key("1000"), NOW);
      w.failing = new Error("connection refused");
      for (let index = 0; index < 3_000; index += 1) w.record("key_1", "0.001");
      await w.tracker.refresh(NOW);
      assert.equal(spent(w.tracker), "3");
      assert.match(w.errors[0]?.message ?? "", /reloading the spend of 1 key\(s\) failed \(the last figures stay\): connection refused/);
      // The store comes back holding the first 2,000 rows: the merged older additions are kept
      // whole until all of them are stored (counted twice meanwhile), never dropped.
      w.failing = undefined;
      w.store("key_1", "2");
      w.progress.stored = 2_000;
      await w.tracker.refresh(NOW);
      const partly = parseUsd(spent(w.tracker) as string);
      assert.ok(partly >= parseUsd("3"), `never less than the true 3 (got ${formatUsd(partly)})`);
      w.store("key_1", "1");
      w.progress.stored = 3_000;
      await w.tracker.refresh(NOW);
      assert.equal(spent(w.tracker), "3");
    }));

  test("a first load the ledger cannot answer refuses the request with a 529 to retry (closed, and not the gateway's bug); the next load tries again", async () => {
    const w = world();
    w.failing = new Error("connection refused");
    await assert.rejects(check(w.tracker, key("10"), NOW) ?? Promise.resolve(), (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.equal(error.kind, "unavailable");
      assert.equal(error.headers["retry-after"], "1");
      assert.match(error.message, /budget cannot be checked right now/);
      return true;
    });
    assert.match(w.errors[0]?.message ?? "", /loading the spend of key key_1 failed: connection refused/);
    w.failing = undefined;
    w.store("key_1", "2");
    await check(w.tracker, key("10"), NOW);
    assert.equal(spent(w.tracker), "2");
  });

  test("a new month starts from the ledger again", () =>
    withReloads(async (w) => {
      await check(w.tracker, key("10"), NOW);
      w.record("key_1", "5");
      w.store("key_1", "5");
      w.progress.stored = 1;
      await w.tracker.refresh(NEXT_MONTH);
      assert.equal(spent(w.tracker, "key_1", NEXT_MONTH), undefined, "last month's figure is forgotten");
      w.store("key_1", "0.25", NEXT_MONTH);
      await check(w.tracker, key("10"), NEXT_MONTH);
      assert.equal(spent(w.tracker, "key_1", NEXT_MONTH), "0.25", "this month's rows only");
      assert.equal(w.queries.length, 2);
      w.record("key_1", "5", NOW);
      assert.equal(spent(w.tracker, "key_1", NEXT_MONTH), "0.25", "a late row of last month does not count against this one");
    }));

  test("a key's first load waits for the journal's replay: an earlier process's rows count this month", async () => {
    let replayDone!: () => void;
    const w = world(new Promise<void>((resolve) => (replayDone = resolve)));
    w.store("key_1", "1");
    const checking = check(w.tracker, key("1.5"), NOW);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(w.queries, [], "no query before the replay");
    w.store("key_1", "0.75"); // the replay stores the rows a killed process left
    replayDone();
    await assert.rejects(Promise.resolve(checking), (error: unknown) => error instanceof GatewayError && /spent \$1\.75/.test(error.message));
  });

  test("at a month's turn, loads of the old and the new month do not mix", async () => {
    const w = world();
    const LAST_INSTANT = Date.UTC(2026, 11, 1) - 1;
    w.store("key_1", "5", LAST_INSTANT); // over a budget of 1
    w.store("key_1", "0.5", NEXT_MONTH); // under it
    // The old month's answer arrives last.
    let releaseOld!: () => void;
    const oldHeld = new Promise<void>((resolve) => (releaseOld = resolve));
    w.holdAnswer = (from) => (from === monthWindow(LAST_INSTANT).from ? oldHeld : Promise.resolve());
    const old = Promise.resolve(check(w.tracker, key("1"), LAST_INSTANT));
    const fresh = Promise.resolve(check(w.tracker, key("1"), NEXT_MONTH));
    await fresh; // the new month's load answered first, and its request is under budget
    releaseOld();
    // The old month's request is refused on the old month's figure, though that figure is not kept.
    await assert.rejects(old, (error: unknown) => error instanceof GatewayError && /spent \$5 /.test(error.message));
    assert.equal(w.queries.length, 2, "one load per month, not one shared");
    assert.equal(spent(w.tracker, "key_1", NEXT_MONTH), "0.5", "the new month's figure stands after the late load of the old one");
    assert.equal(check(w.tracker, key("1"), NEXT_MONTH), undefined, "and the next request of the new month is under budget");
  });

  /** The 529 a budget that cannot be checked gets. */
  const uncheckable = (error: unknown) => {
    assert.ok(error instanceof GatewayError, String(error));
    assert.equal(error.kind, "unavailable");
    assert.equal(error.headers["retry-after"], "1");
    return true;
  };

  /** The refusal a check ends in (it must be one). */
  const refusalOf = (run: () => unknown): Promise<GatewayError> =>
    Promise.resolve()
      .then(run)
      .then(
        () => assert.fail("expected a refusal"),
        (error: unknown) => {
          assert.ok(error instanceof GatewayError, String(error));
          return error;
        },
      );

  test("a first load the ledger does not answer (a database that hangs) is a 529 after LOAD_TIMEOUT_MS, not a wait for the database's own timeout", async () => {
    const w = world();
    w.holdAnswer = () => new Promise<void>(() => undefined);
    const started = performance.now();
    await assert.rejects(check(w.tracker, key("10"), NOW) ?? Promise.resolve(), uncheckable);
    const waited = performance.now() - started;
    assert.ok(waited >= LOAD_TIMEOUT_MS - 50 && waited < LOAD_TIMEOUT_MS + 1_000, `waited ${waited.toFixed(0)} ms`);
    assert.match(w.errors[0]?.message ?? "", /loading the spend of key key_1 failed: no answer within 2000 ms/);
    // The next request waits on the same query (a hung ledger gets one per key, not one per request).
    const again = check(w.tracker, key("10"), NOW);
    await assert.rejects(again ?? Promise.resolve(), uncheckable);
    assert.equal(w.queries.length, 1);
    // So is a replay of the journal that hangs (the store it writes to does not answer).
    const stuck = world(new Promise(() => undefined));
    await assert.rejects(check(stuck.tracker, key("10"), NOW) ?? Promise.resolve(), uncheckable);
  });

  test("with reloads failing, a figure older than three periods is loaded again before it decides (a 529 while the ledger is away): replicas cannot each spend the rest of the budget", () =>
    withReloads(async (w) => {
      const budgeted = key("10");
      await check(w.tracker, budgeted, NOW);
      // Another replica spends 9.5; this one cannot reload meanwhile.
      w.store("key_1", "9.5");
      w.failing = new Error("connection refused");
      await w.tracker.refresh(NOW + 60_000);
      assert.equal(check(w.tracker, budgeted, NOW + 120_000), undefined, "a figure two periods old still decides, at once");
      await assert.rejects(check(w.tracker, budgeted, NOW + 181_000) ?? Promise.resolve(), uncheckable);
      w.failing = undefined;
      // The ledger is back: the key's spend is loaded again, the other replica's 9.5 with it.
      await check(w.tracker, budgeted, NOW + 182_000);
      assert.equal(spent(w.tracker), "9.5");
      w.store("key_1", "1");
      w.failing = new Error("connection refused");
      assert.equal(check(w.tracker, budgeted, NOW + 200_000), undefined, "fresh enough: decided on 9.5");
      w.failing = undefined;
      assert.equal((await refusalOf(() => check(w.tracker, budgeted, NOW + 400_000))).kind, "budget_exceeded");
    }));

  test("a replica whose rows stop reaching the shared ledger (inserts failing while reads work) refuses budgeted requests with a 529 until they do: the others would not count its spend", () =>
    withReloads(async (w) => {
      const budgeted = key("100");
      await check(w.tracker, budgeted, NOW);
      w.record("key_1", "1");
      // The writer stores nothing from here on; reloads still answer.
      for (const at of [NOW + 60_000, NOW + 120_000, NOW + 180_000]) await w.tracker.refresh(at);
      assert.equal(check(w.tracker, budgeted, NOW + 180_000), undefined, "three periods: still served");
      const refused = await refusalOf(() => check(w.tracker, budgeted, NOW + 181_000));
      assert.ok(uncheckable(refused));
      assert.match(refused.message, /cannot write its spend to the shared ledger/);
      // The rows arrive: served again after the next round.
      w.progress.stored = 1;
      w.store("key_1", "1");
      await w.tracker.refresh(NOW + 300_000);
      assert.equal(check(w.tracker, budgeted, NOW + 300_000), undefined);
      assert.equal(spent(w.tracker), "1");
    }));

  test("the early check (before routing and the rate limiter) loads a key's spend it does not know yet, so a spent key's first request takes nothing from its rate limit", async () => {
    const w = world();
    w.store("key_1", "10");
    const early = w.tracker.refuseIfSpent(key("10"), NOW);
    assert.ok(early instanceof Promise, "the key's first request of the month waits for its spend");
    assert.equal((await refusalOf(() => early)).kind, "budget_exceeded");
    assert.equal(w.queries.length, 1);
    assert.equal(w.tracker.refuseIfSpent(key("20"), NOW), undefined, "known now, and under a larger budget: nothing to wait for");
    assert.equal(check(w.tracker, key("20"), NOW), undefined, "and admit decides at once");
    assert.equal(w.queries.length, 1, "one load");
  });

  test("a slow load that ends after a newer reload does not replace its figure (it would drop an addition the newer one counts)", () =>
    withReloads(async (w) => {
      const budgeted = key("100");
      await check(w.tracker, budgeted, NOW);
      // The figure is stale: a load begins (the store holds nothing yet) and its answer is slow.
      let release = (): void => undefined;
      let first = true;
      w.holdAnswer = () => {
        if (!first) return Promise.resolve();
        first = false;
        return new Promise<void>((resolve) => (release = resolve));
      };
      const slow = check(w.tracker, budgeted, NOW + 200_000);
      await new Promise((resolve) => setImmediate(resolve)); // its query is asked (after the replay it waits for)
      // Meanwhile a request spends 1; its row is stored and a reload counts it (and lets go of it as pending).
      w.record("key_1", "1");
      w.store("key_1", "1");
      w.progress.stored = 1;
      await w.tracker.refresh(NOW + 200_001);
      assert.equal(spent(w.tracker), "1");
      release();
      await slow;
      assert.equal(spent(w.tracker), "1", "the older answer (0, with row 1 no longer pending) is not applied");
    }));

  test("a refusal only this replica's latest additions decide (they may be counted twice until the next reload) says to retry after a period, not to give up for the month", () =>
    withReloads(async (w) => {
      const budgeted = key("2");
      await check(w.tracker, budgeted, NOW);
      w.record("key_1", "1");
      // Row 1 is committed but not yet counted as stored: the reload counts it twice (2 of 2).
      w.store("key_1", "1");
      await w.tracker.refresh(NOW);
      const refused = await refusalOf(() => check(w.tracker, budgeted, NOW));
      assert.equal(refused.kind, "budget_exceeded");
      assert.equal(refused.headers["retry-after"], "60", "one reload period");
      assert.equal(refused.headers["x-should-retry"], undefined);
      // Truly spent: the month-long answer.
      w.progress.stored = 1;
      w.store("key_1", "1");
      await w.tracker.refresh(NOW);
      assert.equal((await refusalOf(() => check(w.tracker, budgeted, NOW))).headers["x-should-retry"], "false");
      // Spent by an addition made since the last reload (which no reload can have counted): the month-long answer at once.
      const other = key("1", "key_2");
      await check(w.tracker, other, NOW);
      w.record("key_2", "1");
      assert.equal((await refusalOf(() => check(w.tracker, other, NOW))).headers["x-should-retry"], "false");
    }));
});
