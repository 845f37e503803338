/**
 * A fault of the gateway's own while it answers (here: a client response that throws when written)
 * never becomes an unhandled rejection, which would stop the process with every request in
 * flight: the request is recorded once, a half-open probe it carried is released, the upstream's
 * stream is closed, and the connection is dropped when not even an error can be written.
 */
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import type { ClientResponse } from "../../src/gateway/client-response.js";
import { handleMessages } from "../../src/gateway/messages.js";
import { Cancel } from "../../src/util/cancel.js";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;

before(async () => {
  harness = await startHarness();
});
after(async () => harness.close());
beforeEach(() => harness.gateway.state.health.reset());

/** A client response whose writeHead throws for the answers `refuses` picks; it remembers what happened to it. */
class BrokenResponse implements ClientResponse {
  heads: { status: number; headers: Record<string, string> }[] = [];
  ended = false;
  destroyed = false;
  headersSent = false;

  constructor(private readonly refuses: (status: number, headers: Record<string, string>) => boolean) {}

  writeHead(status: number, headers: Record<string, string>): this {
    if (this.refuses(status, headers)) throw new TypeError(`writeHead(${status}) failed`);
    this.heads.push({ status, headers });
    this.headersSent = true;
    return this;
  }
  write(): boolean {
    return true;
  }
  end(): this {
    this.ended = true;
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
  on(): this {
    return this;
  }
  off(): this {
    return this;
  }
}

async function send(response: BrokenResponse, stream: boolean): Promise<{ cancel: Cancel; rows: number }> {
  const body = { model: "haiku-via-anthropic", max_tokens: 16, stream, messages: [{ role: "user", content: `own fault ${Math.random()}` }] };
  const cancel = new Cancel();
  const rowsBefore = harness.ledger.writer.storedRows();
  const reports: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    reports.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    // Resolves: a rejection here is what would stop the process (`void handleMessages(...)`).
    await handleMessages(harness.gateway.state, { headers: { "x-api-key": harness.key }, body, raw: Buffer.from(JSON.stringify(body)), cancel }, response);
  } finally {
    process.stderr.write = write;
  }
  await harness.ledger.writer.flush();
  return { cancel, rows: harness.ledger.writer.storedRows() - rowsBefore };
}

const isStream = (_status: number, headers: Record<string, string>) => String(headers["content-type"]).startsWith("text/event-stream");

test("a stream whose head cannot be written: one 500 row, the upstream's stream closed, and the half-open probe it was released", async () => {
  const health = harness.gateway.state.health;
  health.hear("anthropic-haiku", { kind: "opened", forMs: 1, cooldownMs: 1 });
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(health.snapshot().get("anthropic-haiku")?.state, "half_open");
  const response = new BrokenResponse(isStream);
  const { cancel, rows } = await send(response, true);
  assert.equal(rows, 1, "one row");
  assert.equal(cancel.aborted, true, "the upstream's stream is closed, not left to its timeout");
  assert.deepEqual(response.heads.map((head) => head.status), [500], "the client is told");
  assert.equal(response.ended, true);
  const requestId = response.heads[0]?.headers["request-id"];
  assert.ok(requestId);
  const row = await harness.ledger.store.get(requestId);
  assert.equal(row?.status, 500);
  assert.equal(row?.error_type, "api_error");
  assert.deepEqual(row?.attempts.map((attempt) => [attempt.deployment, attempt.status]), [["anthropic-haiku", 200]], "the attempt that answered is kept");
  const after = health.snapshot().get("anthropic-haiku");
  assert.equal(after?.state, "half_open", "nothing said about the deployment's health");
  assert.equal(after?.unavailable, false, "the probe is out no longer: the next request may probe");
});

test("an answer that cannot be written at all: handleMessages still resolves, the connection is dropped, and the row is recorded once", async () => {
  for (const stream of [false, true]) {
    const response = new BrokenResponse(() => true);
    const { rows } = await send(response, stream);
    assert.equal(response.destroyed, true, `stream ${stream}: dropped`);
    assert.equal(rows, 1, `stream ${stream}: one row (a JSON answer's is recorded before it is written, and not again)`);
  }
  const recent = await harness.ledger.store.recent(2);
  assert.deepEqual(recent.map((row) => row.status).sort(), [200, 500], "the JSON answer was paid for (200); the stream's head never went out (500)");
});
