/**
 * One contract, two stores: every assertion here runs against SQLite and against PostgreSQL.
 * If a store drifts (a float sum, a null turned into 0, a different day boundary), it fails here.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { keySpend, type LedgerRow, type SpendGroup } from "../../src/ledger/ledger.js";
import { openLedger, type Ledger } from "../../src/ledger/open-ledger.js";
import { monthWindow } from "../../src/ledger/budget-window.js";
import { SpendQueryError } from "../../src/ledger/spend-groups.js";
import { storableText } from "../../src/ledger/row-schema.js";
import { ROWS_PER_STATEMENT } from "../../src/ledger/sqlite/rows.js";
import { attodollarsFromText } from "../../src/ledger/exact-sum.js";
import { rollUp } from "../../src/ledger/roll-up.js";
import { formatUsd } from "../../src/pricing/money.js";
import { DAY, HOUR, JAN_1_2026, sampleRow } from "./sample-rows.js";
import { TEST_LEDGERS, sqliteMemoryTestLedger, type TestLedger } from "./test-ledgers.js";

const FEB_1_2026 = Date.UTC(2026, 1, 1);

/** The fixture for grouping: two days, two keys, two models/providers/deployments, tags present and absent. */
function spendFixture(): LedgerRow[] {
  return [
    sampleRow({ request_id: "s1", created_at: JAN_1_2026 + 1 * HOUR, key_id: "key_a", tags: { team: "search" }, cost_usd: "0.1", input_tokens: 100, output_tokens: 10, cache_write_5m_tokens: 5, cache_write_1h_tokens: null, cache_write_unsplit_tokens: 2, cache_read_tokens: null, shadow_costs: { "bedrock-sonnet-us": "0.11" } }),
    sampleRow({ request_id: "s2", created_at: JAN_1_2026 + 23 * HOUR + 59 * 60_000 + 59_999, key_id: "key_a", tags: { team: "ads" }, cost_usd: "0.2", input_tokens: null, output_tokens: 20, cache_write_5m_tokens: null, cache_write_1h_tokens: 7, cache_write_unsplit_tokens: null, cache_read_tokens: 1000, cost_exact: false, cost_usd_upper: "0.25", shadow_costs: { "bedrock-sonnet-us": "0.22", "vertex-sonnet": "0.2" } }),
    sampleRow({ request_id: "s3", created_at: JAN_1_2026 + DAY, key_id: "key_b", tags: {}, cost_usd: "0.3", input_tokens: 300, output_tokens: 30, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, cache_write_unsplit_tokens: null, cache_read_tokens: 0, shadow_costs: {} }),
    sampleRow({ request_id: "s4", created_at: JAN_1_2026 + DAY + HOUR, key_id: null, tags: { team: "search" }, requested_model: "haiku", model: "claude-haiku-4-5", deployment: "bedrock-haiku", provider: "bedrock", cost_usd: "0.000001", input_tokens: 1, output_tokens: 1, cache_write_5m_tokens: null, cache_write_1h_tokens: null, cache_write_unsplit_tokens: null, cache_read_tokens: null, shadow_costs: { "anthropic-haiku": "0.000002" } }),
    sampleRow({ request_id: "s5", created_at: JAN_1_2026 + DAY + 2 * HOUR, key_id: "key_b", tags: { team: "search" }, requested_model: "haiku", model: null, deployment: null, provider: null, route: null, upstream_model_id: null, status: 529, error_type: "overloaded_error", attempts: [], cost_usd: "0", input_tokens: null, output_tokens: null, cache_write_5m_tokens: null, cache_write_1h_tokens: null, cache_write_unsplit_tokens: null, cache_read_tokens: null, shadow_costs: {} }),
    sampleRow({ request_id: "s6", created_at: JAN_1_2026 + DAY + 3 * HOUR, key_id: "key_a", tags: { team: "ads" }, status: 400, error_type: "invalid_request_error", cost_usd: null, cost_exact: false, input_tokens: null, output_tokens: null, cache_write_5m_tokens: null, cache_write_1h_tokens: null, cache_write_unsplit_tokens: null, cache_read_tokens: null, shadow_costs: {} }),
  ];
}

