/**
 * End to end through Claude Platform on AWS: the official SDK -> the gateway -> an Anthropic
 * emulator that, like the platform, refuses a request without its workspace in
 * anthropic-workspace-id. The unit test in test/providers shows the header is set; this shows a
 * platform that insists on it gets what it needs, and that its refusal reaches the client.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { formatUsd } from "../../src/pricing/money.js";
import { fromAnthropicUsage } from "../../src/pricing/normalize-usage.js";
import { quote } from "../../src/pricing/quote.js";
import { catalog, startHarness, type Harness } from "../helpers/gateway-harness.js";

let platform: RunningEmulator;
let harness: Harness;
let client: Anthropic;

const deployments = `deployments:
  - { id: platform-sonnet, provider: platform, model: claude-sonnet-4-6, route: global }
  - { id: platform-sonnet-elsewhere, provider: platform-other-workspace, model: claude-sonnet-4-6, route: global }
models:
  via-platform: [platform-sonnet]
  via-other-workspace: [platform-sonnet-elsewhere]
  either-workspace: [platform-sonnet-elsewhere, platform-sonnet]
`;

before(async () => {
  platform = await startAnthropicEmulator({ workspaceIds: ["wrkspc_team"] });
  harness = await startHarness({
    providers: [
      `  platform: { kind: claude-platform-aws, region: us-east-1, base_url: "${platform.url}", api_key_env: TEST_PLATFORM_KEY, workspace_id_env: TEST_PLATFORM_WORKSPACE }`,
      `  platform-other-workspace: { kind: claude-platform-aws, region: us-east-1, base_url: "${platform.url}", api_key_env: TEST_PLATFORM_KEY, workspace_id_env: TEST_OTHER_WORKSPACE }`,
    ].join("\n"),
    deployments,
    env: { TEST_PLATFORM_KEY: "sk-emulator", TEST_PLATFORM_WORKSPACE: "wrkspc_team", TEST_OTHER_WORKSPACE: "wrkspc_someone_else" },
  });
  client = harness.client();
});
after(async () => {
  await harness.close();
  await platform.close();
});

const hello = { max_tokens: 64, messages: [{ role: "user" as const, content: "Hello from the platform" }] };

test("a request reaches the platform with its workspace, and is priced at the platform's own rates", async () => {
  const { data, response } = await client.messages.create({ ...hello, model: "via-platform" }).withResponse();
  assert.equal(data.type, "message");
  assert.equal(response.headers.get("x-switchyard-deployment"), "platform-sonnet");
  const engine = quote(catalog(), { model: "claude-sonnet-4-6", provider: "claude-platform-aws", route: "global", at: new Date().toISOString().slice(0, 10), usage: fromAnthropicUsage(data.usage).usage });
  assert.equal(response.headers.get("x-switchyard-cost-usd"), formatUsd(engine.result.total));

  const stream = client.messages.stream({ ...hello, model: "via-platform" });
  const final = await stream.finalMessage();
  assert.equal(final.stop_reason, "end_turn");
});

test("a workspace the platform does not know is the deployment's fault: the next deployment serves, and alone it is a 502 not to retry", async () => {
  const served = await client.messages.create({ ...hello, model: "either-workspace" }).withResponse();
  assert.equal(served.response.headers.get("x-switchyard-deployment"), "platform-sonnet");

  const refused = await client.messages.create({ ...hello, model: "via-other-workspace" }).then(
    () => assert.fail("the platform refused the workspace"),
    (error: unknown) => error,
  );
  assert.ok(refused instanceof Anthropic.APIError, String(refused));
  assert.equal(refused.status, 502);
  assert.equal(refused.headers?.get("x-should-retry"), "false");
  assert.match(refused.message, /anthropic-workspace-id|workspace/);
});
