/**
 * A field a deployment refused moves it last only for requests of the same kind (the same
 * endpoint, the same anthropic-beta set): a count_tokens body carrying max_tokens (which the
 * Anthropic API refuses there, and real clients send) must not move the deployment last for every
 * Messages request, all of which carry max_tokens; nor a call without a beta, refused the field
 * that beta enables, the calls that send it (Claude Code).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type Anthropic from "@anthropic-ai/sdk";
import type { LedgerRow } from "../../src/ledger/ledger.js";
import { CLAUDE_CODE_BETAS } from "../helpers/claude-code.js";
import { DEFAULT_DEPLOYMENTS, readHealth, startHarness, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
let client: Anthropic;
before(async () => {
  harness = await startHarness({ policy: "ordered", deployments: `${DEFAULT_DEPLOYMENTS}  haiku-anthropic-first: [anthropic-haiku, bedrock-haiku-global]\n` });
  client = harness.client();
});
after(async () => harness.close());

const prompt = { model: "sonnet-anthropic-first", max_tokens: 8, messages: [{ role: "user" as const, content: "hello" }] };

async function rowOf(response: Response): Promise<LedgerRow> {
  await harness.ledger.writer.flush();
  const row = await harness.ledger.store.get(response.headers.get("request-id") ?? "");
  assert.ok(row);
  return row;
}

async function refusedBy(deployment: string) {
  const health = await readHealth(harness.gateway.url, harness.adminKey);
  return health.deployments.find((entry) => entry.deployment === deployment)?.refused_fields ?? [];
}

test("a count_tokens call refused max_tokens and stream: Messages requests, which carry them, still try that deployment first", async () => {
  // What clients send (Wei-Shaw/sub2api#4913): the Messages body, generation fields included.
  const counted = await fetch(`${harness.gateway.url}/v1/messages/count_tokens`, {
    method: "POST",
    headers: { "x-api-key": harness.key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify({ ...prompt, stream: true }),
  });
  assert.equal(counted.status, 200, await counted.clone().text());
  assert.equal(counted.headers.get("x-switchyard-deployment"), "bedrock-sonnet-us", "the Anthropic API refused the fields; Bedrock counted");
  for (const stream of [false, true]) {
    const { response } = stream ? await client.messages.create({ ...prompt, stream }).withResponse() : await client.messages.create(prompt).withResponse();
    assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-sonnet", `stream: ${stream}`);
    const row = await rowOf(response);
    assert.deepEqual(row.warnings.filter((warning) => warning.startsWith("moved ")), []);
  }
  const refused = await refusedBy("anthropic-sonnet");
  assert.deepEqual(
    refused.map(({ field, endpoint, betas }) => ({ field, endpoint, betas })),
    [
      { field: "max_tokens", endpoint: "count_tokens", betas: [] },
      { field: "stream", endpoint: "count_tokens", betas: [] },
    ],
    "the health endpoint says in which requests it was refused",
  );
});

test("a plain call refused context_management: a call with the beta that enables it still tries that deployment first", async () => {
  // Another model than the test above: what it taught the sonnet deployments is no part of this.
  const withField = { ...prompt, model: "haiku-anthropic-first", context_management: { edits: [] } };
  // Without anthropic-beta the Anthropic API answers "context_management: Extra inputs are not permitted".
  const first = await client.messages.create(withField as Anthropic.MessageCreateParamsNonStreaming).withResponse();
  assert.equal(first.response.headers.get("x-switchyard-deployment"), "bedrock-haiku-global");
  assert.equal(first.response.headers.get("x-switchyard-attempts"), "2");

  const { response } = await client.beta.messages.create({ ...withField, betas: CLAUDE_CODE_BETAS }).withResponse();
  assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-haiku");
  assert.equal(response.headers.get("x-switchyard-attempts"), "1");
  assert.ok((await refusedBy("anthropic-haiku")).some((refusal) => refusal.field === "context_management" && refusal.endpoint === "messages" && refusal.betas.length === 0));

  // Another plain call with the field tries it last: the refusal still holds for its kind.
  const again = await client.messages.create(withField as Anthropic.MessageCreateParamsNonStreaming).withResponse();
  assert.deepEqual((await rowOf(again.response)).warnings.filter((warning) => warning.startsWith("moved ")), ["moved anthropic-haiku last: it refused context_management on an earlier request"]);
});
