/**
 * Closing (a deploy, Ctrl-C): the listening socket closes and idle connections are dropped, but a
 * request that arrives on a connection still open (queued behind a stream the gateway is
 * finishing) is served, on every route, in the API's shape, and its connection then closed so the
 * drain ends. Fastify's own answer there was a 503 `{"error":"Service Unavailable",…}`, in neither
 * API's error shape, for count_tokens, /v1/models and the chat route, while /v1/messages was served.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { startHarness } from "../helpers/gateway-harness.js";

interface Answer {
  status: number | undefined;
  connection: string | undefined;
  body: string;
}

test("requests on a connection still open while the gateway closes are served, each route alike, and the connection is closed after them", async () => {
  const harness = await startHarness();
  try {
    harness.anthropic.setProfile({ latency: { ttftMs: { p50: 0, p99: 0 }, interTokenMs: { p50: 40, p99: 40 } } });
    const url = new URL(harness.gateway.url);
    /** `answering` is called when the answer's headers are in (for a stream: it is under way). */
    const call = (agent: http.Agent, path: string, body?: object, answering?: () => void): Promise<Answer> =>
      new Promise((resolve, reject) => {
        const request = http.request(
          { host: url.hostname, port: url.port, path, method: body ? "POST" : "GET", agent, headers: { "x-api-key": harness.key, "anthropic-version": "2023-06-01", "content-type": "application/json" } },
          (response) => {
            answering?.();
            let text = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => (text += chunk));
            response.on("end", () => resolve({ status: response.statusCode, connection: response.headers.connection, body: text }));
          },
        );
        request.on("error", reject);
        request.end(body ? JSON.stringify(body) : undefined);
      });
    const message = { model: "haiku-via-anthropic", max_tokens: 20, messages: [{ role: "user", content: "hi" }] };
    // One connection per route, each busy with a stream (about 1.2 s) when the close begins; the
    // route's request waits behind it on the same connection.
    const routes: [string, object | undefined][] = [
      ["/v1/messages", message],
      ["/v1/messages/count_tokens", { model: message.model, messages: message.messages }],
      ["/v1/models", undefined],
      ["/v1/chat/completions", { model: message.model, max_tokens: 20, messages: [{ role: "user", content: "hi" }] }],
    ];
    const agents = routes.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    const underWay: Promise<void>[] = [];
    const streams = agents.map((agent) => {
      let answering = () => {};
      underWay.push(new Promise<void>((resolve) => (answering = resolve)));
      return call(agent, "/v1/messages", { ...message, stream: true, max_tokens: 30 }, () => answering());
    });
    // Every stream under way (on a slow machine that can take longer than any fixed pause).
    await Promise.all(underWay);
    await sleep(50);
    const closed = harness.gateway.close();
    const queued = routes.map(([path, body], index) => call(agents[index] as http.Agent, path, body));
    for (const stream of await Promise.all(streams)) assert.equal(stream.status, 200);
    const answers = await Promise.all(queued);
    for (const [index, answer] of answers.entries()) {
      const path = routes[index]?.[0];
      assert.equal(answer.status, 200, `${path}: ${answer.body}`);
      assert.equal(answer.connection, "close", `${path} ends its connection`);
    }
    await closed;
    for (const agent of agents) agent.destroy();
  } finally {
    await harness.close();
  }
});

test("a connection busy when the close began is closed once its answer ends, even if its client keeps it for more: the close does not wait out the keep-alive timeout", async () => {
  const harness = await startHarness();
  try {
    harness.anthropic.setProfile({ latency: { ttftMs: { p50: 0, p99: 0 }, interTokenMs: { p50: 20, p99: 20 } } });
    const url = new URL(harness.gateway.url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const streamed = new Promise<number>((resolve, reject) => {
      const request = http.request(
        { host: url.hostname, port: url.port, path: "/v1/messages", method: "POST", agent, headers: { "x-api-key": harness.key, "anthropic-version": "2023-06-01", "content-type": "application/json" } },
        (response) => {
          response.resume();
          response.on("end", () => resolve(performance.now()));
        },
      );
      request.on("error", reject);
      request.end(JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 30, stream: true, messages: [{ role: "user", content: "hi" }] }));
    });
    await sleep(100);
    const closed = harness.gateway.close().then(() => performance.now());
    const [streamEnded, closedAt] = await Promise.all([streamed, closed]);
    assert.ok(closedAt - streamEnded < 2_000, `closed ${(closedAt - streamEnded).toFixed(0)} ms after the stream ended`);
    agent.destroy();
  } finally {
    await harness.close();
  }
});
