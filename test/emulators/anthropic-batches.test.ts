import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import { ManualClock } from "../../src/emulators/shared/clock.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { MODEL, fixtureModels } from "./emulator-fixtures.js";

let emulator: RunningEmulator;
let client: Anthropic;
const clock = new ManualClock();

before(async () => {
  emulator = await startAnthropicEmulator({ models: fixtureModels, clock, batchProcessingMs: 1000 });
  client = new Anthropic({ apiKey: "sk-emulator", baseURL: emulator.url, maxRetries: 0 });
});
after(() => emulator.close());

const params = (content: string, model = MODEL) => ({ model, max_tokens: 100, messages: [{ role: "user" as const, content }] });

test("a batch runs: in_progress, then ended after the processing delay, with JSONL results at an absolute URL", async () => {
  const batch = await client.messages.batches.create({
    requests: [
      { custom_id: "first", params: params("one") },
      { custom_id: "second", params: params("two") },
      { custom_id: "bad-model", params: params("three", "claude-nope") },
    ],
  });
  assert.match(batch.id, /^msgbatch_01/);
  assert.equal(batch.processing_status, "in_progress");
  assert.equal(batch.request_counts.processing, 3);
  assert.equal(batch.results_url, null);
  await assert.rejects(client.messages.batches.results(batch.id), /results_url/);

  clock.advance(1000);
  const ended = await client.messages.batches.retrieve(batch.id);
  assert.equal(ended.processing_status, "ended");
  assert.deepEqual(ended.request_counts, { processing: 0, succeeded: 2, errored: 1, canceled: 0, expired: 0 });
  assert.ok(ended.results_url?.startsWith(`${emulator.url}/v1/messages/batches/${batch.id}/results`));
  assert.ok(ended.ended_at !== null);

  const lines: Anthropic.Messages.MessageBatchIndividualResponse[] = [];
  for await (const line of await client.messages.batches.results(batch.id)) lines.push(line);
  assert.deepEqual(lines.map((line) => [line.custom_id, line.result.type]), [["first", "succeeded"], ["second", "succeeded"], ["bad-model", "errored"]]);
  const first = lines[0]?.result;
  assert.ok(first?.type === "succeeded");
  assert.equal(first.message.usage.service_tier, "batch");
  const direct = await client.messages.create(params("one"));
  assert.deepEqual(first.message.content, direct.content, "a batch answers like /v1/messages");
  const errored = lines[2]?.result;
  assert.ok(errored?.type === "errored");
  assert.equal(errored.error.error.type, "not_found_error");
});

test("list paginates newest first with limit / after_id, and the SDK iterates every page", async () => {
  const created: string[] = [];
  for (let index = 0; index < 3; index += 1) created.push((await client.messages.batches.create({ requests: [{ custom_id: `r${index}`, params: params(`p${index}`) }] })).id);
  const page = await client.messages.batches.list({ limit: 2 });
  assert.deepEqual(page.data.map((batch) => batch.id), [created[2], created[1]]);
  assert.equal(page.has_more, true);
  const all: string[] = [];
  for await (const batch of client.messages.batches.list({ limit: 2 })) all.push(batch.id);
  assert.deepEqual(all.slice(0, 3), [created[2], created[1], created[0]]);
  assert.equal(new Set(all).size, all.length);
});

test("cancel: canceling, then ended with every request canceled; only ended batches can be deleted", async () => {
  const batch = await client.messages.batches.create({ requests: [{ custom_id: "a", params: params("x") }, { custom_id: "b", params: params("y") }] });
  await assert.rejects(client.messages.batches.delete(batch.id), (error: unknown) => error instanceof Anthropic.BadRequestError);
  const canceling = await client.messages.batches.cancel(batch.id);
  assert.equal(canceling.processing_status, "canceling");
  assert.ok(canceling.cancel_initiated_at !== null);
  clock.advance(100);
  const ended = await client.messages.batches.retrieve(batch.id);
  assert.equal(ended.processing_status, "ended");
  assert.equal(ended.request_counts.canceled, 2);
  const results: string[] = [];
  for await (const line of await client.messages.batches.results(batch.id)) results.push(line.result.type);
  assert.deepEqual(results, ["canceled", "canceled"]);
  const deleted = await client.messages.batches.delete(batch.id);
  assert.deepEqual(deleted, { id: batch.id, type: "message_batch_deleted" });
  await assert.rejects(client.messages.batches.retrieve(batch.id), (error: unknown) => error instanceof Anthropic.NotFoundError);
});

test("create refuses duplicate custom_ids and bad custom_id characters", async () => {
  await assert.rejects(
    client.messages.batches.create({ requests: [{ custom_id: "same", params: params("a") }, { custom_id: "same", params: params("b") }] }),
    (error: unknown) => error instanceof Anthropic.BadRequestError && /used more than once/.test(error.message),
  );
  await assert.rejects(
    client.messages.batches.create({ requests: [{ custom_id: "has space", params: params("a") }] }),
    (error: unknown) => error instanceof Anthropic.BadRequestError,
  );
});
