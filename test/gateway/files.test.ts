/**
 * The Files API end to end, with the official SDK → gateway → emulators: an upload goes to the
 * provider that holds files (files.provider), and a Messages request naming the file goes only to
 * that provider's deployments, though another Anthropic-shape deployment comes first in the
 * ranking; where the model has none (another workspace, Bedrock), the client gets a 400 naming the
 * file's block, its id and the provider holding files. A file the workspace does not hold is its
 * 404, never a reason to try another workspace.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic, { toFile } from "@anthropic-ai/sdk";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { startHarness, upstreamRequests, type Harness } from "../helpers/gateway-harness.js";

const FILES_BETA = "files-api-2025-04-14";
const MAX_FILE_BYTES = 100_000;

let workspace: RunningEmulator;
let harness: Harness;
let client: Anthropic;

// Ordered routing puts other-sonnet (the harness's anthropic-emulator, another workspace) first:
// without file affinity a request naming a file would go there, which does not hold it.
const deployments = `deployments:
  - { id: other-sonnet, provider: anthropic-emulator, model: claude-sonnet-4-6, route: global, priority: -1 }
  - { id: files-sonnet, provider: files-workspace, model: claude-sonnet-4-6, route: global }
  - { id: files-sonnet-us, provider: files-workspace, model: claude-sonnet-4-6, route: us }
  - { id: bedrock-haiku, provider: bedrock-emulator, model: claude-haiku-4-5, route: global }
models:
  sonnet: [other-sonnet, files-sonnet, files-sonnet-us]
  other-workspace-only: [other-sonnet]
  bedrock-only: [bedrock-haiku]
`;

before(async () => {
  workspace = await startAnthropicEmulator({ uploadsDownloadable: true });
  harness = await startHarness({
    providers: `  files-workspace: { kind: anthropic, base_url: "${workspace.url}", api_key_env: TEST_FILES_KEY }`,
    deployments,
    policy: "ordered",
    extra: `files: { provider: files-workspace, max_file_bytes: ${MAX_FILE_BYTES} }`,
    env: { TEST_FILES_KEY: "sk-emulator" },
  });
  client = harness.client();
});

after(async () => {
  await harness.close();
  await workspace.close();
});

function filesIn(emulator: RunningEmulator): number {
  const files = (emulator.state() as { files?: unknown }).files;
  if (typeof files !== "number") throw new Error("emulator state has no files count");
  return files;
}

/** The message of an error answer, as the gateway wrote it (the SDK's `message` holds the body's JSON text). */
function messageOf(error: unknown): string {
  assert.ok(error instanceof Anthropic.APIError, String(error));
  return (error.error as { error?: { message?: string } }).error?.message ?? "";
}

async function upload(name: string, text: string): Promise<Anthropic.Beta.Files.BetaFileMetadata> {
  return client.beta.files.upload({ file: await toFile(Buffer.from(text), name, { type: "text/plain" }), betas: [FILES_BETA] });
}

const documentOf = (fileId: string) => ({ type: "document" as const, source: { type: "file" as const, file_id: fileId } });
const askAbout = (fileId: string) => [{ role: "user" as const, content: [{ type: "text" as const, text: "Summarise this" }, documentOf(fileId)] }];

