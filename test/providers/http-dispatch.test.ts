/**
 * post() and UpstreamBody (src/providers/shared/http.ts) against a local node:http server whose
 * timing each test controls: headers, chunked bodies, backpressure, timeouts, resets, readUntil
 * and cancellation. Every byte the server sends is compared with what the reader got.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, errors as undiciErrors } from "undici";
import { createAgent, mapBody, networkError, passThroughHeaders, post, UpstreamBody, type RawResponse } from "../../src/providers/shared/http.js";
import { UpstreamError, type ErrorKind } from "../../src/providers/upstream-error.js";
import { Cancel } from "../../src/util/cancel.js";

/** One request as the server saw it, and when its response closed (finished = sent completely). */
interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  body: Buffer;
  closed: Promise<{ finished: boolean }>;
}

type Serve = (exchange: Exchange) => void | Promise<void>;

const routes = new Map<string, { serve: Serve; exchanges: Exchange[] }>();
let server: Server;
let origin: string;
let agent: Agent;

/** Registers a handler for `path`; the returned list fills with the exchanges it served. */
function route(path: string, serve: Serve): Exchange[] {
  const exchanges: Exchange[] = [];
  routes.set(path, { serve, exchanges });
  return exchanges;
}

/** Writes and waits until the chunk has been handed to the socket, so chunks leave separately. */
function send(response: ServerResponse, chunk: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => response.write(chunk, (error) => (error ? reject(error) : resolve())));
}

/** Sends each part as its own chunk, `gapMs` apart. */
async function sendPaced(response: ServerResponse, parts: readonly string[], gapMs: number): Promise<void> {
  for (const part of parts) {
    await send(response, part);
    await sleep(gapMs);
  }
}

