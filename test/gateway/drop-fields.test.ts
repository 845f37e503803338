/**
 * A deployment's drop_fields: fields its upstream refuses, removed before the request goes there
 * (Claude Code's deferred tools on a Bedrock-only setup).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { ConfigError, parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { dropFieldProblem, dropPath, withoutFields } from "../../src/config/drop-fields.js";
import { catalog } from "../helpers/catalog.js";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

test("withoutFields removes each path that is there, through every array element, without changing the body", () => {
  const body = {
    model: "m",
    tools: [{ name: "a", defer_loading: true }, { name: "b" }, { name: "c", defer_loading: false, input_examples: [] }],
    output_config: { effort: "low", format: { type: "json" } },
  };
  const before = JSON.stringify(body);
  const { body: sent, dropped } = withoutFields(body, ["tools.*.defer_loading", "output_config.effort", "context_management", "tools.*.nothing"].map(dropPath));
  assert.deepEqual(sent, { model: "m", tools: [{ name: "a" }, { name: "b" }, { name: "c", input_examples: [] }], output_config: { format: { type: "json" } } });
  assert.deepEqual(dropped, ["tools.*.defer_loading", "output_config.effort"], "only the paths that were there");
  assert.equal(JSON.stringify(body), before, "the client's body is not changed");
  assert.equal(sent.tools && (sent.tools as unknown[])[1], body.tools[1], "untouched parts are shared, not copied");
  assert.equal(withoutFields(body, [dropPath("absent.member")]).body, body, "nothing removed: the same object");
});

test("drop_fields: a bad entry is refused at load with its line and what to write instead", () => {
  assert.equal(dropFieldProblem("tools.*.defer_loading"), undefined);
  assert.match(dropFieldProblem("messages") ?? "", /messages cannot be dropped/);
  assert.match(dropFieldProblem("messages.*.content") ?? "", /messages\.\*\.content cannot be dropped/);
  assert.equal(dropFieldProblem("messages.*.content.*.citations"), undefined, "what is inside a member no request can go without may be dropped");
  assert.match(dropFieldProblem("tools.*") ?? "", /would drop array elements; name a member inside them \(e\.g\. tools\.\*\.defer_loading\)/);
  assert.match(dropFieldProblem("tools..x") ?? "", /is not a field path/);
  const text = `providers:
  bedrock: { kind: bedrock, region: us-east-1 }
deployments:
  - id: b
    provider: bedrock
    model: claude-haiku-4-5
    drop_fields: [tools.*.defer_loading, max_tokens]
`;
  assert.throws(
    () => parseGatewayConfig(text, "gateway.yaml", catalog()),
    (error: unknown) => error instanceof ConfigError && /gateway\.yaml:7: deployments\.0\.drop_fields\.1: max_tokens cannot be dropped/.test(error.message),
  );
});

let harness: Harness;
before(async () => {
  harness = await startHarness({
    deployments: `deployments:
  - { id: bedrock-haiku, provider: bedrock-emulator, model: claude-haiku-4-5, route: global }
  - { id: bedrock-haiku-dropping, provider: bedrock-emulator, model: claude-haiku-4-5, route: global, drop_fields: [tools.*.defer_loading] }
  - { id: anthropic-haiku-dropping, provider: anthropic-emulator, model: claude-haiku-4-5, route: global, drop_fields: [frequency_penalty] }
models:
  haiku-as-is: [bedrock-haiku]
  haiku-dropping: [bedrock-haiku-dropping]
  haiku-anthropic-dropping: [anthropic-haiku-dropping]
`,
  });
});
after(async () => harness.close());

test("Bedrock refuses a deferred tool; a deployment that drops the field serves it, and the ledger says what was dropped", async () => {
  const client = harness.client();
  // Not in the SDK's tool type: sent as the client gives it.
  const tools = [{ name: "lookup", description: "Looks a word up", input_schema: { type: "object" as const, properties: {} }, defer_loading: true }];
  const ask = (model: string) => client.messages.create({ model, max_tokens: 16, messages: [{ role: "user", content: "hello" }], tools }).withResponse();
  await assert.rejects(ask("haiku-as-is"), (error: unknown) => {
    assert.ok(error instanceof Anthropic.BadRequestError);
    assert.match(error.message, /tools\.0\.custom\.defer_loading: Extra inputs are not permitted/);
    // And how to have the gateway serve it: the field as drop_fields takes it.
    assert.match(error.message, /\(deployment bedrock-haiku does not accept it; the gateway drops it for that deployment with drop_fields: \[tools\.\*\.defer_loading\] in its config\)/);
    return true;
  });
  const { response } = await ask("haiku-dropping");
  assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-haiku-dropping");
  await harness.ledger.writer.flush();
  const row = await harness.ledger.store.get(response.headers.get("request-id") ?? "");
  assert.deepEqual(row?.warnings, ["dropped tools.*.defer_loading for bedrock-haiku-dropping (its drop_fields)"]);
});

test("count_tokens drops the same fields for the deployment that counts", async () => {
  const count = (model: string) =>
    fetch(`${harness.gateway.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { "x-api-key": harness.key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hello" }], tools: [{ name: "lookup", input_schema: { type: "object" }, defer_loading: true }] }),
    });
  const refused = await count("haiku-as-is");
  assert.equal(refused.status, 400);
  assert.match(await refused.text(), /tools\.0\.custom\.defer_loading: Extra inputs are not permitted.*drop_fields: \[tools\.\*\.defer_loading\]/);
  const counted = await count("haiku-dropping");
  assert.equal(counted.status, 200);
  assert.equal(counted.headers.get("x-switchyard-deployment"), "bedrock-haiku-dropping");
});

test("an Anthropic-shape deployment that drops a field gets the body without it, not the client's bytes", async () => {
  // The Anthropic emulator refuses frequency_penalty as the API does: only a body without it is served.
  const response = await fetch(`${harness.gateway.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": harness.key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify({ model: "haiku-anthropic-dropping", max_tokens: 16, messages: [{ role: "user", content: "hello" }], frequency_penalty: 1 }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-haiku-dropping");
});
