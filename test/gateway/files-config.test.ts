/**
 * Which provider holds files: `files.provider`, checked at start with its line; by default the only
 * Anthropic-shape provider. With several and none named the gateway starts with a warning, and
 * /v1/files and Messages requests naming a file_id are refused saying to set it. A Claude Platform
 * on AWS provider holds files with its own credentials (bearer key and workspace id).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic, { toFile } from "@anthropic-ai/sdk";
import { parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { missingProviderSecrets } from "../../src/providers/registry.js";
import { catalog } from "../helpers/catalog.js";
import { configProblems } from "../helpers/config-problems.js";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

const FILES_BETA = "files-api-2025-04-14";

const PROVIDERS = `providers:
  anthropic: { kind: anthropic }
  bedrock-us: { kind: bedrock, region: us-east-1 }
  platform: { kind: claude-platform-aws, region: us-east-1 }
deployments:
  - { id: a-sonnet, provider: anthropic, model: claude-sonnet-4-6, route: global }
`;

const problems = configProblems;

describe("files: in the config", () => {
  test("files.provider naming no provider, or a Bedrock one, is refused at its line, saying what to name", () => {
    assert.deepEqual(problems(`${PROVIDERS}files:\n  provider: anthropc\n`), ['gw.yaml:8: files.provider: unknown provider "anthropc"; declared: anthropic, bedrock-us, platform']);
    assert.deepEqual(problems(`${PROVIDERS}files: { provider: bedrock-us }\n`), [
      "gw.yaml:7: files.provider: provider bedrock-us is bedrock, which has no Files API: name a provider of kind anthropic or claude-platform-aws (here: anthropic, platform)",
    ]);
    assert.match(problems(`${PROVIDERS}files: { provider: anthropic, max_file_bytes: 600000000 }\n`).join("\n"), /files\.max_file_bytes: expected at most 524288000 \(500 MB, the Files API's own limit per file\)/);
    assert.match(problems(`${PROVIDERS}files: { provider: anthropic, max_size: 5 }\n`).join("\n"), /files: Unrecognized key: "max_size"/);
  });

  test("without files:, the only Anthropic-shape provider holds files; with none, nothing does, and no warning", () => {
    const one = parseGatewayConfig(`providers:\n  anthropic: { kind: anthropic }\n  bedrock-us: { kind: bedrock, region: us-east-1 }\ndeployments:\n  - { id: b, provider: bedrock-us, model: claude-haiku-4-5, route: global }\n`, "gw.yaml", catalog());
    assert.equal(one.files.provider, "anthropic");
    assert.deepEqual(one.warnings, []);
    // It serves /v1/files though no deployment uses it: its key must be set.
    assert.deepEqual(missingProviderSecrets(one, {}), ["providers.anthropic: ANTHROPIC_API_KEY is not set"]);
    const none = parseGatewayConfig(`providers:\n  bedrock-us: { kind: bedrock, region: us-east-1 }\ndeployments:\n  - { id: b, provider: bedrock-us, model: claude-haiku-4-5, route: global }\n`, "gw.yaml", catalog());
    assert.equal(none.files.provider, undefined);
    assert.deepEqual(none.warnings, []);
  });

  test("several Anthropic-shape providers and none named: the gateway starts, with a warning at providers: that says to set files.provider", () => {
    const several = parseGatewayConfig(PROVIDERS, "gw.yaml", catalog());
    assert.equal(several.files.provider, undefined);
    assert.equal(several.warnings.length, 1);
    const [warning] = several.warnings;
    assert.equal(warning?.path, "files.provider");
    assert.equal(warning?.line, 2, "the providers section's first line");
    assert.match(warning?.message ?? "", /2 providers with a Files API \(anthropic, platform\).*files: \{ provider: <name> \}.*\/v1\/files and Messages requests naming a file_id are refused/);
    const named = parseGatewayConfig(`${PROVIDERS}files: { provider: platform }\n`, "gw.yaml", catalog());
    assert.equal(named.files.provider, "platform");
    assert.deepEqual(named.warnings, []);
  });
});

describe("two Anthropic-shape providers, none named to hold files", () => {
  let harness: Harness;
  before(async () => {
    // A second workspace no deployment uses: it is never called.
    harness = await startHarness({ providers: `  second-key: { kind: anthropic, base_url: "http://127.0.0.1:9", api_key_env: TEST_SECOND_KEY }`, env: { TEST_SECOND_KEY: "sk-emulator" } });
  });
  after(async () => {
    await harness.close();
  });

  test("/v1/files answers a 400 telling the operator to set files.provider; a message naming a file_id too", async () => {
    const client = harness.client();
    const listed = await client.beta.files.list({ betas: [FILES_BETA] }).then(
      () => assert.fail("refused"),
      (error: unknown) => error,
    );
    assert.ok(listed instanceof Anthropic.BadRequestError, String(listed));
    const message = (listed.error as { error: { message: string } }).error.message;
    assert.match(message, /^the Files API is not available through this gateway: this gateway has 2 providers with a Files API \(anthropic-emulator, second-key\).*files: \{ provider: <name> \}/);

    const refused = await client.beta.messages
      .create({ model: "claude-haiku-4-5", max_tokens: 16, betas: [FILES_BETA], messages: [{ role: "user", content: [{ type: "image", source: { type: "file", file_id: "file_011Cabc" } }] }] })
      .then(
        () => assert.fail("refused"),
        (error: unknown) => error,
      );
    assert.ok(refused instanceof Anthropic.BadRequestError, String(refused));
    const why = (refused.error as { error: { message: string } }).error.message;
    assert.ok(why.includes('messages.0.content.0.source (file_id "file_011Cabc"): this gateway has 2 providers with a Files API'), why);
  });
});

describe("Claude Platform on AWS holds the files", () => {
  let platform: RunningEmulator;
  let harness: Harness;
  before(async () => {
    platform = await startAnthropicEmulator({ workspaceIds: ["wrkspc_team"] });
    harness = await startHarness({
      providers: `  platform: { kind: claude-platform-aws, region: us-east-1, base_url: "${platform.url}", api_key_env: TEST_PLATFORM_KEY, workspace_id_env: TEST_PLATFORM_WORKSPACE }`,
      deployments: `deployments:\n  - { id: platform-sonnet, provider: platform, model: claude-sonnet-4-6, route: global }\n  - { id: anthropic-sonnet, provider: anthropic-emulator, model: claude-sonnet-4-6, route: global }\n`,
      extra: "files: { provider: platform }",
      env: { TEST_PLATFORM_KEY: "sk-emulator", TEST_PLATFORM_WORKSPACE: "wrkspc_team" },
    });
  });
  after(async () => {
    await harness.close();
    await platform.close();
  });

  test("an upload reaches the platform with its bearer key and workspace, and a message naming the file goes there", async () => {
    const client = harness.client();
    const file = await client.beta.files.upload({ file: await toFile(Buffer.from("hello"), "hello.txt", { type: "text/plain" }), betas: [FILES_BETA] });
    assert.match(file.id, /^file_/);
    for (let turn = 0; turn < 3; turn++) {
      const { response } = await client.beta.messages
        .create({ model: "claude-sonnet-4-6", max_tokens: 16, betas: [FILES_BETA], messages: [{ role: "user", content: [{ type: "document", source: { type: "file", file_id: file.id } }, { type: "text", text: "Read it" }] }] })
        .withResponse();
      assert.equal(response.headers.get("x-switchyard-deployment"), "platform-sonnet");
    }
  });
});