before(async () => {
  server = createServer((request, response) => {
    const entry = routes.get(request.url ?? "");
    const closed = new Promise<{ finished: boolean }>((resolve) => response.once("close", () => resolve({ finished: response.writableFinished })));
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (!entry) {
        response.writeHead(404).end();
        return;
      }
      const exchange: Exchange = { request, response, body: Buffer.concat(chunks), closed };
      entry.exchanges.push(exchange);
      // A handler that throws because the client went away is part of the scenario, not a failure.
      Promise.resolve(entry.serve(exchange)).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agent = createAgent({ connectTimeoutMs: 2_000 });
});

after(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function call(path: string, options: { cancel?: Cancel; headersTimeoutMs?: number; body?: string | Buffer; headers?: Record<string, string>; to?: string } = {}): Promise<RawResponse> {
  return post(agent, options.to ?? origin, path, options.headers ?? { "content-type": "application/json" }, options.body ?? "{}", {
    cancel: options.cancel ?? new Cancel(),
    headersTimeoutMs: options.headersTimeoutMs ?? 5_000,
    who: "test-upstream",
  });
}

/** Every chunk the iterator yields, in order. */
async function iterate(body: UpstreamBody): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks;
}

/** An assert.rejects validator: an UpstreamError of `kind` whose message matches `pattern`. */
function upstreamError(kind: ErrorKind, pattern?: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof UpstreamError, `expected an UpstreamError, got ${String(error)}`);
    assert.equal(error.kind, kind, `kind of "${error.message}"`);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

/** Resolves with `value`, or with "timed out" after `ms`: for calls that must not hang. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | "timed out"> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timed out">((resolve) => {
    timer = setTimeout(() => resolve("timed out"), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** A stateful hasFirst for SSE: true once the text seen so far holds a complete event. */
function firstSseEvent(seen: Buffer[]): (chunk: Buffer) => boolean {
  return (chunk) => {
    seen.push(Buffer.from(chunk));
    return Buffer.concat(seen).includes("\n\n");
  };
}

describe("status, headers and request", () => {
  test("the status arrives with lower-cased header names; repeated names are joined with \", \"", async () => {
    route("/headers", ({ response }) => {
      // The raw array form keeps the names' case and the repeats exactly as written on the wire.
      response.writeHead(201, [
        "X-Mixed-Case",
        "Value One",
        "Anthropic-RateLimit-Requests-Remaining",
        "41",
        "X-Repeat",
        "first",
        "x-repeat",
        "second",
        "X-REPEAT",
        "third",
        "Content-Type",
        "application/json",
      ]);
      response.end('{"ok":true}');
    });
    const response = await call("/headers");
    assert.equal(response.status, 201);
    assert.equal(response.headers["x-mixed-case"], "Value One");
    assert.equal(response.headers["anthropic-ratelimit-requests-remaining"], "41");
    assert.equal(response.headers["x-repeat"], "first, second, third");
    assert.equal(response.headers["content-type"], "application/json");
    for (const name of Object.keys(response.headers)) assert.equal(name, name.toLowerCase(), `${name} is lower-case`);
    assert.equal((await response.body.bytes()).toString(), '{"ok":true}');
  });

  test("the request goes out as a POST to the path with the headers and body given (string or Buffer)", async () => {
    const exchanges = route("/echo?beta=true", ({ response }) => {
      response.end("ok");
    });
    const payload = Buffer.from(JSON.stringify({ text: "héllo ✓", bytes: [0, 255] }));
    const first = await call("/echo?beta=true", { headers: { "content-type": "application/json", "x-api-key": "sk-test", "anthropic-version": "2023-06-01" }, body: payload });
    await first.body.bytes();
    const second = await call("/echo?beta=true", { body: "plain string body" });
    await second.body.bytes();
    const [one, two] = exchanges;
    assert.ok(one && two);
    assert.equal(one.request.method, "POST");
    assert.equal(one.request.url, "/echo?beta=true");
    assert.equal(one.request.headers["x-api-key"], "sk-test");
    assert.equal(one.request.headers["anthropic-version"], "2023-06-01");
    assert.ok(one.body.equals(payload));
    assert.equal(two.body.toString(), "plain string body");
  });

  test("an error status resolves (it is not thrown) and its body reads whole", async () => {
    route("/overloaded", ({ response }) => {
      response.writeHead(529, { "content-type": "application/json", "retry-after": "3" });
      response.end('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
    });
    const response = await call("/overloaded");
    assert.equal(response.status, 529);
    assert.equal(response.headers["retry-after"], "3");
    assert.match((await response.body.bytes()).toString(), /overloaded_error/);
  });

  test("a 103 Early Hints answer is skipped: the final status and only its headers are returned", async () => {
    route("/early-hints", ({ response }) => {
      response.writeEarlyHints({ link: "</style.css>; rel=preload" });
      setTimeout(() => {
        response.writeHead(200, { "x-final": "yes" });
        response.end("final body");
      }, 20);
    });
    const response = await call("/early-hints");
    assert.equal(response.status, 200);
    assert.equal(response.headers["x-final"], "yes");
    assert.equal(response.headers["link"], undefined, "the 103's headers are not mixed into the answer");
    assert.equal((await response.body.bytes()).toString(), "final body");
  });

  test("a connection is reused after a body is read to the end", async () => {
    const exchanges = route("/reuse", ({ response }) => {
      response.end("x");
    });
    // A fresh agent: the shared one holds idle sockets from earlier tests and may pick any of them.
    const own = createAgent({ connectTimeoutMs: 2_000 });
    try {
      for (let index = 0; index < 3; index += 1) {
        const response = await post(own, origin, "/reuse", {}, "{}", { cancel: new Cancel(), headersTimeoutMs: 5_000, who: "test-upstream" });
        await response.body.bytes();
        // undici frees the connection just after onComplete; a moment later it is idle in the pool.
        await sleep(10);
      }
    } finally {
      await own.close();
    }
    const ports = new Set(exchanges.map((exchange) => exchange.request.socket.remotePort));
    assert.equal(exchanges.length, 3);
    assert.equal(ports.size, 1, "one keep-alive socket served all three");
  });

  test("a header named like an Object.prototype member (constructor) keeps its own value", async () => {
    route("/prototype-names", ({ response }) => {
      response.writeHead(200, ["Constructor", "x", "__proto__", "y"]);
      response.end();
    });
    const response = await call("/prototype-names");
    await response.body.bytes();
    assert.equal(response.headers["constructor"], "x");
    assert.equal(response.headers["__proto__"], "y", "__proto__ is an ordinary header name, not the prototype");
    assert.equal(Object.getPrototypeOf(response.headers), null);
  });
});

describe("bodies", () => {
  test("a body written in several delayed chunks arrives whole and in order, by iteration and by bytes()", async () => {
    const parts = ["alpha-", "beta-", "gamma-", "delta"];
    route("/chunks", async ({ response }) => {
      response.writeHead(200, { "content-type": "text/plain" });
      await sendPaced(response, parts, 15);
      response.end();
    });
    const iterated = await iterate((await call("/chunks")).body);
    assert.equal(Buffer.concat(iterated).toString(), parts.join(""));
    assert.ok(iterated.length >= 2, `the delays keep chunks apart (got ${iterated.length})`);
    assert.equal((await (await call("/chunks")).body.bytes()).toString(), parts.join(""));
  });

  test("an empty body: bytes() is empty and iteration ends at once", async () => {
    route("/empty", ({ response }) => {
      response.writeHead(204).end();
    });
    assert.equal((await (await call("/empty")).body.bytes()).length, 0);
    assert.deepEqual(await iterate((await call("/empty")).body), []);
  });

  test("a 16 MiB body read slowly: undici stops reading (the server blocks), then every byte arrives intact and in order", async () => {
    const total = 16 * 1024 * 1024;
    const payload = randomBytes(total);
    let handed = 0;
    let waitingForDrain = false;
    route("/large", async ({ response }) => {
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(total) });
      for (let offset = 0; offset < total; offset += 64 * 1024) {
        handed = offset + 64 * 1024;
        if (!response.write(payload.subarray(offset, offset + 64 * 1024))) {
          waitingForDrain = true;
          await new Promise((resolve) => response.once("drain", resolve));
          waitingForDrain = false;
        }
      }
      response.end();
    });
    const response = await call("/large");
    // Nobody reads for a while: undici must stop taking bytes once 256 KiB are queued.
    await sleep(300);
    assert.ok(waitingForDrain, "the server is blocked on a full socket");
    assert.ok(handed < total / 2, `the server could hand over only ${handed} of ${total} bytes while nobody read`);
    const received: Buffer[] = [];
    let index = 0;
    for await (const chunk of response.body) {
      received.push(chunk);
      index += 1;
      if (index % 8 === 0) await sleep(1);
    }
    const whole = Buffer.concat(received);
    assert.equal(whole.length, total);
    assert.ok(whole.equals(payload), "the same bytes, in the same order");
  });

  test("bytes() returns a body larger than the 256 KiB high-water mark", async () => {
    const total = 1024 * 1024;
    const payload = randomBytes(total);
    route("/large-bytes", ({ response }) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": String(total) });
      response.end(payload);
    });
    const cancel = new Cancel();
    const response = await call("/large-bytes", { cancel });
    const result = await within(response.body.bytes(), 1_000);
    cancel.abort(new Error("test over"));
    assert.notEqual(result, "timed out", "bytes() of a 1 MiB body finished within 1 s");
    assert.ok(result !== "timed out" && result.equals(payload));
  });
});