describe("the Files API through the gateway", () => {
  test("upload, list (its query passed through), metadata and download reach the workspace that holds files, and only it", async () => {
    const before = filesIn(harness.anthropic);
    const { data: first, response } = await client.beta.files
      .upload({ file: await toFile(Buffer.from("The quarterly numbers are up."), "q3.txt", { type: "text/plain" }), betas: [FILES_BETA] })
      .withResponse();
    assert.match(first.id, /^file_/);
    assert.equal(first.type, "file");
    assert.equal(first.filename, "q3.txt");
    assert.equal(first.mime_type, "text/plain");
    assert.equal(first.size_bytes, 29);
    assert.equal(typeof first.created_at, "string");
    assert.equal(response.headers.get("x-switchyard-provider"), "files-workspace");
    assert.match(response.headers.get("request-id") ?? "", /^req_sy_/);
    assert.equal(filesIn(workspace) >= 1, true);
    assert.equal(filesIn(harness.anthropic), before, "nothing was uploaded to the other workspace");

    const second = await upload("q4.txt", "Q4 is flat.");
    const listed = await client.beta.files.list({ betas: [FILES_BETA] });
    assert.deepEqual(listed.data.slice(0, 2).map((file) => file.id), [second.id, first.id]);
    const page = await fetch(`${harness.gateway.url}/v1/files?limit=1`, { headers: { "x-api-key": harness.key, "anthropic-version": "2023-06-01" } });
    const onePage = (await page.json()) as { data: { id: string }[]; has_more: boolean };
    assert.equal(onePage.data.length, 1, "limit reached the upstream");
    assert.equal(onePage.has_more, true);

    const metadata = await client.beta.files.retrieveMetadata(first.id, { betas: [FILES_BETA] });
    assert.equal(metadata.filename, "q3.txt");
    const content = await client.beta.files.download(first.id, { betas: [FILES_BETA] });
    assert.equal(await content.text(), "The quarterly numbers are up.");
  });

  test("a message naming the file goes to the workspace that holds it, though another deployment ranks first; count_tokens too", async () => {
    const file = await upload("notes.txt", "Remember the milk.");
    const { data, response } = await client.beta.messages.create({ model: "sonnet", max_tokens: 32, betas: [FILES_BETA], messages: askAbout(file.id) }).withResponse();
    assert.equal(data.type, "message");
    assert.equal(response.headers.get("x-switchyard-deployment"), "files-sonnet");
    assert.equal(response.headers.get("x-switchyard-attempts"), "1");
    // Without a file, the same model goes to the first deployment.
    const plain = await client.messages.create({ model: "sonnet", max_tokens: 32, messages: [{ role: "user", content: "Hello" }] }).withResponse();
    assert.equal(plain.response.headers.get("x-switchyard-deployment"), "other-sonnet");

    const counted = await client.beta.messages.countTokens({ model: "sonnet", betas: [FILES_BETA], messages: askAbout(file.id) }).withResponse();
    assert.equal(counted.response.headers.get("x-switchyard-deployment"), "files-sonnet");
    assert.equal(typeof counted.data.input_tokens, "number");

    // A file_id inside a tool result, and a container_upload block, count as well.
    const nested = await client.beta.messages
      .create({
        model: "sonnet",
        max_tokens: 32,
        betas: [FILES_BETA],
        messages: [
          { role: "user", content: "Read the report" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "read", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [documentOf(file.id)] }] },
        ],
      })
      .withResponse();
    assert.equal(nested.response.headers.get("x-switchyard-deployment"), "files-sonnet");
  });

  test("a model with no deployment on the workspace holding files: a 400 naming the block, the file and the provider; nothing is sent", async () => {
    const file = await upload("plan.txt", "The plan.");
    const sentBefore = upstreamRequests(harness.anthropic);
    const refused = await client.beta.messages.create({ model: "other-workspace-only", max_tokens: 32, betas: [FILES_BETA], messages: askAbout(file.id) }).then(
      () => assert.fail("refused"),
      (error: unknown) => error,
    );
    assert.ok(refused instanceof Anthropic.BadRequestError, String(refused));
    assert.equal((refused.error as { error?: { type?: string } }).error?.type, "invalid_request_error");
    assert.ok(messageOf(refused).includes(`other-sonnet fails messages.0.content.1.source (file_id "${file.id}")`), messageOf(refused));
    assert.match(messageOf(refused), /files are held by provider files-workspace \(files\.provider\), not anthropic-emulator/);
    assert.equal(upstreamRequests(harness.anthropic), sentBefore, "nothing reached the other workspace");

    const counting = await client.beta.messages.countTokens({ model: "other-workspace-only", betas: [FILES_BETA], messages: askAbout(file.id) }).then(
      () => assert.fail("refused"),
      (error: unknown) => error,
    );
    assert.ok(counting instanceof Anthropic.BadRequestError, String(counting));
    assert.match(counting.message, /files-workspace/);
  });

  test("a Bedrock-only model with a file source, with or without the beta header: a 400 naming the file and the provider holding files; Bedrock gets nothing", async () => {
    const sentBefore = upstreamRequests(harness.bedrock);
    const container = { role: "user" as const, content: [{ type: "text" as const, text: "Analyse" }, { type: "container_upload" as const, file_id: "file_011CcontainerInput" }] };
    for (const [messages, path, fileId, betas] of [
      [askAbout("file_011Cbedrock"), "messages.0.content.1.source", "file_011Cbedrock", [FILES_BETA]],
      [askAbout("file_011Cbedrock"), "messages.0.content.1.source", "file_011Cbedrock", []],
      [[container], "messages.0.content.1", "file_011CcontainerInput", [FILES_BETA]],
    ] as const) {
      const refused = await client.beta.messages.create({ model: "bedrock-only", max_tokens: 32, betas: [...betas], messages: [...messages] }).then(
        () => assert.fail("refused"),
        (error: unknown) => error,
      );
      assert.ok(refused instanceof Anthropic.BadRequestError, String(refused));
      assert.ok(messageOf(refused).includes(`bedrock-haiku fails ${path} (file_id "${fileId}")`), messageOf(refused));
      assert.match(messageOf(refused), /files are held by provider files-workspace \(files\.provider\), not bedrock-emulator/);
    }
    assert.equal(upstreamRequests(harness.bedrock), sentBefore);
  });

  test("a deleted file: the workspace's 404 reaches the client, and no other workspace is tried", async () => {
    const file = await upload("gone.txt", "Soon gone.");
    const deleted = await client.beta.files.delete(file.id, { betas: [FILES_BETA] });
    assert.deepEqual(deleted, { id: file.id, type: "file_deleted" });
    const sentBefore = upstreamRequests(harness.anthropic);
    const refused = await client.beta.messages.create({ model: "sonnet", max_tokens: 32, betas: [FILES_BETA], messages: askAbout(file.id) }).then(
      () => assert.fail("refused"),
      (error: unknown) => error,
    );
    assert.ok(refused instanceof Anthropic.NotFoundError, String(refused));
    assert.ok(refused.message.includes(`File \`${file.id}\` not found.`), refused.message);
    assert.equal(refused.headers?.get("x-switchyard-attempts"), "1");
    assert.equal(upstreamRequests(harness.anthropic), sentBefore, "the other workspace was not tried");
    // count_tokens tries a model's next deployment on a 404 (a deployment that does not serve the
    // model), but not for a file: files-sonnet-us, the same workspace, would not hold it either.
    const askedBefore = upstreamRequests(workspace);
    const uncounted = await client.beta.messages.countTokens({ model: "sonnet", betas: [FILES_BETA], messages: askAbout(file.id) }).then(
      () => assert.fail("refused"),
      (error: unknown) => error,
    );
    assert.ok(uncounted instanceof Anthropic.NotFoundError, String(uncounted));
    assert.equal(upstreamRequests(workspace), askedBefore + 1, "one deployment asked");

    const missing = await client.beta.files.retrieveMetadata(file.id, { betas: [FILES_BETA] }).then(
      () => assert.fail("not found"),
      (error: unknown) => error,
    );
    assert.ok(missing instanceof Anthropic.NotFoundError, String(missing));
  });

  test("an upload over files.max_file_bytes is a 413, declared or counted on the way; the upstream never stores it", async () => {
    const before = filesIn(workspace);
    const large = Buffer.alloc(MAX_FILE_BYTES + 70_000, 0x61);
    const declared = await client.beta.files.upload({ file: await toFile(large, "big.txt", { type: "text/plain" }), betas: [FILES_BETA] }).then(
      () => assert.fail("too large"),
      (error: unknown) => error,
    );
    assert.ok(declared instanceof Anthropic.APIError, String(declared));
    assert.equal(declared.status, 413);
    assert.match(declared.message, /files\.max_file_bytes/);

    // Sent chunked, with no content-length: counted as it streams through, and cut.
    const form = new FormData();
    form.append("file", new Blob([large], { type: "text/plain" }), "big.txt");
    const bytes = Buffer.from(await new Response(form).arrayBuffer());
    const type = new Response(form).headers.get("content-type") ?? "";
    const chunks = [bytes.subarray(0, 50_000), bytes.subarray(50_000)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const streamed = await fetch(`${harness.gateway.url}/v1/files`, { method: "POST", headers: { "x-api-key": harness.key, "content-type": type }, body, duplex: "half" } as RequestInit);
    assert.equal(streamed.status, 413);
    const answer = (await streamed.json()) as { error: { type: string; message: string } };
    assert.equal(answer.error.type, "request_too_large");
    assert.equal(filesIn(workspace), before);
  });

  test("the Files API takes the gateway's virtual keys, as /v1/messages does", async () => {
    const anonymous = await fetch(`${harness.gateway.url}/v1/files`);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { error: { type: string } }).error.type, "authentication_error");
    const wrong = new Anthropic({ apiKey: "sk-sy-not-a-key", baseURL: harness.gateway.url, maxRetries: 0 });
    const refused = await wrong.beta.files.list().then(
      () => assert.fail("refused"),
      (error: unknown) => error,
    );
    assert.ok(refused instanceof Anthropic.AuthenticationError, String(refused));
    const notUpload = await fetch(`${harness.gateway.url}/v1/files`, { method: "POST", headers: { "x-api-key": harness.key, "content-type": "application/json" }, body: "{}" });
    assert.equal(notUpload.status, 400);
    assert.match(((await notUpload.json()) as { error: { message: string } }).error.message, /multipart\/form-data/);
  });
});
