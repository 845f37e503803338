/**
 * A ledger that cannot take a row (its journal's disk is full) neither takes the gateway down nor
 * keeps a paid-for answer from its client: the answer goes out, the lost row is reported, and the
 * key's budget still counts the cost.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { Journal } from "../../src/ledger/journal.js";
import { lostRowReport } from "../../src/gateway/request-report.js";
import { eventually } from "../helpers/eventually.js";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
/** While set, the ledger journal's appends fail as they do on a full disk: record() throws, no row. */
let diskFull = false;

before(async () => {
  harness = await startHarness();
  const journal = (harness.ledger.writer as unknown as { journal: Journal }).journal;
  const append = journal.append.bind(journal);
  journal.append = (line: string) => {
    if (diskFull) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    append(line);
  };
});

after(async () => {
  await harness.close();
});

test("with a ledger that cannot record, answers still go out (JSON and streamed), the loss is reported, and the budget counts the cost", async (t) => {
  const { secret } = await harness.createKey({ name: "disk-full", budget: "0.0000001" });
  const client = new Anthropic({ apiKey: secret, baseURL: harness.gateway.url, maxRetries: 0, timeout: 10_000 });
  const reports: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (String(chunk).startsWith("switchyard ledger:")) reports.push(String(chunk));
    return (write as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  t.after(() => {
    process.stderr.write = write;
    diskFull = false;
  });

  diskFull = true;
  const { data, response } = await client.messages.create({ model: "claude-haiku-4-5", max_tokens: 20, messages: [{ role: "user", content: "Hi" }] }).withResponse();
  assert.equal(response.status, 200);
  assert.ok(data.content.length > 0);
  const other = new Anthropic({ apiKey: harness.key, baseURL: harness.gateway.url, maxRetries: 0, timeout: 10_000 });
  const stream = other.messages.stream({ model: "claude-haiku-4-5", max_tokens: 20, messages: [{ role: "user", content: "Hi" }] });
  const message = await stream.finalMessage();
  assert.equal(message.stop_reason === "end_turn" || message.stop_reason === "max_tokens", true);
  assert.equal(reports.length, 1, "the first loss at once, then at most a line every 10 s");
  assert.match(reports[0] as string, /^switchyard ledger: 1 request\(s\) answered without a ledger row \(the last req_sy_\S+\): ENOSPC/);

  await harness.ledger.writer.flush();
  assert.equal(await harness.ledger.store.get(response.headers.get("request-id") as string), undefined, "its row really is lost");

  // The unrecorded request's cost still counts against the key's (tiny) budget.
  diskFull = false;
  await assert.rejects(client.messages.create({ model: "claude-haiku-4-5", max_tokens: 20, messages: [{ role: "user", content: "Hi" }] }), (error: unknown) => {
    assert.ok(error instanceof Anthropic.RateLimitError, String(error));
    assert.match(error.message, /disk-full.*monthly budget/);
    return true;
  });
  // And the gateway goes on recording once the disk has room again.
  const { response: later } = await other.messages.create({ model: "claude-haiku-4-5", max_tokens: 20, messages: [{ role: "user", content: "Hi" }] }).withResponse();
  await harness.ledger.writer.flush();
  assert.ok(await harness.ledger.store.get(later.headers.get("request-id") as string));
});

test("lost rows are reported: the first at once, the ones after it as one count when the period is over, even if no loss follows", async () => {
  const reports: string[] = [];
  // A period no pause between two synchronous calls outlasts (50 ms did, under a loaded test run).
  const report = lostRowReport((error) => reports.push(error.message), 500);
  report.note("req_1", new Error("ENOSPC"));
  assert.deepEqual(reports, ["1 request(s) answered without a ledger row (the last req_1): ENOSPC"]);
  report.note("req_2", new Error("ENOSPC"));
  report.note("req_3", new Error("EIO"));
  assert.equal(reports.length, 1, "within the period: counted, not written");
  await eventually(() => (reports.length === 2 ? true : undefined), "the count after the period", 2_000);
  assert.equal(reports[1], "2 request(s) answered without a ledger row (the last req_3): EIO");
  report.note("req_4", new Error("ENOSPC"));
  report.stop();
  assert.equal(reports[2], "1 request(s) answered without a ledger row (the last req_4): ENOSPC", "stopping says what is still unsaid");
  report.stop();
  assert.equal(reports.length, 3);
});