describe("failures", () => {
  test("a server that never sends headers: headersTimeoutMs gives UpstreamError timeout", async () => {
    const exchanges = route("/no-headers", () => undefined);
    const started = performance.now();
    await assert.rejects(call("/no-headers", { headersTimeoutMs: 200 }), upstreamError("timeout", /test-upstream: timed out/));
    const elapsed = performance.now() - started;
    // undici runs headers timeouts on its coarse "fast timers" (about 0.5 s resolution).
    assert.ok(elapsed >= 150 && elapsed < 2_500, `timed out after ${elapsed.toFixed(0)} ms`);
    const exchange = exchanges[0];
    assert.ok(exchange);
    assert.deepEqual(await exchange.closed, { finished: false }, "the connection was dropped");
  });

  test("a refused connection gives UpstreamError connection", async () => {
    const closedServer = createServer();
    await new Promise<void>((resolve) => closedServer.listen(0, "127.0.0.1", resolve));
    const port = (closedServer.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closedServer.close(() => resolve()));
    await assert.rejects(call("/", { to: `http://127.0.0.1:${port}` }), upstreamError("connection", /test-upstream: connection failed: .*ECONNREFUSED/));
  });

  test("a socket destroyed before headers gives UpstreamError connection", async () => {
    route("/reset-before-headers", ({ response }) => {
      response.socket?.destroy();
    });
    await assert.rejects(call("/reset-before-headers"), upstreamError("connection", /connection failed/));
  });

  test("a socket destroyed mid-body: the chunks before it are yielded, then iteration throws UpstreamError connection", async () => {
    route("/reset-mid-body", async ({ response }) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      await send(response, "event: one\ndata: {}\n\n");
      await sleep(50);
      response.socket?.destroy();
    });
    const response = await call("/reset-mid-body");
    const received: Buffer[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of response.body) received.push(chunk);
      })(),
      upstreamError("connection"),
    );
    assert.equal(Buffer.concat(received).toString(), "event: one\ndata: {}\n\n");
    route("/reset-mid-body-bytes", async ({ response }) => {
      response.writeHead(200, { "content-length": "100" });
      await send(response, "only part");
      response.socket?.destroy();
    });
    await assert.rejects((await call("/reset-mid-body-bytes")).body.bytes(), upstreamError("connection"));
  });
});

