/** Claude Platform on AWS (src/providers/claude-platform-aws): the headers every request must carry. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { createClaudePlatformAwsProvider } from "../../src/providers/claude-platform-aws/index.js";
import { createAgent } from "../../src/providers/shared/http.js";
import { UpstreamError } from "../../src/providers/upstream-error.js";
import { Cancel } from "../../src/util/cancel.js";

const ANSWER = JSON.stringify({ id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-6", content: [{ type: "text", text: "Hi" }], stop_reason: "end_turn", usage: { input_tokens: 5, output_tokens: 1 } });

test("every request carries the workspace API key as a bearer token and the workspace id in anthropic-workspace-id", async () => {
  const seen: IncomingHttpHeaders[] = [];
  const fake = createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    request.on("end", () => response.writeHead(200, { "content-type": "application/json" }).end(ANSWER));
  });
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  const agent = createAgent({ connectTimeoutMs: 1_000 });
  try {
    const config = { kind: "claude-platform-aws" as const, region: "us-west-2", base_url: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`, api_key_env: "PLATFORM_KEY", workspace_id_env: "PLATFORM_WORKSPACE" };
    const call = { body: { max_tokens: 5, messages: [{ role: "user", content: "Hi" }] }, stream: false, upstreamModel: "claude-sonnet-4-6", anthropicVersion: "2023-06-01", betas: [], requestId: "req_test", cancel: new Cancel(), firstByteTimeoutMs: 0 };
    const provider = createClaudePlatformAwsProvider({ name: "platform", config, env: { PLATFORM_KEY: "sk-workspace", PLATFORM_WORKSPACE: "wrkspc_01abc" }, agent });
    const result = await provider.messages(call);
    assert.equal(result.kind, "json");
    assert.equal(seen[0]?.authorization, "Bearer sk-workspace");
    assert.equal(seen[0]?.["anthropic-workspace-id"], "wrkspc_01abc");
    // Without the workspace id the request is not sent: the gateway's own configuration is at fault.
    const without = createClaudePlatformAwsProvider({ name: "platform", config, env: { PLATFORM_KEY: "sk-workspace" }, agent });
    await assert.rejects(without.messages({ ...call, cancel: new Cancel() }), (error: unknown) => error instanceof UpstreamError && error.kind === "upstream_auth" && /PLATFORM_WORKSPACE/.test(error.message));
    assert.equal(seen.length, 1);
  } finally {
    await agent.close();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  }
});

test("a count_tokens answer that is not JSON is the upstream's failure (the next deployment may count), not the gateway's", async () => {
  const fake = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(200, { "content-type": "text/html" }).end("<html>maintenance</html>"));
  });
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  const agent = createAgent({ connectTimeoutMs: 1_000 });
  try {
    const config = { kind: "claude-platform-aws" as const, region: "us-west-2", base_url: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`, api_key_env: "K", workspace_id_env: "W" };
    const provider = createClaudePlatformAwsProvider({ name: "platform", config, env: { K: "k", W: "w" }, agent });
    const call = { upstreamModel: "claude-sonnet-4-6", anthropicVersion: "2023-06-01", betas: [], requestId: "req_test", cancel: new Cancel(), firstByteTimeoutMs: 2_000 };
    await assert.rejects(provider.countTokens({ messages: [{ role: "user", content: "Hi" }] }, call), (error: unknown) => error instanceof UpstreamError && error.kind === "upstream_server" && /unreadable count_tokens answer/.test(error.message));
  } finally {
    await agent.close();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  }
});
