/** What `npm start` takes for real provider credentials (src/cli/demo-setup.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasProviderCredentials, prepareSetup } from "../../src/cli/demo-setup.js";
import { parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { catalog } from "../helpers/catalog.js";

test("a Switchyard virtual key in ANTHROPIC_API_KEY (what npm start tells the shell to export) is no Anthropic credential", () => {
  assert.deepEqual(hasProviderCredentials({ ANTHROPIC_API_KEY: "sk-sy-YF58sd54cIwOuqLttLjF7ckjNay3rp49" }), { anthropic: false, bedrock: false });
  assert.deepEqual(hasProviderCredentials({ ANTHROPIC_API_KEY: "sk-ant-api03-abc" }), { anthropic: true, bedrock: false });
  assert.deepEqual(hasProviderCredentials({ ANTHROPIC_API_KEY: "" }), { anthropic: false, bedrock: false });
  assert.deepEqual(hasProviderCredentials({ AWS_PROFILE: "prod" }), { anthropic: false, bedrock: true });
  assert.deepEqual(hasProviderCredentials({ AWS_BEARER_TOKEN_BEDROCK: "key", ANTHROPIC_API_KEY: "sk-sy-x" }), { anthropic: false, bedrock: true });
});

test("npm start's emulator config names the provider that holds files, so it starts without a warning", async () => {
  const stateDir = mkdtempSync(join(tmpdir(), "switchyard-demo-"));
  const setup = await prepareSetup({}, { port: 0, emulatorProfile: "instant", stateDir });
  try {
    assert.equal(setup.mode, "emulators");
    // It has two providers that could hold files (the Claude API's and Claude Platform on AWS's emulators).
    const resolved = parseGatewayConfig(setup.configText, setup.configPath, catalog());
    assert.deepEqual(resolved.warnings, []);
    assert.equal(resolved.files.provider, "anthropic-emulator");
  } finally {
    await Promise.all(setup.emulators.map((emulator) => emulator.close()));
    rmSync(stateDir, { recursive: true, force: true });
  }
});