describe("readUntil", () => {
  test("a first event split across chunks: readUntil returns both halves; iteration yields the rest; nothing lost or repeated", async () => {
    const parts = ["event: message_start\nda", "ta: {\"a\":1}\n", "\nevent: ping\ndata: {}\n\n", "event: message_stop\ndata: {}\n\n"];
    route("/split-first", async ({ response }) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      await sendPaced(response, parts, 20);
      response.end();
    });
    const response = await call("/split-first");
    const seen: Buffer[] = [];
    const first = await response.body.readUntil(firstSseEvent(seen), 2_000);
    assert.ok(first.toString().startsWith('event: message_start\ndata: {"a":1}\n\n'), `first: ${JSON.stringify(first.toString())}`);
    assert.ok(seen.length >= 2, "hasFirst was called once per chunk until the event was complete");
    assert.equal(Buffer.concat(seen).toString(), first.toString(), "hasFirst saw exactly the bytes returned, in order");
    const rest = await iterate(response.body);
    assert.equal(Buffer.concat([first, ...rest]).toString(), parts.join(""));
  });

  test("two events in one chunk, then more chunks queued in the same batch: the queued chunks stay for the iterator", async () => {
    const parts = ["event: a\ndata: 1\n\nevent: b\ndata: 2\n\n", "event: c\ndata: 3\n\n", "event: d\ndata: 4\n\n"];
    const late = "event: e\ndata: 5\n\n";
    route("/batched", async ({ response }) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      await sendPaced(response, parts, 15);
      // The reader starts only after these three arrived; one more comes once it is reading.
      await sleep(150);
      await send(response, late);
      response.end();
    });
    const response = await call("/batched");
    await sleep(120);
    const calls: string[] = [];
    const first = await response.body.readUntil((chunk) => {
      calls.push(chunk.toString());
      return true;
    }, 2_000);
    assert.deepEqual(calls, [parts[0]], "hasFirst stops at the chunk completing the first event");
    assert.equal(first.toString(), parts[0]);
    const rest = await iterate(response.body);
    assert.equal(Buffer.concat([first, ...rest]).toString(), parts.join("") + late);
  });

  test("the first event completes in a middle chunk of a queued batch: later chunks are neither lost nor duplicated", async () => {
    const parts = ["event: message_start\n", "data: {}\n\nevent: ping\n", "data: {}\n\n", "event: message_stop\ndata: {}\n\n"];
    route("/middle-of-batch", async ({ response }) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      await sendPaced(response, parts, 15);
      response.end();
    });
    const response = await call("/middle-of-batch");
    // All four chunks are queued before readUntil runs, so they come out of one take().
    await sleep(150);
    const seen: Buffer[] = [];
    const first = await response.body.readUntil(firstSseEvent(seen), 2_000);
    assert.ok(first.toString().startsWith("event: message_start\ndata: {}\n\n"));
    const rest = await iterate(response.body);
    assert.equal(Buffer.concat([first, ...rest]).toString(), parts.join(""));
    assert.ok(!Buffer.concat(rest).toString().includes("message_start"), "the first event is not yielded again");
  });

  test("readUntil then bytes(): bytes() returns only what readUntil left", async () => {
    route("/until-then-bytes", async ({ response }) => {
      response.writeHead(200);
      await send(response, "event: a\ndata: 1\n\n");
      await sleep(20);
      response.end("tail");
    });
    const response = await call("/until-then-bytes");
    const first = await response.body.readUntil(firstSseEvent([]), 2_000);
    assert.equal(first.toString(), "event: a\ndata: 1\n\n");
    assert.equal((await response.body.bytes()).toString(), "tail");
  });

  test("bytes the reader cannot read (it throws), before the first event or after it: the upstream request is aborted, not left generating", async () => {
    for (const where of ["readUntil", "mapBody"] as const) {
      const exchanges = route(`/unreadable-${where}`, async ({ response }) => {
        response.writeHead(200, { "content-type": "text/event-stream" });
        await send(response, "event: a\ndata: 1\n\n");
        await sleep(20);
        await send(response, "event: b\ndata: garbage\n\n");
        // and then hangs, as an upstream still generating would
      });
      const response = await call(`/unreadable-${where}`);
      const unreadable = new UpstreamError("upstream_server", "unreadable event");
      if (where === "readUntil") {
        await assert.rejects(
          response.body.readUntil(() => {
            throw unreadable;
          }, 2_000),
          upstreamError("upstream_server", /unreadable event/),
        );
      } else {
        await response.body.readUntil(firstSseEvent([]), 2_000);
        const rest = mapBody(
          response.body,
          (chunk) => {
            if (chunk.includes("garbage")) throw unreadable;
            return chunk;
          },
          (error) => error,
        );
        await assert.rejects(async () => {
          for await (const _chunk of rest);
        }, upstreamError("upstream_server", /unreadable event/));
      }
      const exchange = exchanges[0];
      assert.ok(exchange);
      assert.deepEqual(await within(exchange.closed, 2_000), { finished: false }, `${where}: the server saw the request go away`);
    }
  });

  test("no first event within timeoutMs: UpstreamError timeout, and the upstream request is aborted", async () => {
    const exchanges = route("/slow-first", async ({ response }) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      await send(response, "event: message_start\n");
    });
    const response = await call("/slow-first");
    const started = performance.now();
    await assert.rejects(response.body.readUntil(firstSseEvent([]), 200), upstreamError("timeout", /no first event within 200 ms/));
    assert.ok(performance.now() - started >= 150);
    const exchange = exchanges[0];
    assert.ok(exchange);
    assert.deepEqual(await within(exchange.closed, 2_000), { finished: false }, "the server saw the request go away");
    await assert.rejects(iterate(response.body), upstreamError("timeout"), "later reads fail the same way");
  });

  test("the stream ends before a first event: UpstreamError connection naming it", async () => {
    route("/ends-early", ({ response }) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end("event: message_start\ndata: {");
    });
    const response = await call("/ends-early");
    await assert.rejects(response.body.readUntil(firstSseEvent([]), 2_000), upstreamError("connection", /stream ended before its first event/));
  });

  test("the socket is destroyed before a first event: UpstreamError connection", async () => {
    route("/reset-before-first", async ({ response }) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      await send(response, "event: message_start\n");
      await sleep(30);
      response.socket?.destroy();
    });
    const response = await call("/reset-before-first");
    await assert.rejects(response.body.readUntil(firstSseEvent([]), 2_000), upstreamError("connection", /connection failed/));
  });
});

