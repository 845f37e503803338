/**
 * An upload streams through the gateway: the upstream has the first part of the body before the
 * client has sent the rest (a gateway that read the upload whole first would pass nothing on until
 * the end), with the provider's credentials and the client's anthropic-version and anthropic-beta.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

let upstream: Server;
let harness: Harness;
/** Resolved when the fake upstream has received its first body bytes. */
let firstBytes: Promise<void>;
let seen: { headers: IncomingHttpHeaders; url: string; body: string } | undefined;

before(async () => {
  let arrived: () => void = () => undefined;
  firstBytes = new Promise((resolve) => (arrived = resolve));
  upstream = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      arrived();
    });
    request.on("end", () => {
      seen = { headers: request.headers, url: request.url ?? "", body: Buffer.concat(chunks).toString("utf8") };
      response.writeHead(200, { "content-type": "application/json", "request-id": "req_upstream_1" });
      response.end(JSON.stringify({ id: "file_011Cstreamed", type: "file", filename: "slow.txt", mime_type: "text/plain", size_bytes: 10, created_at: "2026-11-24T00:00:00Z", downloadable: false }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const port = (upstream.address() as AddressInfo).port;
  harness = await startHarness({
    providers: `  files-upstream: { kind: anthropic, base_url: "http://127.0.0.1:${port}", api_key_env: TEST_FILES_KEY }`,
    extra: "files: { provider: files-upstream }",
    env: { TEST_FILES_KEY: "sk-files-upstream" },
  });
});

after(async () => {
  await harness.close();
  await new Promise((resolve) => upstream.close(resolve));
});

test("the upstream gets the upload's first bytes before the client sends the rest, under the provider's key", async () => {
  const boundary = "switchyard-test-boundary";
  const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="slow.txt"\r\ncontent-type: text/plain\r\n\r\nfirst part`;
  const tail = ` then the rest\r\n--${boundary}--\r\n`;
  let sendRest: () => void = () => undefined;
  const restMay = new Promise<void>((resolve) => (sendRest = resolve));
  let step = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      step += 1;
      if (step === 1) controller.enqueue(new TextEncoder().encode(head));
      else if (step === 2) {
        await restMay;
        controller.enqueue(new TextEncoder().encode(tail));
      } else controller.close();
    },
  });
  const answer = fetch(`${harness.gateway.url}/v1/files?beta=true`, {
    method: "POST",
    headers: { "x-api-key": harness.key, "anthropic-version": "2023-06-01", "anthropic-beta": "files-api-2025-04-14", "content-type": `multipart/form-data; boundary=${boundary}` },
    body,
    duplex: "half",
  } as RequestInit);
  // The rest is sent only once the upstream has the first part: a buffering gateway would hang here.
  await Promise.race([firstBytes, new Promise((_, reject) => setTimeout(() => reject(new Error("the upstream got nothing before the end of the upload")), 5_000))]);
  sendRest();
  const response = await answer;
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { id: string }).id, "file_011Cstreamed");
  assert.equal(response.headers.get("x-switchyard-upstream-request-id"), "req_upstream_1");
  assert.equal(seen?.url, "/v1/files?beta=true");
  assert.equal(seen?.body, `${head}${tail}`);
  assert.equal(seen?.headers["x-api-key"], "sk-files-upstream", "the provider's key, not the client's");
  assert.equal(seen?.headers["anthropic-version"], "2023-06-01");
  assert.equal(seen?.headers["anthropic-beta"], "files-api-2025-04-14");
  assert.equal(seen?.headers["content-type"], `multipart/form-data; boundary=${boundary}`);
});
