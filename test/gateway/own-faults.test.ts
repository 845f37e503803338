/**
 * A fault of the gateway's own while it answers (here: a client response that throws when written)
 * never becomes an unhandled rejection, which would stop the process with every request in
 * flight: it is reported with its stack, the request is recorded once (with what the upstream
 * reported using), a half-open probe it carried is released, the upstream's stream is closed, and
 * the connection is dropped when not even an error can be written.
 */
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import type { ClientResponse } from "../../src/gateway/client-response.js";
import { handleMessages } from "../../src/gateway/messages.js";
import { faultReport } from "../../src/gateway/request-report.js";
import { formatUsd } from "../../src/pricing/money.js";
import type { ProviderClient } from "../../src/providers/provider.js";
import { Cancel } from "../../src/util/cancel.js";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
/** What state.faults reported (every fault at once: no period). */
let reports: string[] = [];

before(async () => {
  harness = await startHarness({ policy: "ordered" });
  harness.gateway.state.faults = faultReport((error) => reports.push(error.message), 0);
});
after(async () => harness.close());
beforeEach(() => {
  harness.gateway.state.health.reset();
  reports = [];
});

/** A client response whose writeHead throws for the answers `refuses` picks; it remembers what happened to it. */
class BrokenResponse implements ClientResponse {
  heads: { status: number; headers: Record<string, string> }[] = [];
  ended = false;
  destroyed = false;
  headersSent = false;

  constructor(
    private readonly refuses: (status: number, headers: Record<string, string>) => boolean,
    private readonly refusesWrites = false,
  ) {}