describe("cancellation and destroy()", () => {
  test("a Cancel already aborted: post rejects with timeout and sends nothing", async () => {
    const exchanges = route("/never-sent", ({ response }) => {
      response.end();
    });
    const cancel = new Cancel();
    cancel.abort(new Error("client disconnected"));
    await assert.rejects(call("/never-sent", { cancel }), upstreamError("timeout", /request aborted \(client disconnected\)/));
    await sleep(50);
    assert.equal(exchanges.length, 0);
  });

  test("cancel.abort() before headers: post rejects with timeout at once and the server sees the connection close", async () => {
    const exchanges = route("/abort-before-headers", () => undefined);
    const cancel = new Cancel();
    const pending = call("/abort-before-headers", { cancel });
    while (exchanges.length === 0) await sleep(5);
    const started = performance.now();
    cancel.abort(new Error("deadline"));
    await assert.rejects(pending, upstreamError("timeout", /request aborted \(deadline\)/));
    assert.ok(performance.now() - started < 500);
    const exchange = exchanges[0];
    assert.ok(exchange);
    assert.deepEqual(await within(exchange.closed, 2_000), { finished: false });
  });

  test("cancel.abort() while the request waits for a free connection: post rejects without waiting for one", async () => {
    const busy = new Cancel();
    const waiting = new Cancel();
    const exchanges = route("/busy", () => undefined);
    // One connection for the origin: the second request queues behind the first, which never answers.
    const narrow = new Agent({ connections: 1 });
    const options = (cancel: Cancel) => ({ cancel, headersTimeoutMs: 5_000, who: "test-upstream" });
    const first = post(narrow, origin, "/busy", {}, "{}", options(busy)).catch((error: unknown) => error);
    try {
      while (exchanges.length === 0) await sleep(5);
      const second = post(narrow, origin, "/busy", {}, "{}", options(waiting)).catch((error: unknown) => error);
      waiting.abort(new Error("client disconnected"));
      const result = await within(second, 500);
      busy.abort(new Error("test over"));
      await second;
      assert.notEqual(result, "timed out", "the queued request was cancelled within 500 ms");
      assert.ok(result instanceof UpstreamError && result.kind === "timeout");
    } finally {
      busy.abort(new Error("test over"));
      await first;
      await narrow.close();
    }
  });

  test("cancel.abort() mid-body: iteration throws UpstreamError timeout after the chunks already received", async () => {
    const exchanges = route("/abort-mid-body", async ({ response }) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      await send(response, "event: one\ndata: {}\n\n");
    });
    const cancel = new Cancel();
    const response = await call("/abort-mid-body", { cancel });
    const received: Buffer[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of response.body) {
          received.push(chunk);
          cancel.abort(new Error("client disconnected"));
        }
      })(),
      upstreamError("timeout", /request aborted \(client disconnected\)/),
    );
    assert.equal(Buffer.concat(received).toString(), "event: one\ndata: {}\n\n");
    const exchange = exchanges[0];
    assert.ok(exchange);
    assert.deepEqual(await within(exchange.closed, 2_000), { finished: false });
  });

  test("cancel.abort() during bytes(): bytes() rejects with timeout", async () => {
    route("/abort-during-bytes", async ({ response }) => {
      response.writeHead(200, { "content-length": "1000" });
      await send(response, "partial");
    });
    const cancel = new Cancel();
    const response = await call("/abort-during-bytes", { cancel });
    const reading = response.body.bytes();
    setTimeout(() => cancel.abort(new Error("deadline")), 30);
    await assert.rejects(reading, upstreamError("timeout", /request aborted \(deadline\)/));
  });

  test("cancel.abort() after the body ended changes nothing", async () => {
    route("/abort-after-end", ({ response }) => {
      response.end("done");
    });
    const cancel = new Cancel();
    const response = await call("/abort-after-end", { cancel });
    assert.equal((await response.body.bytes()).toString(), "done");
    cancel.abort(new Error("late"));
    assert.deepEqual(await iterate(response.body), []);
  });

  test("destroy() mid-body stops the upstream request; later reads fail with connection (response abandoned)", async () => {
    const exchanges = route("/destroy", async ({ response }) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      await send(response, "event: error\ndata: {}\n\n");
    });
    const response = await call("/destroy");
    const first = await response.body.readUntil(firstSseEvent([]), 2_000);
    assert.equal(first.toString(), "event: error\ndata: {}\n\n");
    response.body.destroy();
    const exchange = exchanges[0];
    assert.ok(exchange);
    assert.deepEqual(await within(exchange.closed, 2_000), { finished: false }, "the server saw the request go away");
    await assert.rejects(iterate(response.body), upstreamError("connection", /response abandoned/));
    await assert.rejects(response.body.bytes(), upstreamError("connection", /response abandoned/));
    // The pool recovers: the next request is served.
    route("/after-destroy", ({ response: next }) => {
      next.end("fine");
    });
    assert.equal((await (await call("/after-destroy")).body.bytes()).toString(), "fine");
  });

  test("destroy() after the body ended is a no-op", async () => {
    route("/destroy-after-end", ({ response }) => {
      response.end("whole");
    });
    const response = await call("/destroy-after-end");
    const text = (await response.body.bytes()).toString();
    response.body.destroy();
    assert.equal(text, "whole");
    assert.deepEqual(await iterate(response.body), []);
  });
});

