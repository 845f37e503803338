/**
 * The Anthropic emulator's Files API with the official SDK: upload, list (paged both ways the API
 * and the SDK page), metadata, download (refused for an upload, FileNotDownloadableError, unless
 * the emulator stands in for tool-made files), delete; and its Messages and count_tokens routes
 * refuse a file source without the Files beta, or naming a file it does not hold.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic, { toFile } from "@anthropic-ai/sdk";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { MODEL, fixtureModels } from "./emulator-fixtures.js";

const FILES_BETA = "files-api-2025-04-14";

let emulator: RunningEmulator;
let other: RunningEmulator;
let client: Anthropic;

before(async () => {
  emulator = await startAnthropicEmulator({ models: fixtureModels });
  other = await startAnthropicEmulator({ models: fixtureModels, uploadsDownloadable: true });
  client = new Anthropic({ apiKey: "sk-emulator", baseURL: emulator.url, maxRetries: 0 });
});
after(async () => {
  await emulator.close();
  await other.close();
});

const upload = async (target: Anthropic, name: string, text: string, type = "text/plain") =>
  target.beta.files.upload({ file: await toFile(Buffer.from(text), name, { type }), betas: [FILES_BETA] });

test("an upload answers the API's file metadata; list pages newest first, by after_id and by the SDK's page cursor; delete answers file_deleted", async () => {
  const first = await upload(client, "report.txt", "first file");
  assert.match(first.id, /^file_011C[0-9A-Za-z]{20}$/);
  assert.deepEqual({ ...first, id: "", created_at: "" }, { id: "", type: "file", filename: "report.txt", mime_type: "text/plain", size_bytes: 10, created_at: "", downloadable: false });
  assert.ok(!Number.isNaN(Date.parse(first.created_at)));
  assert.equal(first.created_at, new Date(first.created_at).toISOString());
  const second = await upload(client, "dir/chart.png", "not really a png", "image/png");
  assert.equal(second.filename, "chart.png", "only the final path component is kept");
  const third = await upload(client, "notes.pdf", "not really a pdf", "application/pdf");

  const page = await fetch(`${emulator.url}/v1/files?limit=2`, { headers: { "x-api-key": "sk-emulator", "anthropic-version": "2023-06-01" } });
  const body = (await page.json()) as { data: { id: string }[]; has_more: boolean; first_id: string; last_id: string; next_page: string | null };
  assert.deepEqual(body.data.map((file) => file.id), [third.id, second.id]);
  assert.equal(body.has_more, true);
  assert.equal(body.first_id, third.id);
  assert.equal(body.last_id, second.id);
  assert.equal(body.next_page, second.id);
  const rest = await fetch(`${emulator.url}/v1/files?limit=2&after_id=${second.id}`, { headers: { "x-api-key": "sk-emulator", "anthropic-version": "2023-06-01" } });
  assert.deepEqual(((await rest.json()) as { data: { id: string }[] }).data.map((file) => file.id), [first.id]);
  // The SDK follows next_page through every page.
  const all: string[] = [];
  for await (const file of client.beta.files.list({ limit: 1, betas: [FILES_BETA] })) all.push(file.id);
  assert.deepEqual(all, [third.id, second.id, first.id]);

  assert.equal((await client.beta.files.retrieveMetadata(second.id)).mime_type, "image/png");
  assert.deepEqual(await client.beta.files.delete(second.id), { id: second.id, type: "file_deleted" });
  const gone = await client.beta.files.retrieveMetadata(second.id).then(
    () => assert.fail("deleted"),
    (error: unknown) => error,
  );
  assert.ok(gone instanceof Anthropic.NotFoundError, String(gone));
  assert.equal((gone.error as { error: { message: string } }).error.message, `File \`${second.id}\` not found.`);
});

test("an uploaded file cannot be downloaded (FileNotDownloadableError); an emulator standing in for tool-made files serves its bytes", async () => {
  const file = await upload(client, "mine.txt", "uploaded");
  const refused = await client.beta.files.download(file.id).then(
    () => assert.fail("not downloadable"),
    (error: unknown) => error,
  );
  assert.ok(refused instanceof Anthropic.BadRequestError, String(refused));
  assert.equal(refused.constructor.name, "FileNotDownloadableError");

  const otherClient = new Anthropic({ apiKey: "sk-emulator", baseURL: other.url, maxRetries: 0 });
  const made = await upload(otherClient, "chart data.csv", "a,b\n1,2\n", "text/csv");
  assert.equal(made.downloadable, true);
  const content = await otherClient.beta.files.download(made.id);
  assert.equal(await content.text(), "a,b\n1,2\n");
  assert.equal(content.headers.get("content-type"), "text/csv");
});

test("a message naming a file: without the Files beta a 400; a file this emulator does not hold a 404; a held one is answered; count_tokens alike", async () => {
  const held = await upload(client, "held.txt", "the content");
  const elsewhere = await upload(new Anthropic({ apiKey: "sk-emulator", baseURL: other.url, maxRetries: 0 }), "elsewhere.txt", "other workspace");
  const ask = (fileId: string) => [{ role: "user" as const, content: [{ type: "text" as const, text: "Read it" }, { type: "document" as const, source: { type: "file" as const, file_id: fileId } }] }];

  const noBeta = await client.messages.create({ model: MODEL, max_tokens: 16, messages: ask(held.id) }).then(
    () => assert.fail("needs the beta"),
    (error: unknown) => error,
  );
  assert.ok(noBeta instanceof Anthropic.BadRequestError, String(noBeta));
  assert.match((noBeta.error as { error: { message: string } }).error.message, /^messages\.0\.content\.1\.source\.file_id: .*files-api-2025-04-14/);

  const notHere = await client.beta.messages.create({ model: MODEL, max_tokens: 16, betas: [FILES_BETA], messages: ask(elsewhere.id) }).then(
    () => assert.fail("another workspace's file"),
    (error: unknown) => error,
  );
  assert.ok(notHere instanceof Anthropic.NotFoundError, String(notHere));
  assert.equal((notHere.error as { error: { message: string } }).error.message, `File \`${elsewhere.id}\` not found.`);

  const container = await client.beta.messages.create({ model: MODEL, max_tokens: 16, betas: [FILES_BETA], messages: [{ role: "user", content: [{ type: "text", text: "Analyse" }, { type: "container_upload", file_id: elsewhere.id }] }] }).then(
    () => assert.fail("another workspace's file"),
    (error: unknown) => error,
  );
  assert.ok(container instanceof Anthropic.NotFoundError, String(container));

  const answered = await client.beta.messages.create({ model: MODEL, max_tokens: 16, betas: [FILES_BETA], messages: ask(held.id) });
  assert.equal(answered.type, "message");
  const counted = await client.beta.messages.countTokens({ model: MODEL, betas: [FILES_BETA], messages: ask(held.id) });
  assert.equal(typeof counted.input_tokens, "number");
  const uncounted = await client.beta.messages.countTokens({ model: MODEL, betas: [FILES_BETA], messages: ask(elsewhere.id) }).then(
    () => assert.fail("another workspace's file"),
    (error: unknown) => error,
  );
  assert.ok(uncounted instanceof Anthropic.NotFoundError, String(uncounted));
});

test("a filename the API forbids, or a body that is not multipart, is a 400", async () => {
  const bad = await upload(client, "what?.txt", "x").then(
    () => assert.fail("forbidden character"),
    (error: unknown) => error,
  );
  assert.ok(bad instanceof Anthropic.BadRequestError, String(bad));
  assert.match((bad.error as { error: { message: string } }).error.message, /^Invalid filename/);
  const json = await fetch(`${emulator.url}/v1/files`, { method: "POST", headers: { "x-api-key": "sk-emulator", "anthropic-version": "2023-06-01", "content-type": "application/json" }, body: "{}" });
  assert.equal(json.status, 400);
});