  writeHead(status: number, headers: Record<string, string>): this {
    if (this.refuses(status, headers)) throw new TypeError(`writeHead(${status}) failed`);
    this.heads.push({ status, headers });
    this.headersSent = true;
    return this;
  }
  write(): boolean {
    if (this.refusesWrites) throw new TypeError("write failed");
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

async function send(response: BrokenResponse, stream: boolean, model = "haiku-via-anthropic", key = harness.key): Promise<{ cancel: Cancel; rows: number }> {
  const body = { model, max_tokens: 16, stream, messages: [{ role: "user", content: `own fault ${Math.random()}` }] };
  const cancel = new Cancel();
  const rowsBefore = harness.ledger.writer.storedRows();
  // Resolves: a rejection here is what would stop the process (`void handleMessages(...)`).
  await handleMessages(harness.gateway.state, { headers: { "x-api-key": key, "anthropic-version": "2023-06-01" }, body, raw: Buffer.from(JSON.stringify(body)), cancel }, response);
  await harness.ledger.writer.flush();
  return { cancel, rows: harness.ledger.writer.storedRows() - rowsBefore };
}

const isStream = (_status: number, headers: Record<string, string>) => String(headers["content-type"]).startsWith("text/event-stream");

test("a stream whose head cannot be written: reported, one 500 row priced from the upstream's message_start, the upstream's stream closed, and the half-open probe it was released", async () => {
  const health = harness.gateway.state.health;
  health.hear("anthropic-haiku", { kind: "opened", forMs: 1, cooldownMs: 1 }, "replica-a");
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
  assert.equal(row?.deployment, "anthropic-haiku");
  assert.ok((row?.input_tokens ?? 0) > 0, "the input the upstream reported is paid for");
  assert.ok(row?.cost_usd !== null && Number(row?.cost_usd) > 0, `priced: ${row?.cost_usd}`);
  assert.equal(reports.length, 1, reports.join("\n"));
  assert.match(reports[0] as string, new RegExp(`^1 request\\(s\\) failed inside the gateway \\(the last ${requestId}\\): TypeError: writeHead\\(200\\) failed\\n\\s+at BrokenResponse.writeHead`));
  const after = health.snapshot().get("anthropic-haiku");
  assert.equal(after?.state, "half_open", "nothing said about the deployment's health");
  assert.equal(after?.unavailable, false, "the probe is out no longer: the next request may probe");
});

test("an answer that cannot be written at all: handleMessages still resolves, the connection is dropped, the row is recorded once, and the fault is reported once", async () => {
  for (const stream of [false, true]) {
    reports = [];
    const response = new BrokenResponse(() => true);
    const { rows } = await send(response, stream);
    assert.equal(response.destroyed, true, `stream ${stream}: dropped`);
    assert.equal(rows, 1, `stream ${stream}: one row (a JSON answer's is recorded before it is written, and not again)`);
    assert.deepEqual(
      reports.map((report) => /^(\d+) request\(s\).*: TypeError: (writeHead\(\d+\) failed)/.exec(report)?.slice(1)),
      [["1", "writeHead(200) failed"]],
      "one request, reported with its first fault (the error answer's failing too is its consequence)",
    );
  }
  const recent = await harness.ledger.store.recent(2);
  assert.deepEqual(recent.map((row) => row.status).sort(), [200, 500], "the JSON answer was paid for (200); the stream's head never went out (500)");
});

test("a stream whose first event cannot be written after its head went out: the connection is dropped, not ended as if the answer were whole", async () => {
  const response = new BrokenResponse(() => false, true);
  const { rows } = await send(response, true);
  assert.deepEqual(response.heads.map((head) => head.status), [200]);
  assert.equal(response.destroyed, true, "dropped: a clean end would pass for a whole (empty) stream");
  assert.equal(response.ended, false);
  assert.equal(rows, 1);
  assert.match(reports[0] ?? "", /TypeError: write failed/);
});

test("a provider client's own fault: reported, no health sample, and the model's next deployment serves the request", async () => {
  const clients = harness.gateway.state.clients;
  const anthropic = clients.get("anthropic-emulator");
  assert.ok(anthropic);
  clients.set("anthropic-emulator", Object.assign(Object.create(anthropic) as ProviderClient, { messages: async () => Promise.reject(new TypeError("a client bug")) }));
  try {
    const response = new BrokenResponse(() => false);
    const { rows } = await send(response, false, "sonnet-anthropic-first");
    assert.equal(rows, 1);
    const head = response.heads[0];
    assert.equal(head?.status, 200, "served");
    assert.equal(head?.headers["x-switchyard-deployment"], "bedrock-sonnet-us");
    const row = await harness.ledger.store.get(head?.headers["request-id"] ?? "");
    assert.deepEqual(row?.attempts.map((attempt) => [attempt.deployment, attempt.status, attempt.error]), [["anthropic-sonnet", null, "internal"], ["bedrock-sonnet-us", 200, null]]);
    assert.equal(reports.length, 1);
    assert.match(reports[0] ?? "", /TypeError: a client bug/);
    assert.equal(harness.gateway.state.health.snapshot().get("anthropic-sonnet")?.failures ?? 0, 0, "no health sample");
  } finally {
    clients.set("anthropic-emulator", anthropic);
  }
});

test("a pricing bug: reported, and neither the answer nor the row's usage is lost; the cost is unknown (null), not zero", async () => {
  const deployment = harness.gateway.state.config.deployments.get("anthropic-haiku");
  assert.ok(deployment);
  const offering = deployment.offering;
  const [block] = offering.prices;
  assert.ok(block);
  // The engine throws a TypeError (a bug) rather than a PricingError (a price the catalog lacks)
  // when it picks the rate card once the upstream has answered: routing, which prices the
  // request before, is not what is tested here.
  let answered = false;
  const broken = Object.defineProperty({ ...block, from: "2000-01-01", to: undefined }, "longContext", {
    get: () => {
      if (answered) throw new TypeError("a pricing bug");
      return block.longContext;
    },
  });
  (deployment as { offering: typeof offering }).offering = { ...offering, prices: [broken] };
  const clients = harness.gateway.state.clients;
  const anthropic = clients.get("anthropic-emulator");
  assert.ok(anthropic);
  const messages: ProviderClient["messages"] = async (request) => {
    const result = await anthropic.messages(request);
    answered = true;
    return result;
  };
  clients.set("anthropic-emulator", Object.assign(Object.create(anthropic) as ProviderClient, { messages }));
  try {
    for (const stream of [false, true]) {
      reports = [];
      answered = false;
      const response = new BrokenResponse(() => false);
      const { rows } = await send(response, stream);
      assert.equal(rows, 1, `stream ${stream}: one row`);
      const head = response.heads[0];
      assert.equal(head?.status, 200, `stream ${stream}: the answer the upstream was paid for goes out`);
      assert.equal(response.destroyed, false);
      if (!stream) {
        assert.equal(head?.headers["x-switchyard-cost-usd"], undefined, "no cost claimed");
        assert.equal(head?.headers["x-switchyard-cost-exact"], "false");
      }
      const row = await harness.ledger.store.get(head?.headers["request-id"] ?? "");
      assert.equal(row?.status, 200);
      assert.equal(row?.deployment, "anthropic-haiku");
      assert.ok((row?.input_tokens ?? 0) > 0 && (row?.output_tokens ?? 0) > 0, `stream ${stream}: the usage is kept: ${row?.input_tokens}/${row?.output_tokens}`);
      assert.equal(row?.cost_usd, null, "unknown, not zero");
      assert.equal(row?.cost_exact, false);
      assert.ok(row?.warnings.includes("could not price: the gateway failed while pricing (reported)"), JSON.stringify(row?.warnings));
      assert.equal(reports.length, 1, reports.join("\n"));
      assert.match(reports[0] ?? "", /TypeError: a pricing bug/);
    }
    // A budgeted key is charged the request's hold (the most it could cost) in place of the
    // unknown cost, and keeps it through the ledger's reloads: a pricing failure is not free spend.
    const budgeted = await harness.createKey({ name: "unpriced-budget", budget: "10" });
    answered = false;
    const response = new BrokenResponse(() => false);
    await send(response, false, "haiku-via-anthropic", budgeted.secret);
    const row = await harness.ledger.store.get(response.heads[0]?.headers["request-id"] ?? "");
    assert.equal(row?.cost_usd, null);
    const charged = harness.gateway.state.budgets.spent(budgeted.id, Date.now());
    assert.ok(charged !== undefined && charged > 0n, `charged ${charged}`);
    assert.ok(row?.warnings.includes(`its budget hold, $${formatUsd(charged)}, is charged to the key in its place (by this gateway, this month)`), JSON.stringify(row?.warnings));
    await harness.gateway.state.budgets.refresh(Date.now());
    assert.equal(harness.gateway.state.budgets.spent(budgeted.id, Date.now()), charged, "a reload keeps it");
  } finally {
    (deployment as { offering: typeof offering }).offering = offering;
    clients.set("anthropic-emulator", anthropic);
  }
});