describe("networkError and passThroughHeaders", () => {
  test("undici timeouts map to timeout; socket errors and anything else to connection; UpstreamErrors pass unchanged", () => {
    assert.equal(networkError(new undiciErrors.HeadersTimeoutError(), "x").kind, "timeout");
    assert.equal(networkError(new undiciErrors.BodyTimeoutError(), "x").kind, "timeout");
    assert.equal(networkError(new undiciErrors.ConnectTimeoutError(), "x").kind, "timeout");
    const socketError = networkError(new undiciErrors.SocketError("other side closed"), "up");
    assert.equal(socketError.kind, "connection");
    assert.equal(socketError.message, "up: connection failed: other side closed");
    const withCause = new Error("fetch failed", { cause: new Error("ECONNRESET") });
    assert.equal(networkError(withCause, "up").message, "up: connection failed: fetch failed (ECONNRESET)");
    assert.equal(networkError("weird", "up").kind, "connection");
    const original = new UpstreamError("rate_limited", "slow down");
    assert.equal(networkError(original, "up"), original);
  });

  test("passThroughHeaders keeps the upstream's anthropic-ratelimit-* (as x-switchyard-upstream-ratelimit-*) and its request id, nothing else", () => {
    assert.deepEqual(
      passThroughHeaders({
        "anthropic-ratelimit-requests-limit": "4000",
        "anthropic-ratelimit-tokens-reset": "2026-01-01T00:00:00Z",
        "request-id": "req_123",
        "content-type": "application/json",
        "set-cookie": "a=1",
        "retry-after": "3",
        "x-ratelimit-anthropic": "no",
      }),
      {
        "x-switchyard-upstream-ratelimit-requests-limit": "4000",
        "x-switchyard-upstream-ratelimit-tokens-reset": "2026-01-01T00:00:00Z",
        "x-switchyard-upstream-request-id": "req_123",
      },
    );
    assert.deepEqual(passThroughHeaders({ "x-amzn-requestid": "abc-def" }), { "x-switchyard-upstream-request-id": "abc-def" });
    assert.deepEqual(passThroughHeaders({}), {});
  });
});

