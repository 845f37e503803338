/** What `npm start` takes for real provider credentials (src/cli/demo-setup.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hasProviderCredentials } from "../../src/cli/demo-setup.js";

test("a Switchyard virtual key in ANTHROPIC_API_KEY (what npm start tells the shell to export) is no Anthropic credential", () => {
  assert.deepEqual(hasProviderCredentials({ ANTHROPIC_API_KEY: "sk-sy-YF58sd54cIwOuqLttLjF7ckjNay3rp49" }), { anthropic: false, bedrock: false });
  assert.deepEqual(hasProviderCredentials({ ANTHROPIC_API_KEY: "sk-ant-api03-abc" }), { anthropic: true, bedrock: false });
  assert.deepEqual(hasProviderCredentials({ ANTHROPIC_API_KEY: "" }), { anthropic: false, bedrock: false });
  assert.deepEqual(hasProviderCredentials({ AWS_PROFILE: "prod" }), { anthropic: false, bedrock: true });
  assert.deepEqual(hasProviderCredentials({ AWS_BEARER_TOKEN_BEDROCK: "key", ANTHROPIC_API_KEY: "sk-sy-x" }), { anthropic: false, bedrock: true });
});
