import { test } from "node:test";
import assert from "node:assert/strict";
import { insertSettingAside, RowsRefusedError, type LedgerRow } from "../../src/ledger/ledger.js";
import { loadRow } from "./sample-rows.js";

test("insertSettingAside inserts in batches of at most batchRows, halves a refused batch until the refused rows are alone, and stores every other row", async () => {
  const rows = Array.from({ length: 13 }, (_, index) => loadRow("aside", index));
  const bad = new Set(["aside-0", "aside-6", "aside-7", "aside-12"]);
  const stored: string[] = [];
  let calls = 0;
  const sizes: number[] = [];
  const insert = (batch: LedgerRow[]) => {
    calls += 1;
    sizes.push(batch.length);
    const refusedHere = batch.find((row) => bad.has(row.request_id));
    if (refusedHere) throw new RowsRefusedError(`refused ${refusedHere.request_id}`);
    stored.push(...batch.map((row) => row.request_id));
  };
  const refused = await insertSettingAside(insert, rows, 5);
  assert.equal(sizes[0], 5, "the first batch is batchRows rows");
  assert.ok(Math.max(...sizes) <= 5, `batches of ${sizes.join(", ")}`);
  assert.deepEqual(refused.map(({ row, reason }) => [row.request_id, reason]), [...bad].map((id) => [id, `refused ${id}`]));
  assert.deepEqual(stored, rows.map((row) => row.request_id).filter((id) => !bad.has(id)));
  assert.ok(calls < 2 * rows.length, `${calls} calls for ${rows.length} rows`);
});

test("insertSettingAside passes on any other failure (the store is down) at once, for a retry", async () => {
  let calls = 0;
  await assert.rejects(
    insertSettingAside(
      async () => {
        calls += 1;
        throw new Error("connection refused");
      },
      [loadRow("down", 1), loadRow("down", 2)],
      10,
    ),
    /connection refused/,
  );
  assert.equal(calls, 1);
});
