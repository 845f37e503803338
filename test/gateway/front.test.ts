/**
 * The gateway's front door (src/gateway/front.ts) over raw HTTP: POST /v1/messages is read off
 * node:http (content type, size limits, JSON) while every other route still reaches fastify, and
 * a client that goes away stops the upstream request it started.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually } from "../helpers/eventually.js";
import { escapeRegExp } from "../helpers/escape-regexp.js";
import { parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { startGateway, type RunningGateway } from "../../src/gateway/start-gateway.js";
import { newApiKey } from "../../src/ledger/api-keys.js";
import type { LedgerRow } from "../../src/ledger/ledger.js";
import { openLedger, type Ledger } from "../../src/ledger/open-ledger.js";
import { catalog, startHarness, upstreamRequests, type Harness } from "../helpers/gateway-harness.js";

const LIMIT = 32 * 1024 * 1024;

let harness: Harness;
let host: string;
let port: number;

// After an aborted request undici may open a connection to the upstream and close it without
// sending a byte; the emulators close such connections themselves (dual-protocol-server.ts), so
// teardown below must not hang on them.
before(async () => {
  harness = await startHarness();
  const url = new URL(harness.gateway.url);
  host = url.hostname;
  port = Number(url.port);
});
after(async () => {
  await harness.close();
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

function authHeaders(): Record<string, string> {
  return { "x-api-key": harness.key, "anthropic-version": "2023-06-01" };
}

const MESSAGE = JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 20, messages: [{ role: "user", content: "front door" }] });

function readAnswer(response: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") }));
    response.on("error", reject);
  });
}

/** A POST /v1/messages to the harness's gateway on a connection of its own; the caller sends (or withholds) the body. */
function openMessagesRequest(headers: Record<string, string>, path = "/v1/messages"): ClientRequest {
  return httpRequest({ host, port, method: "POST", path, agent: false, headers: { ...authHeaders(), ...headers } });
}