describe("RawResponse.passThrough", () => {
  test("equals passThroughHeaders of the full header record, repeats and mixed case included", async () => {
    route("/pass-through", ({ response }) => {
      response.writeHead(200, [
        "Anthropic-RateLimit-Requests-Limit", "50",
        "anthropic-ratelimit-requests-limit", "60",
        "Request-Id", "req_1",
        "X-Amzn-RequestId", "amzn-2",
        "Retry-After", "3",
        "Content-Type", "application/json",
        "X-Other", "no",
      ]);
      response.end("{}");
    });
    const fast = await call("/pass-through");
    await fast.body.bytes();
    const full = await call("/pass-through");
    await full.body.bytes();
    assert.deepEqual(fast.passThrough(), passThroughHeaders(full.headers));
    assert.equal(fast.passThrough()["x-switchyard-upstream-ratelimit-requests-limit"], "50, 60");
    // After the record has been built, the same answer from it.
    assert.deepEqual(full.passThrough(), fast.passThrough());
  });
});

describe("mapBody (a provider's rest of a stream)", () => {
  const chunk = (text: string) => Buffer.from(text, "utf8");
  const collect = async (iterable: AsyncIterable<Buffer>) => {
    const seen: string[] = [];
    for await (const piece of iterable) seen.push(piece.toString("utf8"));
    return seen;
  };

  test("passes each chunk through map as it arrives, skips chunks mapped to undefined, ends with the body", async () => {
    const body = new UpstreamBody("test", () => undefined);
    const mapped = mapBody(body, (piece) => (piece.toString() === "skip" ? undefined : chunk(piece.toString().toUpperCase())), (error) => error);
    const reading = collect(mapped);
    body.push(chunk("a"), () => undefined);
    await sleep(1);
    body.push(chunk("skip"), () => undefined);
    await sleep(1);
    body.push(chunk("b"), () => undefined);
    body.push(chunk("c"), () => undefined);
    body.end();
    // "b" and "c" arrived together: one read, one mapped chunk.
    assert.deepEqual(await reading, ["A", "BC"]);
  });

  test("a failure mid-stream comes out through mapError, after the chunks before it", async () => {
    const body = new UpstreamBody("test", () => undefined);
    const seen: string[] = [];
    const mapped = mapBody(body, (piece) => piece, (error) => new UpstreamError("connection", `mapped: ${(error as Error).message}`));
    body.push(chunk("first"), () => undefined);
    body.fail(new UpstreamError("timeout", "cut off"));
    await assert.rejects(
      (async () => {
        for await (const piece of mapped) seen.push(piece.toString());
      })(),
      (error: unknown) => error instanceof UpstreamError && error.kind === "connection" && error.message === "mapped: cut off",
    );
    assert.deepEqual(seen, ["first"]);
  });

  test("the body's own iteration is the identity mapping", async () => {
    const body = new UpstreamBody("test", () => undefined);
    body.push(chunk("x"), () => undefined);
    body.end();
    assert.deepEqual(await collect(body), ["x"]);
  });
});
