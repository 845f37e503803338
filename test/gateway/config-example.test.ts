/** The complete annotated config in docs/GATEWAY.md is a config the gateway accepts, field for field. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { catalog } from "../helpers/catalog.js";
import { REPO_ROOT } from "../helpers/paths.js";

test("docs/GATEWAY.md's complete example config parses, with every section it documents", () => {
  const doc = readFileSync(join(REPO_ROOT, "docs/GATEWAY.md"), "utf8");
  const blocks = [...doc.matchAll(/```yaml\n([^]*?)```/g)].map((match) => match[1] as string);
  const example = blocks.find((block) => block.startsWith("listen:") && block.includes("\ndeployments:"));
  assert.ok(example, "the complete example is a yaml block starting with listen:");
  const resolved = parseGatewayConfig(example, "docs/GATEWAY.md", catalog());
  const config = resolved.config;
  assert.equal(resolved.deployments.size, 7);
  assert.deepEqual([...(resolved.aliases.get("sonnet") ?? [])].map((deployment) => deployment.id), ["anthropic-sonnet", "bedrock-sonnet-global", "platform-sonnet", "bedrock-sonnet-us", "bedrock-sonnet-eu"]);
  assert.equal(config.warm_up.requests, 2000, "not the default: the line is read");
  assert.equal(config.redis?.key_prefix, "switchyard:");
  assert.equal(config.routing.health.failure_threshold, 5);
  assert.equal(config.keys["eu-app"]?.requests_per_minute, 120);
  // Two providers could hold files (the Claude API and the platform): the example names one, so it starts without a warning.
  assert.equal(resolved.files.provider, "anthropic");
  assert.equal(resolved.files.maxFileBytes, 524_288_000);
  assert.deepEqual(resolved.warnings, []);
});