/** One request to the harness's gateway, on a connection of its own (agent: false) unless an agent is given. */
function exchange(method: string, path: string, options: { headers?: Record<string, string | string[]>; body?: string | Buffer; agent?: HttpAgent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host, port, method, path, headers: options.headers ?? {}, agent: options.agent ?? false }, (response) => {
      readAnswer(response).then(resolve, reject);
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

/** The Anthropic error shape: {type:"error", error:{type, message}, request_id}. */
function assertAnthropicError(answer: Answer, status: number, type: string, message: RegExp): void {
  assert.equal(answer.status, status, answer.text);
  assert.match(String(answer.headers["content-type"]), /^application\/json/);
  const parsed = JSON.parse(answer.text) as { type?: unknown; error?: { type?: unknown; message?: unknown }; request_id?: unknown };
  assert.equal(parsed.type, "error");
  assert.equal(parsed.error?.type, type);
  assert.match(String(parsed.error?.message), message);
  assert.equal(typeof parsed.request_id, "string");
  assert.equal(answer.headers["request-id"], parsed.request_id);
}

/** The refusal in the route's own error shape: OpenAI's for /v1/chat/completions, Anthropic's elsewhere. */
function assertRefusal(answer: Answer, path: string, status: number, type: string, message: RegExp): void {
  if (path !== "/v1/chat/completions") return assertAnthropicError(answer, status, type, message);
  assert.equal(answer.status, status, answer.text);
  const parsed = JSON.parse(answer.text) as { error?: { type?: unknown; message?: unknown } };
  assert.equal(parsed.error?.type, type);
  assert.match(String(parsed.error?.message), message);
}

async function assertServesMessages(path = "/v1/messages", headers: Record<string, string> = { "content-type": "application/json" }): Promise<Answer> {
  const answer = await exchange("POST", path, { headers: { ...authHeaders(), ...headers }, body: MESSAGE });
  assert.equal(answer.status, 200, answer.text);
  const message = JSON.parse(answer.text) as { type?: unknown };
  assert.equal(message.type, "message");
  assert.equal(answer.headers["x-switchyard-deployment"], "anthropic-haiku");
  assert.equal(answer.headers["content-length"], String(Buffer.byteLength(answer.text)), "JSON answers carry their length");
  return answer;
}

/** A request's ledger row, once the writer has stored it. */
async function ledgerRow(requestId: string, ledger: Ledger = harness.ledger, ms = 3_000): Promise<LedgerRow> {
  return eventually(
    async () => {
      await ledger.writer.flush();
      return (await ledger.store.get(requestId)) ?? undefined;
    },
    `ledger row ${requestId}`,
    ms,
  );
}

function counters(): { incomplete: number; closedBeforeHeaders: number } {
  const snapshot = harness.anthropic.state().counters as { incomplete?: unknown; closedBeforeHeaders?: unknown };
  assert.equal(typeof snapshot.incomplete, "number");
  assert.equal(typeof snapshot.closedBeforeHeaders, "number");
  return { incomplete: snapshot.incomplete as number, closedBeforeHeaders: snapshot.closedBeforeHeaders as number };
}

describe("POST /v1/messages refusals, answered before any upstream call", () => {
  test("invalid JSON: 400 invalid_request_error naming JSON", async () => {
    const before = upstreamRequests(harness.anthropic);
    const answer = await exchange("POST", "/v1/messages", { headers: { ...authHeaders(), "content-type": "application/json" }, body: '{"model": "haiku-via-anthropic",' });
    assertAnthropicError(answer, 400, "invalid_request_error", /JSON/);
    assert.equal(upstreamRequests(harness.anthropic), before);
  });

  test("anthropic-version must be a date, whichever deployment would have served (Bedrock replaces it); none sent is the API's first version, and one sent twice counts once", async () => {
    const before = upstreamRequests(harness.anthropic) + upstreamRequests(harness.bedrock);
    const { "anthropic-version": _version, ...withoutVersion } = authHeaders();
    for (const path of ["/v1/messages", "/v1/messages/count_tokens"]) {
      const bad = await exchange("POST", path, { headers: { ...withoutVersion, "anthropic-version": "latest", "content-type": "application/json" }, body: MESSAGE });
      assertAnthropicError(bad, 400, "invalid_request_error", /^anthropic-version: "latest" is not a version \(a date such as 2023-06-01\)/);
    }
    assert.equal(upstreamRequests(harness.anthropic) + upstreamRequests(harness.bedrock), before, "no upstream was asked");
    const missing = await exchange("POST", "/v1/messages", { headers: { ...withoutVersion, "content-type": "application/json" }, body: MESSAGE });
    assert.equal(missing.status, 200, missing.text);
    const twice = await exchange("POST", "/v1/messages", { headers: { ...withoutVersion, "anthropic-version": ["2023-06-01", "2023-06-01"], "content-type": "application/json" }, body: MESSAGE });
    assert.equal(twice.status, 200, twice.text);
  });

  test("anthropic-version must be one the API has, or newer than all of them: a day that does not exist, or an old date that is no version, is a 400 before any upstream", async () => {
    const before = upstreamRequests(harness.anthropic) + upstreamRequests(harness.bedrock);
    const { "anthropic-version": _version, ...withoutVersion } = authHeaders();
    const send = (version: string) => exchange("POST", "/v1/messages", { headers: { ...withoutVersion, "anthropic-version": version, "content-type": "application/json" }, body: MESSAGE });
    for (const version of ["2023-13-45", "0000-00-00", "2023-02-29"]) {
      assertAnthropicError(await send(version), 400, "invalid_request_error", new RegExp(`^anthropic-version: "${version}" is not a version \\(a date such as 2023-06-01\\)`));
    }
    assertAnthropicError(await send("2023-10-01"), 400, "invalid_request_error", /^anthropic-version: "2023-10-01" is not a valid version \(the API's versions: 2023-01-01, 2023-06-01, 2026-10-21\)$/);
    assert.equal(upstreamRequests(harness.anthropic) + upstreamRequests(harness.bedrock), before, "no upstream was asked");
    for (const version of ["2023-01-01", "2023-06-01", "2026-10-21", "2027-03-01"]) {
      const answer = await send(version);
      assert.equal(answer.status, 200, `${version}: ${answer.text}`);
    }
  });

  test("no messages, and a model no deployment serves, are answered by the gateway in one wording, whichever deployment would have been chosen", async () => {
    const before = upstreamRequests(harness.anthropic) + upstreamRequests(harness.bedrock);
    const empty = await exchange("POST", "/v1/messages", { headers: { ...authHeaders(), "content-type": "application/json" }, body: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 5, messages: [] }) });
    assertAnthropicError(empty, 400, "invalid_request_error", /^messages: at least one message is required$/);
    const unknown = await exchange("POST", "/v1/messages", { headers: { ...authHeaders(), "content-type": "application/json" }, body: JSON.stringify({ model: "claude-opus-4-6", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }) });
    assertAnthropicError(unknown, 404, "not_found_error", /^model: claude-opus-4-6 \(not served by this gateway: GET \/v1\/models lists the names it answers to\)$/);
    assert.equal(upstreamRequests(harness.anthropic) + upstreamRequests(harness.bedrock), before);
  });

  test("a null where a message, a content block or a tool belongs is the client's 400 naming where, not the gateway's 500", async () => {
    const before = upstreamRequests(harness.anthropic) + upstreamRequests(harness.bedrock);
    const hi = { role: "user", content: "hi" };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ messages: [hi, null] }, /^messages\.1: Input should be an object \(a message with role and content\)$/],
      [{ messages: [{ role: "user", content: [{ type: "text", text: "hi" }, null] }] }, /^messages\.0\.content\.1: Input should be an object \(a content block with a type\)$/],
      [{ messages: [hi], tools: [null] }, /^tools\.0: Input should be an object \(a tool definition\)$/],
      [{ messages: [hi], tools: "get_weather" }, /^tools: Input should be a valid list \(of tool definitions\)$/],
    ];
    for (const [fields, message] of cases) {
      const answer = await exchange("POST", "/v1/messages", { headers: { ...authHeaders(), "content-type": "application/json" }, body: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 5, ...fields }) });
      assertAnthropicError(answer, 400, "invalid_request_error", message);
    }
    assert.equal(upstreamRequests(harness.anthropic) + upstreamRequests(harness.bedrock), before, "no upstream was asked");
  });

  test("a form content type: 400 invalid_request_error naming content-type", async () => {
    const answer = await exchange("POST", "/v1/messages", {
      headers: { ...authHeaders(), "content-type": "application/x-www-form-urlencoded" },
      body: "model=haiku&max_tokens=5",
    });
    assertAnthropicError(answer, 400, "invalid_request_error", /content-type/);
    assert.match(answer.text, /application\/x-www-form-urlencoded/);
  });

  test("a content type fastify cannot parse at all: 400 on count_tokens and the chat route too, naming it as /v1/messages does, not a 500 the SDKs retry", async () => {
    for (const contentType of ["json", "application/json charset=utf-8", "a b"]) {
      const named = new RegExp(`^content-type must be application/json \\(got ${escapeRegExp(contentType)}\\)$`);
      const counted = await exchange("POST", "/v1/messages/count_tokens", { headers: { ...authHeaders(), "content-type": contentType }, body: "{}" });
      assertAnthropicError(counted, 400, "invalid_request_error", named);
      const chat = await exchange("POST", "/v1/chat/completions", { headers: { authorization: `Bearer ${harness.key}`, "content-type": contentType }, body: "{}" });
      assert.equal(chat.status, 400, chat.text);
      const error = (JSON.parse(chat.text) as { error?: { type?: string; message?: string } }).error;
      assert.equal(error?.type, "invalid_request_error");
      assert.match(error?.message ?? "", named);
    }
  });

  test("a stream honours the client's Connection: close (the gateway does not force keep-alive on it)", async () => {
    const body = JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 20, stream: true, messages: [{ role: "user", content: "close after" }] });
    const answer = await exchange("POST", "/v1/messages", { headers: { ...authHeaders(), "content-type": "application/json", connection: "close" }, body });
    assert.equal(answer.status, 200, answer.text);
    assert.match(String(answer.headers["content-type"]), /^text\/event-stream/);
    assert.equal(answer.headers["connection"], "close");
    assert.match(answer.text, /event: message_stop/);
  });

  test("Expect: 100-continue: a body that would be refused unread is refused before the client is told to send it; a good one is invited", async () => {
    /** The raw bytes a request of these headers (and no body, unless invited) gets back, up to the end of the first final answer's head. */
    const ask = (path: string, headers: string, body?: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({ host, port }, () => socket.write(`POST ${path} HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\n${headers}\r\n`));
        let received = "";
        socket.setEncoding("utf8");
        socket.on("data", (text: string) => {
          received += text;
          if (body !== undefined && received.startsWith("HTTP/1.1 100") && !received.includes("sent")) {
            received += "(sent)";
            socket.write(body);
          }
          if (/HTTP\/1\.1 [2-5]\d\d[^]*\r\n\r\n/.test(received)) {
            socket.destroy();
            resolve(received);
          }
        });
        socket.on("error", reject);
        setTimeout(() => {
          socket.destroy();
          resolve(received);
        }, 3_000).unref();
      });
    const tooLarge = await ask("/v1/messages", `content-type: application/json\r\ncontent-length: ${LIMIT + 1}\r\nx-api-key: ${harness.key}\r\n`);
    assert.match(tooLarge, /^HTTP\/1\.1 413 /, "a 413 first, no 100 Continue");
    const formType = await ask("/v1/messages/count_tokens", `content-type: application/x-www-form-urlencoded\r\ncontent-length: 10\r\nx-api-key: ${harness.key}\r\n`);
    assert.match(formType, /^HTTP\/1\.1 400 /);
    // On the chat route the refusal is OpenAI's, with the id where the openai SDK reads it.
    const chatForm = await ask("/v1/chat/completions", `content-type: application/x-www-form-urlencoded\r\ncontent-length: 10\r\nauthorization: Bearer ${harness.key}\r\n`);
    assert.match(chatForm, /^HTTP\/1\.1 400 /);
    assert.match(chatForm, /\r\nx-request-id: req_sy_/i);
    const body = JSON.stringify({ model: "haiku-via-anthropic", messages: [{ role: "user", content: "hi" }] });
    const good = await ask("/v1/messages/count_tokens", `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-api-key: ${harness.key}\r\nanthropic-version: 2023-06-01\r\n`, body);
    assert.match(good, /^HTTP\/1\.1 100 Continue\r\n\r\n\(sent\)HTTP\/1\.1 200 /);
  });

  test("a URL fastify cannot route (a bad escape) is a 400 in the Anthropic shape, with a request id", async () => {
    const answer = await exchange("GET", "/v1/models/%E0%A4%A", { headers: authHeaders() });
    assertAnthropicError(answer, 400, "invalid_request_error", /./);
  });

  test("an empty body: 400 invalid_request_error", async () => {
    const answer = await exchange("POST", "/v1/messages", { headers: { ...authHeaders(), "content-type": "application/json", "content-length": "0" } });
    assertAnthropicError(answer, 400, "invalid_request_error", /JSON object/);
  });

  for (const path of ["/v1/messages", "/v1/messages/count_tokens", "/v1/chat/completions"]) {
    test(`a declared Content-Length over 32 MiB: 413 request_too_large at once, without waiting for (or reading) the body (${path})`, async () => {
      const started = performance.now();
      const { answer, closed } = await new Promise<{ answer: Answer; closed: Promise<void> }>((resolve, reject) => {
        const request = openMessagesRequest({ "content-type": "application/json", "content-length": String(LIMIT + 1) }, path);
        const closed = new Promise<void>((done) => request.on("close", () => done()));
        // The request stays open with its body unsent: only an answer that does not wait for it arrives.
        request.on("response", (response) => readAnswer(response).then((answer) => resolve({ answer, closed }), reject));
        request.on("error", () => undefined);
        request.flushHeaders();
      });
      assert.ok(performance.now() - started < 2_000);
      assertRefusal(answer, path, 413, "request_too_large", /larger than 33554432 bytes/);
      assert.equal(answer.headers["connection"], "close");
      let connectionClosed = false;
      void closed.then(() => {
        connectionClosed = true;
      });
      await eventually(() => (connectionClosed ? true : undefined), "the gateway closes the connection after refusing the body", 2_000);
    });

    test(`a chunked body that grows past 32 MiB: 413 request_too_large while it is still being sent (${path})`, async () => {
      const zeros = Buffer.alloc(1024 * 1024);
      let sent = 0;
      const answer = await new Promise<Answer>((resolve, reject) => {
        let answered = false;
        const request = openMessagesRequest({ "content-type": "application/json", "transfer-encoding": "chunked" }, path);
        request.on("response", (response) => {
          answered = true;
          readAnswer(response).then(resolve, reject);
        });
        // Writes fail once the gateway closes the connection after its answer: expected.
        request.on("error", (error) => {
          if (!answered) reject(error);
        });
        const pump = (): void => {
          while (!answered && sent < 40 * 1024 * 1024) {
            sent += zeros.length;
            if (!request.write(zeros)) {
              request.once("drain", pump);
              return;
            }
          }
          if (!answered) request.end();
        };
        pump();
      });
      assertRefusal(answer, path, 413, "request_too_large", /larger than 33554432 bytes/);
      assert.ok(sent > LIMIT, `the answer came after the limit was passed (${sent} bytes sent)`);
    });
  }

  test("the gateway keeps serving after those refusals, on new connections and on a kept-alive one", async () => {
    await assertServesMessages();
    await assertServesMessages("/v1/messages", { "content-type": "application/json; charset=utf-8" });
    // text/plain was accepted by the fastify parser this path replaced; it still is.
    await assertServesMessages("/v1/messages", { "content-type": "text/plain" });
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await exchange("POST", "/v1/messages", { headers: { ...authHeaders(), "content-type": "application/json" }, body: "not json", agent });
      assert.equal(first.status, 400);
      assert.equal(first.headers["connection"], "keep-alive");
      const second = await exchange("POST", "/v1/messages", { headers: { ...authHeaders(), "content-type": "application/json" }, body: MESSAGE, agent });
      assert.equal(second.status, 200, "a 400 for bad JSON leaves the connection usable");
      // The same on fastify's routes: a body read to its end and refused is no reason to close.
      const third = await exchange("POST", "/v1/messages/count_tokens", { headers: { ...authHeaders(), "content-type": "application/json" }, body: "not json", agent });
      assert.equal(third.status, 400);
      assert.equal(third.headers["connection"], "keep-alive");
      const fourth = await exchange("POST", "/v1/messages", { headers: { ...authHeaders(), "content-type": "application/json" }, body: MESSAGE, agent });
      assert.equal(fourth.status, 200);
    } finally {
      agent.destroy();
    }
  });
});