const summary = (groups: SpendGroup[]) => groups.map((group) => ({ ...group.group, requests: group.requests, cost: group.cost_usd }));

for (const makeLedger of [...TEST_LEDGERS, sqliteMemoryTestLedger]) {
  const testLedger: TestLedger = makeLedger();
  describe(`ledger store contract: ${testLedger.kind}`, () => {
    let ledger: Ledger;
    let nextId = 0;
    /** Rows in a range of their own so tests sharing the store do not see each other's rows. */
    const fresh = (overrides: Partial<LedgerRow> = {}) => sampleRow({ request_id: `t${++nextId}`, key_id: `isolated_${nextId}`, ...overrides });

    before(async () => {
      ledger = await openLedger({ ...testLedger.config, journal: false });
    });
    after(async () => {
      await ledger.close();
      await testLedger.cleanup();
    });

    test("migrate is idempotent", async () => {
      await ledger.store.migrate();
      await ledger.store.migrate();
      await ledger.keys.migrate();
    });

    test("a row comes back field for field", async () => {
      const row = fresh({ region: "us-east-1", warnings: ["cache TTL split not reported"], cost_usd_upper: "0.02", cost_exact: false });
      await ledger.store.insertBatch([row]);
      assert.deepEqual(await ledger.store.get(row.request_id), row);
      assert.equal(await ledger.store.get("no-such-request"), undefined);
    });

    test("text from a client, made storable, goes into every store", async () => {
      const raw = "claude\u0000x\uD800y\uDFFFz";
      const row = fresh({ requested_model: storableText(raw), warnings: [storableText(raw)] });
      await ledger.store.insertBatch([row, fresh({ requested_model: "the next row" })]);
      assert.deepEqual(await ledger.store.get(row.request_id), row);
    });

    test("an existing request_id is ignored, within a batch and across batches", async () => {
      const original = fresh({ cost_usd: "1.5", tags: { team: "first" } });
      await ledger.store.insertBatch([original]);
      const before = await ledger.store.count();
      const replay = { ...original, cost_usd: "99", tags: { team: "second" } };
      const other = fresh();
      await ledger.store.insertBatch([replay, other, other]);
      assert.equal(await ledger.store.count(), before + 1);
      assert.deepEqual(await ledger.store.get(original.request_id), original);
      // the replay's tags were not added either: grouping by team still sees only "first"
      const groups = await ledger.store.spend({ group_by: ["tag"], tag_key: "team", key_id: original.key_id as string });
      assert.deepEqual(summary(groups), [{ tag: "first", requests: 1, cost: "1.5" }]);
    });

    test("null (not reported) and 0 stay different", async () => {
      const unknown = fresh({ input_tokens: null, output_tokens: null, cache_write_5m_tokens: null, cache_write_1h_tokens: null, cache_write_unsplit_tokens: null, cache_read_tokens: null, web_search_requests: null, ttft_ms: null, cost_usd: null });
      const zero = fresh({ input_tokens: 0, output_tokens: 0, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, cache_write_unsplit_tokens: 0, cache_read_tokens: 0, web_search_requests: 0, ttft_ms: 0, cost_usd: "0" });
      await ledger.store.insertBatch([unknown, zero]);
      assert.deepEqual(await ledger.store.get(unknown.request_id), unknown);
      assert.deepEqual(await ledger.store.get(zero.request_id), zero);
    });

    test("money sums are exact: 0.1 + 0.2 + 0.3 = 0.6, unpriced rows add nothing", async () => {
      const key = "key_exact_small";
      await ledger.store.insertBatch([
        fresh({ key_id: key, cost_usd: "0.1", shadow_costs: { other: "0.1" } }),
        fresh({ key_id: key, cost_usd: "0.2", shadow_costs: { other: "0.2" } }),
        fresh({ key_id: key, cost_usd: null, shadow_costs: {} }),
      ]);
      assert.equal(await keySpend(ledger.store, key, 0), "0.3");
      await ledger.store.insertBatch([fresh({ key_id: key, cost_usd: "0.3", shadow_costs: { other: "0.30" } })]);
      assert.equal(await keySpend(ledger.store, key, 0), "0.6");
      const [group] = await ledger.store.spend({ group_by: [], key_id: key });
      assert.equal(group?.cost_usd, "0.6");
      assert.deepEqual(group?.shadow_costs, { other: "0.6" });
      assert.equal(group?.requests, 4);
    });

    test("shadow costs are summed over the requests cost_usd sums: an unpriced request's are left out, as its cost is; shadow_requests counts them per deployment", async () => {
      const key = "key_shadow_of_priced";
      await ledger.store.insertBatch([
        fresh({ key_id: key, cost_usd: "0.1", shadow_costs: { other: "0.12", partial: "0.3" } }),
        // A deployment with no price for something this request used gives it no shadow cost there.
        fresh({ key_id: key, cost_usd: "0.1", shadow_costs: { other: "0.13" } }),
        // Served, but the gateway had no price for the deployment that served it: its shadow cost elsewhere is known.
        fresh({ key_id: key, cost_usd: null, cost_exact: false, shadow_costs: { other: "5", partial: "5" } }),
        // Refused before any upstream: cost 0, no shadow costs.
        fresh({ key_id: key, deployment: null, status: 429, cost_usd: "0", shadow_costs: {} }),
      ]);
      for (const group_by of [[], ["key"], ["deployment"]] as const) {
        const by = `by ${group_by.join(",") || "nothing"}`;
        const groups = await ledger.store.spend({ group_by: [...group_by], key_id: key });
        const sum = (pick: (group: SpendGroup) => string | undefined) => formatUsd(groups.reduce((total, group) => total + attodollarsFromText(pick(group) ?? "0"), 0n));
        assert.equal(sum((group) => group.cost_usd), "0.2", `${by}: cost`);
        assert.equal(sum((group) => group.shadow_costs.other), "0.25", `${by}: the shadow costs of the same requests`);
        assert.equal(sum((group) => group.shadow_costs.partial), "0.3", `${by}: the shadow costs of the same requests`);
        assert.deepEqual(rollUp(groups, [])[0]?.shadow_requests, { other: 2, partial: 1 }, `${by}: the priced requests with a shadow cost on each deployment`);
      }
    });

    test("spend's charged_usd is what budgets count: an inexact cost's upper bound where it has one, as keysSpend sums it", async () => {
      const key = "key_charged";
      await ledger.store.insertBatch([
        fresh({ key_id: key, cost_usd: "0.1", cost_exact: true }),
        fresh({ key_id: key, cost_usd: "0.2", cost_exact: false, cost_usd_upper: "0.35" }),
        fresh({ key_id: key, cost_usd: null, cost_exact: false }),
      ]);
      const [group] = await ledger.store.spend({ group_by: [], key_id: key });
      assert.deepEqual([group?.cost_usd, group?.charged_usd], ["0.3", "0.45"]);
      assert.equal(await keySpend(ledger.store, key, 0), "0.45", "the same figure the gateway's budgets load");
      const [byKey] = rollUp(await ledger.store.spend({ group_by: ["key", "day"], key_id: key }), ["key"]);
      assert.equal(byKey?.charged_usd, "0.45", "and rolled up exactly");
    });

    test("money sums are exact over many rows and at the 18th decimal place", async () => {
      const key = "key_exact_many";
      const rows = Array.from({ length: 20_000 }, (_, index) =>
        sampleRow({ request_id: `many-${index}`, key_id: key, cost_usd: "0.000001", shadow_costs: { tiny: "0.000000000000000001" } }),
      );
      for (let start = 0; start < rows.length; start += 5_000) await ledger.store.insertBatch(rows.slice(start, start + 5_000));
      assert.equal(await keySpend(ledger.store, key, 0), "0.02");
      const [group] = await ledger.store.spend({ group_by: ["key"], key_id: key });
      assert.equal(group?.cost_usd, "0.02");
      assert.deepEqual(group?.shadow_costs, { tiny: "0.00000000000002" });

      const big = "key_exact_big";
      await ledger.store.insertBatch([
        fresh({ key_id: big, cost_usd: "12345678901234567890.123456789012345678" }),
        fresh({ key_id: big, cost_usd: "0.000000000000000001" }),
        fresh({ key_id: big, cost_usd: "0.876543210987654321" }),
      ]);
      assert.equal(await keySpend(ledger.store, big, 0), "12345678901234567891");
    });

    test("a long batch (several multi-row statements) keeps the first of each request_id and every field", async () => {
      const before = await ledger.store.count();
      const rows = Array.from({ length: 70 }, (_, index) => fresh({ cost_usd: `${index + 1}.5`, tags: { position: String(index) } }));
      // The positions below are chosen for 8-row statements: retune them with ROWS_PER_STATEMENT.
      assert.equal(ROWS_PER_STATEMENT, 8);
      // 74 rows; SQLite inserts them 8 to a statement (ROWS_PER_STATEMENT), then a 2-row tail. Repeats
      // inside one statement (position 5 repeats 1), across statements (11 repeats 3, 42 repeats 12)
      // and inside the tail (73 repeats 72).
      const batch = [
        ...rows.slice(0, 5),
        { ...rows[1], cost_usd: "6" },
        ...rows.slice(5, 10),
        { ...rows[3], cost_usd: "7" },
        ...rows.slice(10, 40),
        { ...rows[12], cost_usd: "8" },
        ...rows.slice(40),
        { ...rows[69], cost_usd: "9" },
      ] as LedgerRow[];
      assert.equal(batch.length, 74);
      await ledger.store.insertBatch(batch);
      assert.equal(await ledger.store.count(), before + 70);
      for (const row of [rows[0], rows[1], rows[3], rows[12], rows[31], rows[32], rows[63], rows[69]]) assert.deepEqual(await ledger.store.get((row as LedgerRow).request_id), row);
      const refused = Array.from({ length: 40 }, () => fresh());
      refused[33] = fresh({ cost_usd: "0.0000000000000000001" });
      await assert.rejects(ledger.store.insertBatch(refused));
      assert.equal(await ledger.store.count(), before + 70);
    });

    test("a batch with an amount finer than 10^-18 USD is refused whole", async () => {
      const before = await ledger.store.count();
      await assert.rejects(ledger.store.insertBatch([fresh(), fresh({ cost_usd: "0.0000000000000000001" })]));
      await assert.rejects(ledger.store.insertBatch([fresh({ shadow_costs: { other: "1e-3" } })]));
      assert.equal(await ledger.store.count(), before);
    });

    test("errors count a stream that began (200) and ended with an error, as well as error statuses", async () => {
      const at = JAN_1_2026 + 3 * 365 * DAY;
      const rows = [
        fresh({ created_at: at, status: 200, error_type: null }),
        fresh({ created_at: at, status: 200, error_type: "overloaded_error" }),
        fresh({ created_at: at, status: 529, error_type: "overloaded_error" }),
      ];
      await ledger.store.insertBatch(rows);
      const [group] = await ledger.store.spend({ from: at, to: at + DAY, group_by: [], key_id: rows[1]?.key_id as string });
      assert.deepEqual([group?.requests, group?.errors], [1, 1], "the stream cut by an error event");
      const all = await Promise.all(rows.map((row) => ledger.store.spend({ from: at, to: at + DAY, group_by: [], key_id: row.key_id as string })));
      assert.deepEqual(all.map((groups) => groups[0]?.errors), [0, 1, 1]);
    });

    test("spend groups by every dimension", async () => {
      const fixture = spendFixture().map((row) => ({ ...row, request_id: `spend-${row.request_id}`, tags: { ...row.tags, fixture: "spend" } }));
      // The fixture is alone in [Jan 1, Jan 3) except for rows other tests put there; give it its own year.
      const shifted = fixture.map((row) => ({ ...row, created_at: row.created_at + 365 * DAY }));
      await ledger.store.insertBatch(shifted);
      const from = JAN_1_2026 + 365 * DAY;
      const to = from + 2 * DAY;
      const spend = (group_by: ("day" | "key" | "model" | "requested_model" | "provider" | "deployment" | "tag")[], extra: { tag_key?: string; key_id?: string; from?: number; to?: number } = {}) =>
        ledger.store.spend({ from, to, group_by, ...extra });

      const byDay = await spend(["day"]);
      assert.deepEqual(summary(byDay), [
        { day: "2027-01-01", requests: 2, cost: "0.3" },
        { day: "2027-01-02", requests: 4, cost: "0.300001" },
      ]);
      const [first, second] = byDay;
      assert.equal(first?.inexact_requests, 1);
      assert.equal(first?.input_tokens, 100);
      assert.equal(first?.output_tokens, 30);
      assert.equal(first?.cache_write_tokens, 14);
      assert.equal(first?.cache_read_tokens, 1000);
      assert.deepEqual(first?.shadow_costs, { "bedrock-sonnet-us": "0.33", "vertex-sonnet": "0.2" });
      assert.equal(second?.errors, 2);
      assert.equal(second?.inexact_requests, 1);
      assert.deepEqual(second?.shadow_costs, { "anthropic-haiku": "0.000002" });

      assert.deepEqual(summary(await spend(["key"])), [
        { key: "key_a", requests: 3, cost: "0.3" },
        { key: "key_b", requests: 2, cost: "0.3" },
        { key: null, requests: 1, cost: "0.000001" },
      ]);
      assert.deepEqual(summary(await spend(["model"])), [
        { model: "claude-sonnet-4-5", requests: 4, cost: "0.6" },
        { model: "claude-haiku-4-5", requests: 1, cost: "0.000001" },
        { model: null, requests: 1, cost: "0" },
      ]);
      assert.deepEqual(summary(await spend(["requested_model"])), [
        { requested_model: "claude-sonnet-4-5", requests: 4, cost: "0.6" },
        { requested_model: "haiku", requests: 2, cost: "0.000001" },
      ]);
      assert.deepEqual(summary(await spend(["provider"])), [
        { provider: "anthropic", requests: 4, cost: "0.6" },
        { provider: "bedrock", requests: 1, cost: "0.000001" },
        { provider: null, requests: 1, cost: "0" },
      ]);
      assert.deepEqual(summary(await spend(["deployment"])), [
        { deployment: "anthropic-sonnet", requests: 4, cost: "0.6" },
        { deployment: "bedrock-haiku", requests: 1, cost: "0.000001" },
        { deployment: null, requests: 1, cost: "0" },
      ]);
      assert.deepEqual(summary(await spend(["tag"], { tag_key: "team" })), [
        { tag: null, requests: 1, cost: "0.3" },
        { tag: "ads", requests: 2, cost: "0.2" },
        { tag: "search", requests: 3, cost: "0.100001" },
      ]);
      assert.deepEqual(summary(await spend(["day", "provider"])), [
        { day: "2027-01-01", provider: "anthropic", requests: 2, cost: "0.3" },
        { day: "2027-01-02", provider: null, requests: 1, cost: "0" },
        { day: "2027-01-02", provider: "anthropic", requests: 2, cost: "0.3" },
        { day: "2027-01-02", provider: "bedrock", requests: 1, cost: "0.000001" },
      ]);
      assert.deepEqual(summary(await spend(["model"], { key_id: "key_a" })), [{ model: "claude-sonnet-4-5", requests: 3, cost: "0.3" }]);
      assert.deepEqual(summary(await spend(["day"], { from: from + DAY })), [{ day: "2027-01-02", requests: 4, cost: "0.300001" }]);
      assert.deepEqual(summary(await spend(["day"], { to: from + DAY })), [{ day: "2027-01-01", requests: 2, cost: "0.3" }]);
      assert.deepEqual(await spend(["day"], { from: to + DAY, to: to + 2 * DAY }), []);
      await assert.rejects(spend(["tag"]), SpendQueryError);
    });

    test("keySpend counts one key from the start of its budget month", async () => {
      const key = "key_budget";
      await ledger.store.insertBatch([
        fresh({ key_id: key, created_at: FEB_1_2026 - 1, cost_usd: "5" }),
        fresh({ key_id: key, created_at: FEB_1_2026, cost_usd: "1.25" }),
        fresh({ key_id: key, created_at: FEB_1_2026 + 10 * DAY, cost_usd: "0.75" }),
        fresh({ key_id: "key_budget_other", created_at: FEB_1_2026 + DAY, cost_usd: "100" }),
      ]);
      const window = monthWindow(FEB_1_2026 + 15 * DAY);
      assert.deepEqual(window, { from: FEB_1_2026, resets_at: Date.UTC(2026, 2, 1) });
      assert.equal(await keySpend(ledger.store, key, window.from), "2");
      assert.equal(await keySpend(ledger.store, key, monthWindow(FEB_1_2026 - 1).from), "7");
      assert.equal(await keySpend(ledger.store, "key_never_used", window.from), "0");
      // Several keys in one query: the same figures, unused keys included.
      assert.deepEqual(
        [...(await ledger.store.keysSpend([key, "key_budget_other", "key_never_used"], window.from))].sort(),
        [[key, "2"], ["key_budget_other", "100"], ["key_never_used", "0"]].sort(),
      );
      assert.deepEqual(await ledger.store.keysSpend([], window.from), new Map());
      // An inexact cost with a known upper bound (cache writes of unknown TTL) counts at that bound: budgets err towards refusing.
      await ledger.store.insertBatch([fresh({ key_id: key, created_at: FEB_1_2026 + DAY, cost_usd: "1", cost_exact: false, cost_usd_upper: "1.6" })]);
      assert.equal(await keySpend(ledger.store, key, window.from), "3.6");
    });

    test("recent returns the newest rows first, filtered by key and status", async () => {
      const key = "key_recent";
      const rows = [0, 1, 2, 3].map((index) => fresh({ key_id: key, created_at: Date.UTC(2030, 0, 1) + index * 1000, status: index % 2 === 0 ? 200 : 429 }));
      await ledger.store.insertBatch(rows);
      assert.deepEqual((await ledger.store.recent(3, { key_id: key })).map((row) => row.request_id), [rows[3], rows[2], rows[1]].map((row) => row?.request_id));
      assert.deepEqual((await ledger.store.recent(10, { key_id: key, status: 429 })).map((row) => row.request_id), [rows[3], rows[1]].map((row) => row?.request_id));
      assert.deepEqual((await ledger.store.recent(1))[0], rows[3]);
    });

    test("spend reads one snapshot: while rows arrive, the shadow costs are always of the same requests as the totals", async () => {
      const key = "key_snapshot";
      // Each row's shadow cost is twice its cost: a report mixing two moments breaks the ratio.
      const batch = (start: number) =>
        Array.from({ length: 250 }, (_, offset) => {
          const index = start + offset + 1;
          return fresh({ key_id: key, cost_usd: formatUsd(BigInt(index) * 1_000_000n), shadow_costs: { other: formatUsd(BigInt(index) * 2_000_000n) } });
        });
      let inserting = true;
      const inserts = (async () => {
        try {
          for (let start = 0; start < 12_000; start += 250) await ledger.store.insertBatch(batch(start));
        } finally {
          inserting = false;
        }
      })();
      let reports = 0;
      let sawRows = 0;
      try {
        while (inserting || reports === 0) {
          const [group] = await ledger.store.spend({ group_by: [], key_id: key });
          reports += 1;
          if (!group) continue;
          sawRows = Math.max(sawRows, group.requests);
          assert.equal(attodollarsFromText(group.shadow_costs.other ?? "0"), 2n * attodollarsFromText(group.cost_usd), `report ${reports} at ${group.requests} rows`);
        }
      } finally {
        await inserts;
      }
      assert.ok(reports >= 2 && sawRows > 0, `${reports} reports`);
    });

    test("count counts rows", async () => {
      const before = await ledger.store.count();
      await ledger.store.insertBatch([fresh(), fresh()]);
      assert.equal(await ledger.store.count(), before + 2);
    });
  });
}
