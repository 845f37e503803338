/**
 * An upstream that answers with a redirect (a base URL on http:// that the server moves to
 * https://, a path behind a proxy that moved). The gateway does not follow it: the deployment is
 * configured wrong, so the attempt is the gateway's own fault (upstream_auth), the next deployment
 * is tried, and a client left with no deployment gets a 502 saying which setting to fix, never a
 * 200 read from a redirect's body or a 400 blaming its request.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import Anthropic from "@anthropic-ai/sdk";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
let client: Anthropic;
let upstream: Server;
const seen: string[] = [];

before(async () => {
  upstream = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    request.resume();
    request.on("end", () => {
      response.writeHead(request.url?.startsWith("/model/") ? 307 : 301, { location: `https://moved.example${request.url}`, "content-type": "text/html" });
      response.end("<html><body>Moved</body></html>");
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  harness = await startHarness({
    policy: "ordered",
    providers: [
      `  moved-anthropic: { kind: anthropic, base_url: "${url}", api_key_env: TEST_ANTHROPIC_KEY }`,
      "  moved-bedrock:",
      "    kind: bedrock",
      "    region: us-east-1",
      `    endpoint: "${url}"`,
      "    credentials: { access_key_id_env: TEST_AWS_ACCESS_KEY_ID, secret_access_key_env: TEST_AWS_SECRET_ACCESS_KEY }",
    ].join("\n"),
    deployments: `deployments:
  - { id: moved-haiku, provider: moved-anthropic, model: claude-haiku-4-5, route: global }
  - { id: moved-bedrock-haiku, provider: moved-bedrock, model: claude-haiku-4-5, route: us }
  - { id: anthropic-haiku, provider: anthropic-emulator, model: claude-haiku-4-5, route: global }
models:
  moved-first: [moved-haiku, moved-bedrock-haiku, anthropic-haiku]
  moved-only: [moved-haiku]
  moved-bedrock-only: [moved-bedrock-haiku]
`,
  });
  client = harness.client();
});

after(async () => {
  await harness.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

const ask = (model: string, stream: boolean) =>
  stream
    ? client.messages.create({ model, max_tokens: 16, stream: true, messages: [{ role: "user", content: "hello" }] }).withResponse()
    : client.messages.create({ model, max_tokens: 16, messages: [{ role: "user", content: "hello" }] }).withResponse();

test("a redirect from either upstream fails over to the next deployment, streaming and not, and is recorded as the gateway's configuration", async () => {
  for (const stream of [false, true]) {
    const { response } = await ask("moved-first", stream);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-haiku");
    await harness.ledger.writer.flush();
    const row = await harness.ledger.store.get(response.headers.get("request-id") ?? "");
    assert.deepEqual(
      row?.attempts.map(({ deployment, status, error }) => ({ deployment, status, error })),
      [
        { deployment: "moved-haiku", status: 301, error: "upstream_auth" },
        { deployment: "moved-bedrock-haiku", status: 307, error: "upstream_auth" },
        { deployment: "anthropic-haiku", status: 200, error: null },
      ],
      `stream ${stream}`,
    );
  }
  // Not followed: each redirect was asked once, never the address it named.
  assert.ok(seen.every((line) => line.startsWith("POST /")), seen.join("\n"));
});

test("with no deployment left the client gets a 502 naming the deployment, the redirect and the setting to fix", async () => {
  for (const [model, setting, status] of [
    ["moved-only", "base_url", 301],
    ["moved-bedrock-only", "endpoint", 307],
  ] as const) {
    for (const stream of [false, true]) {
      await assert.rejects(ask(model, stream), (error: unknown) => {
        assert.ok(error instanceof Anthropic.APIError, String(error));
        assert.equal(error.status, 502, `${model} stream ${stream}`);
        assert.equal(error.headers.get("x-should-retry"), "false");
        assert.match(error.message, new RegExp(`answered ${status} \\(a redirect to https://moved\\.example/`));
        assert.match(error.message, new RegExp(`the gateway does not follow redirects: set the provider's ${setting} to the address the upstream answers on`));
        assert.match(error.message, /refused the gateway's own credentials or configuration \(not your API key\)/);
        return true;
      });
    }
  }
});

test("count_tokens: a redirect is the deployment's configuration too, not the request's fault", async () => {
  await assert.rejects(client.messages.countTokens({ model: "moved-only", messages: [{ role: "user", content: "hello" }] }), (error: unknown) => {
    assert.ok(error instanceof Anthropic.APIError, String(error));
    assert.equal(error.status, 502);
    assert.match(error.message, /answered 301 \(a redirect to https:\/\/moved\.example\/v1\/messages\/count_tokens/);
    return true;
  });
});