describe("routing between the fast path and fastify", () => {
  test("POST /v1/messages?beta=true is served by the fast path", async () => {
    await assertServesMessages("/v1/messages?beta=true");
  });

  test("GET /v1/messages is fastify's 404 in the Anthropic shape", async () => {
    const answer = await exchange("GET", "/v1/messages", { headers: authHeaders() });
    assertAnthropicError(answer, 404, "not_found_error", /no route GET \/v1\/messages/);
  });

  test("count_tokens and /v1/models still reach fastify", async () => {
    const counted = await exchange("POST", "/v1/messages/count_tokens", {
      headers: { ...authHeaders(), "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "count me" }] }),
    });
    assert.equal(counted.status, 200, counted.text);
    const tokens = (JSON.parse(counted.text) as { input_tokens?: unknown }).input_tokens;
    assert.ok(typeof tokens === "number" && tokens > 0);
    const models = await exchange("GET", "/v1/models", { headers: authHeaders() });
    assert.equal(models.status, 200, models.text);
    const ids = (JSON.parse(models.text) as { data: { id: string }[] }).data.map((model) => model.id);
    assert.ok(ids.includes("haiku-via-anthropic"), `aliases listed: ${ids.join(", ")}`);
    const one = await exchange("GET", "/v1/models/haiku-via-anthropic", { headers: authHeaders() });
    assert.equal(one.status, 200, one.text);
  });
});

/**
 * Starts a streaming or plain request, lets `leave` decide when to drop the connection (it is
 * called once before any response with undefined, then with the response), and returns the
 * gateway's request id (when headers came) and when the client left.
 */
function startAndLeaveAt(
  target: { host: string; port: number; key: string },
  body: string,
  leave: (response: IncomingMessage | undefined, drop: () => void) => void,
): Promise<{ requestId: string | undefined; leftAt: number }> {
  return new Promise((resolve) => {
    const request = httpRequest({
      host: target.host,
      port: target.port,
      method: "POST",
      path: "/v1/messages",
      agent: false,
      headers: { "x-api-key": target.key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
    });
    let requestId: string | undefined;
    const drop = () => {
      request.destroy();
      resolve({ requestId, leftAt: performance.now() });
    };
    request.on("error", () => undefined);
    request.on("response", (response) => {
      requestId = String(response.headers["request-id"]);
      response.on("error", () => undefined);
      leave(response, drop);
    });
    request.end(body);
    leave(undefined, drop);
  });
}

test("a 529 goes out with a reason phrase (Node's table has none for it: the status line read \"529 unknown\")", async () => {
  harness.anthropic.setProfile({ rules: [{ fault: { kind: "error", status: 529 }, probability: 1 }] });
  try {
    const statusLine = await new Promise<string>((resolve, reject) => {
      const request = httpRequest({ host, port, method: "POST", path: "/v1/messages", agent: false, headers: { "x-api-key": harness.key, "anthropic-version": "2023-06-01", "content-type": "application/json" } }, (response) => {
        response.resume();
        resolve(`${response.statusCode} ${response.statusMessage}`);
      });
      request.on("error", reject);
      request.end(JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 5, messages: [{ role: "user", content: "overloaded?" }] }));
    });
    assert.equal(statusLine, "529 Overloaded");
  } finally {
    harness.anthropic.setProfile("instant");
    harness.gateway.state.health.reset();
  }
});

describe("a client that goes away", () => {
  /** Back to an instant emulator and a clean health book; the upstream pool still serves. */
  async function afterAbandon(): Promise<void> {
    harness.anthropic.setProfile("instant");
    harness.gateway.state.health.reset();
    await assertServesMessages();
  }

  /** anthropic-haiku's entry in GET /v1/switchyard/health, read after the snapshot (up to 100 ms old: HealthBook snapshotMs) is renewed. */
  async function haikuHealth(): Promise<{ state: string; failures: number }> {
    await sleep(110);
    const answer = await exchange("GET", "/v1/switchyard/health", { headers: { "x-api-key": harness.adminKey } });
    const deployments = (JSON.parse(answer.text) as { deployments: { deployment: string; state: string; failures: number }[] }).deployments;
    const haiku = deployments.find((entry) => entry.deployment === "anthropic-haiku");
    assert.ok(haiku);
    return haiku;
  }

  /** startAndLeaveAt() on the harness's gateway. */
  function startAndLeave(body: string, leave: (response: IncomingMessage | undefined, drop: () => void) => void): Promise<{ requestId: string | undefined; leftAt: number }> {
    return startAndLeaveAt({ host, port, key: harness.key }, body, leave);
  }

  test("mid-stream: the gateway aborts the upstream stream at once and records the request", async () => {
    // ~100 ms per token: the emulator's stream would run for seconds if nobody stopped it.
    harness.anthropic.setProfile({ latency: { ttftMs: { p50: 0, p99: 0 }, interTokenMs: { p50: 100, p99: 100 } } });
    try {
      const before = counters();
      const body = JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 200, stream: true, messages: [{ role: "user", content: "a long story, slowly" }] });
      let firstChunk = "";
      const { requestId, leftAt } = await startAndLeave(body, (response, drop) => {
        response?.once("data", (chunk: Buffer) => {
          firstChunk = chunk.toString();
          drop();
        });
      });
      assert.match(firstChunk, /event: message_start/, "the client left after the stream began");
      await eventually(() => (counters().incomplete > before.incomplete ? true : undefined), "the emulator saw its stream cut", 1_500);
      const elapsed = performance.now() - leftAt;
      assert.ok(elapsed < 1_000, `upstream stream closed ${elapsed.toFixed(0)} ms after the client left`);
      assert.ok(requestId);
      const row = await ledgerRow(requestId);
      assert.equal(row.stream, true);
      assert.equal(row.deployment, "anthropic-haiku");
      assert.equal(row.attempts.length, 1);
      assert.ok(row.warnings.some((warning) => /stream ended early/.test(warning)), `warnings: ${row.warnings.join("; ")}`);
    } finally {
      await afterAbandon();
    }
  });

  test("while the gateway waits for the first event: the upstream request is aborted and the request recorded", async () => {
    harness.anthropic.setProfile({ latency: { ttftMs: { p50: 2_000, p99: 2_000 }, interTokenMs: { p50: 0, p99: 0 } } });
    try {
      const before = counters();
      const requestsBefore = upstreamRequests(harness.anthropic);
      const body = JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 20, stream: true, messages: [{ role: "user", content: `waiting ${Math.random()}` }] });
      const { leftAt } = await startAndLeave(body, (response, drop) => {
        if (response === undefined) void eventually(() => (upstreamRequests(harness.anthropic) > requestsBefore ? true : undefined), "upstream call", 2_000).then(drop, drop);
      });
      await eventually(
        () => {
          const now = counters();
          return now.incomplete + now.closedBeforeHeaders > before.incomplete + before.closedBeforeHeaders ? true : undefined;
        },
        "the emulator saw its request dropped",
        1_500,
      );
      assert.ok(performance.now() - leftAt < 1_000);
      await harness.ledger.writer.flush();
      const rows = await harness.ledger.store.recent(5);
      assert.ok(
        rows.some((row) => row.requested_model === "haiku-via-anthropic" && row.stream && row.status !== 200),
        "the abandoned request is in the ledger",
      );
    } finally {
      await afterAbandon();
    }
  });

  test("while a non-streaming answer is pending: the upstream request is aborted", async () => {
    harness.anthropic.setProfile({ latency: { ttftMs: { p50: 2_000, p99: 2_000 }, totalMs: { p50: 2_000, p99: 2_000, referenceOutputTokens: 20 } } });
    try {
      const before = counters();
      const requestsBefore = upstreamRequests(harness.anthropic);
      const body = JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 20, messages: [{ role: "user", content: `pending ${Math.random()}` }] });
      const { leftAt } = await startAndLeave(body, (response, drop) => {
        if (response === undefined) void eventually(() => (upstreamRequests(harness.anthropic) > requestsBefore ? true : undefined), "upstream call", 2_000).then(drop, drop);
      });
      await eventually(() => (counters().closedBeforeHeaders > before.closedBeforeHeaders ? true : undefined), "the emulator saw its request dropped before answering", 1_500);
      assert.ok(performance.now() - leftAt < 1_000);
    } finally {
      await afterAbandon();
    }
  });

  test("clients that disconnect before the first byte do not count against a healthy deployment", async () => {
    harness.anthropic.setProfile({ latency: { ttftMs: { p50: 2_000, p99: 2_000 }, interTokenMs: { p50: 0, p99: 0 } } });
    try {
      const since = Date.now();
      for (let index = 0; index < 6; index += 1) {
        const requestsBefore = upstreamRequests(harness.anthropic);
        const body = JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 20, stream: index % 2 === 0, messages: [{ role: "user", content: `gone early ${index}` }] });
        await startAndLeave(body, (response, drop) => {
          if (response === undefined) void eventually(() => (upstreamRequests(harness.anthropic) > requestsBefore ? true : undefined), "upstream call", 2_000).then(drop, drop);
        });
      }
      // Each request's health is settled before its ledger row is written.
      const rows = await eventually(async () => {
        await harness.ledger.writer.flush();
        const recent = (await harness.ledger.store.recent(50)).filter((row) => row.created_at >= since);
        return recent.length >= 6 ? recent : undefined;
      }, "the six abandoned requests are recorded", 3_000);
      for (const row of rows) {
        assert.equal(row.status, 499, "nothing was answered: nginx's client-closed-request status, not a 504");
        assert.equal(row.error_type, "client_disconnected");
        assert.deepEqual(row.attempts.map((attempt) => attempt.error), ["client_disconnected"]);
        // The upstream had the request: it may bill what it processed. 0 at least, not an exact 0.
        assert.deepEqual([row.cost_usd, row.cost_exact, row.cost_usd_upper], ["0", false, null]);
        assert.ok(row.warnings.some((warning) => /^the attempt on anthropic-haiku ended without an answer \(client_disconnected\): if the upstream had begun on it, it may bill/.test(warning)), row.warnings.join("; "));
      }
      const haiku = await haikuHealth();
      assert.equal(haiku.failures, 0, "a client going away before the first byte is not the upstream's failure (nor its timeout)");
      assert.equal(haiku.state, "closed");
    } finally {
      await afterAbandon();
    }
  });

  test("clients that disconnect mid-stream do not open a healthy deployment's circuit", async () => {
    harness.anthropic.setProfile({ latency: { ttftMs: { p50: 0, p99: 0 }, interTokenMs: { p50: 100, p99: 100 } } });
    try {
      const requestIds: string[] = [];
      for (let index = 0; index < 6; index += 1) {
        const body = JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 200, stream: true, messages: [{ role: "user", content: `impatient ${index}` }] });
        const { requestId } = await startAndLeave(body, (response, drop) => {
          response?.once("data", drop);
        });
        requestIds.push(requestId as string);
      }
      // Each request's outcome is settled (health included) before its ledger row is written.
      await eventually(async () => {
        await harness.ledger.writer.flush();
        const rows = await Promise.all(requestIds.map((id) => harness.ledger.store.get(id)));
        return rows.every((row) => row !== undefined) ? true : undefined;
      }, "the six abandoned requests are recorded", 3_000);
      const haiku = await haikuHealth();
      assert.equal(haiku.failures, 0, "a client going away is not the upstream's failure");
      assert.notEqual(haiku.state, "open");
    } finally {
      await afterAbandon();
    }
  });
});

describe("large answers, from an upstream the test controls", () => {
  // The emulators answer in at most a few hundred tokens; this fake Anthropic API sends an SSE
  // stream of numbered 60 KB deltas ("deltas=N" in the prompt says how many) or a JSON message of
  // about 400 KB.
  const DELTA_TEXT = "x".repeat(60_000);
  let upstream: Server;
  let gateway: RunningGateway;
  let ledger: Ledger;
  let directory: string;
  let key: string;
  let target: { host: string; port: number };
  /** What the upstream sent for each request, and when its response closed (finished = sent whole). */
  const sent: { bytes: Buffer[]; closed: Promise<{ finished: boolean }> }[] = [];
  /** The request bodies the upstream received, as bytes. */
  const received: Buffer[] = [];

  function event(name: string, data: object): string {
    return `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
  }

  /** How a fake stream ends: whole, with an error event after its first delta, or cut cleanly (no message_stop). */
  type StreamEnd = "whole" | "error" | "cut";

  async function serveStream(response: ServerResponse, bytes: Buffer[], deltas: number, end: StreamEnd = "whole"): Promise<void> {
    response.writeHead(200, { "content-type": "text/event-stream", "request-id": "req_fake" });
    const write = async (text: string) => {
      const chunk = Buffer.from(text);
      bytes.push(chunk);
      if (!response.write(chunk)) await new Promise((resolve) => response.once("drain", resolve));
    };
    const usage = { input_tokens: 5, output_tokens: 1 };
    await write(event("message_start", { message: { id: "msg_fake", type: "message", role: "assistant", model: "claude-haiku-4-5", content: [], stop_reason: null, usage } }));
    await write(event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
    for (let index = 0; index < deltas && !response.destroyed; index += 1) {
      await write(event("content_block_delta", { index: 0, delta: { type: "text_delta", text: `[${index}]${DELTA_TEXT}` } }));
    }
    if (end !== "whole") {
      if (end === "error") await write(event("error", { error: { type: "overloaded_error", message: "Overloaded (mid-stream)" } }));
      response.end();
      return;
    }
    await write(event("content_block_stop", { index: 0 }));
    await write(event("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: deltas * 15_000 } }));
    await write(event("message_stop", {}));
    response.end();
  }

  function serveJson(response: ServerResponse, bytes: Buffer[]): void {
    const text = "y".repeat(400_000);
    const body = Buffer.from(
      JSON.stringify({ id: "msg_big", type: "message", role: "assistant", model: "claude-haiku-4-5", content: [{ type: "text", text }], stop_reason: "end_turn", usage: { input_tokens: 5, output_tokens: 100_000 } }),
    );
    bytes.push(body);
    response.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) });
    response.end(body);
  }

  before(async () => {
    upstream = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const bytes: Buffer[] = [];
        received.push(Buffer.concat(chunks));
        if (request.url?.endsWith("/count_tokens")) {
          response.writeHead(200, { "content-type": "application/json" }).end('{"input_tokens":42}');
          return;
        }
        sent.push({ bytes, closed: new Promise((resolve) => response.once("close", () => resolve({ finished: response.writableFinished }))) });
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { stream?: boolean; messages?: { content?: unknown }[] };
        const deltas = Number(/deltas=(\d+)/.exec(String(body.messages?.[0]?.content))?.[1] ?? 1);
        const end = (/end=(error|cut)/.exec(String(body.messages?.[0]?.content))?.[1] ?? "whole") as StreamEnd;
        if (body.stream) serveStream(response, bytes, deltas, end).catch(() => response.destroy());
        else serveJson(response, bytes);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    directory = mkdtempSync(join(tmpdir(), "switchyard-front-"));
    ledger = await openLedger({ kind: "sqlite", path: join(directory, "ledger.db"), flushIntervalMs: 10 });
    const config = `
listen: { host: 127.0.0.1, port: 0 }
admin_key_env: TEST_ADMIN_KEY
providers:
  fake-anthropic: { kind: anthropic, base_url: "http://127.0.0.1:${(upstream.address() as AddressInfo).port}", api_key_env: TEST_FAKE_KEY }
deployments:
  - { id: fake-haiku, provider: fake-anthropic, model: claude-haiku-4-5, route: global }
models:
  big: [fake-haiku]
routing: { policy: ordered, max_attempts: 1 }
timeouts: { connect_ms: 2000, first_byte_ms: 2000, total_ms: 3000, client_stall_ms: 4000 }
`;
    gateway = await startGateway({
      config: parseGatewayConfig(config, "front-test.yaml", catalog()),
      catalog: catalog(),
      ledger,
      env: { TEST_FAKE_KEY: "sk-fake", TEST_ADMIN_KEY: "admin" },
      port: 0,
      keyRefreshMs: 50,
    });
    const { secret, record } = newApiKey({ name: "large", monthly_budget_usd: null, allowed_models: [], tags: {} });
    await ledger.keys.create(record);
    await gateway.state.keys.refresh(true);
    key = secret;
    const url = new URL(gateway.url);
    target = { host: url.hostname, port: Number(url.port) };
  });

  after(async () => {
    await gateway.close();
    await ledger.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    rmSync(directory, { recursive: true, force: true });
  });

  const streamBody = (deltas: number) => JSON.stringify({ model: "big", max_tokens: 4096, stream: true, messages: [{ role: "user", content: `deltas=${deltas}` }] });
  // More than loopback socket buffers on both sides of the gateway hold: the upstream cannot finish while the client does not read.
  const UNBUFFERABLE = 600;

  test("an 8 MB stream read slowly reaches the client byte for byte as the upstream sent it", async () => {
    const answer = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const request = httpRequest({ ...target, method: "POST", path: "/v1/messages", agent: false, headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" } }, (response) => {
        const chunks: Buffer[] = [];
        let count = 0;
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          count += 1;
          // A slow reader: pauses now and then, so backpressure runs from the client to the upstream.
          if (count % 16 === 0) {
            response.pause();
            setTimeout(() => response.resume(), 2);
          }
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
        response.on("error", reject);
      });
      request.on("error", reject);
      request.end(streamBody(140));
    });
    assert.equal(answer.status, 200);
    const upstreamBytes = Buffer.concat(sent.at(-1)?.bytes ?? []);
    assert.ok(upstreamBytes.length > 8_000_000);
    assert.equal(answer.body.length, upstreamBytes.length);
    assert.ok(answer.body.equals(upstreamBytes), "the gateway passes Anthropic-shape bytes through unchanged");
  });

  // Numbers JSON.parse would round or reformat, escapes, odd spacing and an unknown field.
  const UNUSUAL_BODY =
    '{ "max_tokens" :64,"model": "big", "temperature": 1.0, "metadata": {"user_id": "caf\\u00e9"},\n' +
    '  "tools": [{"name": "t", "input_schema": {"type": "object", "properties": {"n": {"type": "integer", "maximum": 12345678901234567890}}}}],\n' +
    '  "messages": [{"role": "user", "content": "say \\"hi\\" 1e400? no: 0.10000000000000000555"}], "x_unknown": [1.50, -0.0]}';

  function postRaw(path: string, body: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest({ ...target, method: "POST", path, agent: false, headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" } }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      });
      request.on("error", reject);
      request.end(body);
    });
  }

  for (const path of ["/v1/messages", "/v1/messages/count_tokens"]) {
    test(`${path}: the upstream receives the client's body byte for byte, with only the model replaced`, async () => {
      const answer = await postRaw(path, UNUSUAL_BODY);
      assert.equal(answer.status, 200, answer.body);
      if (path.endsWith("/count_tokens")) assert.deepEqual(JSON.parse(answer.body), { input_tokens: 42 });
      const upstreamModel = gateway.state.config.deployments.get("fake-haiku")?.upstreamModel;
      assert.equal(upstreamModel, "claude-haiku-4-5-20251001");
      assert.equal(received.at(-1)?.toString("utf8"), UNUSUAL_BODY.replace('"model": "big"', `"model": ${JSON.stringify(upstreamModel)}`));
    });
  }

  test("a slow reader that disconnects: the gateway cuts the upstream stream", async () => {
    const { leftAt } = await startAndLeaveAt({ ...target, key }, streamBody(UNBUFFERABLE), (response, drop) => {
      // Read the first bytes, then stop reading: the gateway's socket fills and it waits for 'drain'.
      response?.once("data", () => {
        response.pause();
        setTimeout(drop, 300);
      });
    });
    const exchange = sent.at(-1);
    assert.ok(exchange);
    let outcome: { finished: boolean } | undefined;
    void exchange.closed.then((closed) => {
      outcome = closed;
    });
    await eventually(() => outcome, "the upstream stream was cut", 1_500);
    assert.deepEqual(outcome, { finished: false });
    assert.ok(performance.now() - leftAt < 1_000);
  });

  test("a slow reader that disconnects is still recorded in the ledger", async () => {
    const { requestId } = await startAndLeaveAt({ ...target, key }, streamBody(UNBUFFERABLE), (response, drop) => {
      response?.once("data", () => {
        response.pause();
        setTimeout(drop, 300);
      });
    });
    assert.ok(requestId);
    const row = await ledgerRow(requestId, ledger, 1_500);
    assert.equal(row.stream, true);
  });

  test("a client that stops reading but keeps its connection is let go after client_stall_ms: the upstream is cut, the row written", async () => {
    let paused = 0;
    let clientClosed: number | undefined;
    let clientResponse: IncomingMessage | undefined;
    const { requestId } = await new Promise<{ requestId: string | undefined }>((resolve) => {
      void startAndLeaveAt({ ...target, key }, streamBody(UNBUFFERABLE), (response) => {
        if (!response) return;
        response.once("data", () => {
          // Never reads again and never hangs up: only the gateway can end this.
          response.pause();
          paused = performance.now();
          clientResponse = response;
          response.socket.once("close", () => {
            clientClosed = performance.now();
          });
          resolve({ requestId: String(response.headers["request-id"]) });
        });
      });
    });
    const exchange = sent.at(-1);
    assert.ok(exchange && requestId);
    const closed = await Promise.race([exchange.closed, sleep(9_000).then(() => "still open" as const)]);
    assert.deepEqual(closed, { finished: false }, "the upstream stream was cut");
    // client_stall_ms is 4,000 here; the gateway let the client go then, not at once and not never.
    const cutAfter = performance.now() - paused;
    assert.ok(cutAfter >= 3_900 && cutAfter < 7_000, `cut ${Math.round(cutAfter)} ms after the client stopped reading`);
    // A paused socket notices nothing; reading again, the client finds its connection closed.
    const reader = clientResponse;
    assert.ok(reader);
    reader.resume();
    await eventually(() => clientClosed, "the gateway closed the client's connection", 2_000);
    const row = await ledgerRow(requestId, ledger, 1_500);
    assert.equal(row.stream, true);
    assert.ok(row.warnings.includes("stream ended early: client_disconnected"), row.warnings.join("; "));
  });

  test("a client that pauses longer than first_byte_ms but within client_stall_ms, then reads on, gets its whole answer", async () => {
    const answer = await new Promise<{ requestId: string; body: Buffer }>((resolve, reject) => {
      const request = httpRequest({ ...target, method: "POST", path: "/v1/messages", agent: false, headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" } }, (response) => {
        const chunks: Buffer[] = [];
        response.once("data", () => {
          // 3 s without reading: past first_byte_ms (2 s), within client_stall_ms (4 s).
          response.pause();
          setTimeout(() => response.resume(), 3_000);
        });
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ requestId: String(response.headers["request-id"]), body: Buffer.concat(chunks) }));
        response.on("error", reject);
      });
      request.on("error", reject);
      request.end(streamBody(UNBUFFERABLE));
    });
    const upstreamBytes = Buffer.concat(sent.at(-1)?.bytes ?? []);
    assert.equal(answer.body.length, upstreamBytes.length, "the whole stream");
    const row = await ledgerRow(answer.requestId, ledger, 1_500);
    assert.equal(row.warnings.filter((warning) => warning.startsWith("stream ended early")).length, 0, row.warnings.join("; "));
  });

  for (const [end, expected] of [
    ["error", { sseError: /"type":"overloaded_error","message":"Overloaded \(mid-stream\)"/, kind: "overloaded" }],
    ["cut", { sseError: /"type":"api_error","message":"[^"]*the stream ended before message_stop"/, kind: "upstream_server" }],
  ] as const) {
    test(`a stream the upstream ends early (${end === "error" ? "an error event" : "closed before message_stop"}): the client gets an error event, the ledger a failure`, async () => {
      const response = await fetch(`${gateway.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
        body: JSON.stringify({ model: "big", max_tokens: 4096, stream: true, messages: [{ role: "user", content: `deltas=1 end=${end}` }] }),
      });
      assert.equal(response.status, 200);
      const text = await response.text();
      const events = text.split("\n\n").filter((block) => block.startsWith("event: error"));
      assert.equal(events.length, 1, `one error event, the last thing sent: ${text.slice(-300)}`);
      assert.match(events[0] ?? "", expected.sseError);
      assert.ok(text.trimEnd().endsWith((events[0] ?? "").trimEnd()));
      const requestId = response.headers.get("request-id") ?? "";
      const row = await ledgerRow(requestId, ledger, 1_500);
      assert.ok(row.warnings.includes(`stream ended early: ${expected.kind}`), `warnings: ${row.warnings.join("; ")}`);
      assert.equal(row.input_tokens, 5, "what the upstream reported before the end is still priced");
      // Its output was never reported: the cost is a range up to max_tokens (4,096) of Haiku 4.5 output at $5/MTok.
      assert.equal(row.output_tokens, null);
      assert.equal(row.cost_usd, "0.000005");
      assert.equal(row.cost_exact, false);
      assert.equal(row.cost_usd_upper, "0.020485");
      assert.ok(row.warnings.includes("output tokens not reported: cost_usd_upper counts max_tokens (4096) of output"), row.warnings.join("; "));
    });
  }

  test("a non-streaming answer over 256 KiB reaches the client", async () => {
    const body = JSON.stringify({ model: "big", max_tokens: 4096, messages: [{ role: "user", content: "a long JSON answer" }] });
    let drop: () => void = () => undefined;
    const answer = new Promise<Answer>((resolve, reject) => {
      const request = httpRequest({ ...target, method: "POST", path: "/v1/messages", agent: false, headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" } }, (response) => {
        readAnswer(response).then(resolve, reject);
      });
      request.on("error", reject);
      request.end(body);
      drop = () => request.destroy();
    });
    let result: Answer | undefined;
    // Dropping the request at the end rejects `answer` (socket hang up): expected, not a failure.
    answer.then(
      (value) => {
        result = value;
      },
      () => undefined,
    );
    try {
      await eventually(() => result, "the 400 KB answer", 1_500);
    } finally {
      drop();
    }
    assert.equal(result?.status, 200);
    assert.equal(result?.text, Buffer.concat(sent.at(-1)?.bytes ?? []).toString("utf8"));
  });
});

test("a key created a moment ago is accepted at once; its own tags win over the header's, which add the others; a malformed header's 400 keeps the key's tags", async () => {
  const { secret, record } = newApiKey({ name: `fresh-${Date.now()}`, monthly_budget_usd: null, allowed_models: [], tags: { team: "c" } });
  // No timed reload meanwhile (the harness's runs every 50 ms): only the miss's own look can find the key.
  harness.gateway.state.keys.stop();
  try {
    await harness.ledger.keys.create(record);
    const post = (tags: string) =>
      fetch(`${harness.gateway.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": secret, "anthropic-version": "2023-06-01", "content-type": "application/json", "x-switchyard-tags": tags },
        body: MESSAGE,
      });
    // No refresh awaited: the gateway asks the key store itself on a miss.
    const served = await post("team=override, project=x");
    assert.equal(served.status, 200, await served.clone().text());
    const bad = await post("bad tag");
    assert.equal(bad.status, 400);
    await harness.ledger.writer.flush();
    const servedRow = await harness.ledger.store.get(served.headers.get("request-id") ?? "");
    assert.deepEqual(servedRow?.tags, { team: "c", project: "x" });
    assert.ok(servedRow?.warnings.includes("x-switchyard-tags: team=override ignored: the key's own tag team=c stands"), servedRow?.warnings.join("; "));
    const badRow = await harness.ledger.store.get(bad.headers.get("request-id") ?? "");
    assert.equal(badRow?.key_id, record.id);
    assert.deepEqual(badRow?.tags, { team: "c" });
  } finally {
    await harness.gateway.state.keys.start();
  }
});

test("Authorization's scheme is read case-blind (RFC 9110: bearer, BEARER); another scheme is a 401 that says so, not 'no key sent'", async () => {
  const body = JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 5, messages: [{ role: "user", content: "who am I" }] });
  const send = (authorization: string) =>
    exchange("POST", "/v1/messages", { headers: { authorization, "anthropic-version": "2023-06-01", "content-type": "application/json" }, body });
  for (const scheme of ["Bearer", "bearer", "BEARER"]) {
    const answer = await send(`${scheme} ${harness.key}`);
    assert.equal(answer.status, 200, `${scheme}: ${answer.text}`);
  }
  assertAnthropicError(await send(`Basic ${Buffer.from(`user:${harness.key}`).toString("base64")}`), 401, "authentication_error", /the Authorization header is not `Bearer <key>`/);
});

test("headers over Node's limit: a 431 in the Anthropic shape with a request id, not fastify's own shape", async () => {
  const answer = await exchange("POST", "/v1/messages", { headers: { ...authHeaders(), "content-type": "application/json", "x-pad": "a".repeat(20_000) }, body: MESSAGE });
  assertAnthropicError(answer, 431, "request_too_large", /^the request's headers are too large \(over 16 KB together\)/);
  // The gateway still serves the next client.
  assert.equal((await assertServesMessages()).status, 200);
});
