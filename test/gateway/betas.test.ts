/**
 * Claude Code's anthropic-beta header through the gateway (the betas a real claude CLI sends on
 * every request): Bedrock, which answers a beta it does not take with an opaque "invalid beta
 * flag", receives only the betas its catalog entry accepts; the Anthropic API receives them all;
 * a beta the request needs keeps it off a deployment that lacks it; `?beta=true` is passed on.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { Deployment } from "../../src/config/load-gateway-config.js";
import type { LedgerRow } from "../../src/ledger/ledger.js";
import { DEFAULT_BEDROCK_API_KEY } from "../../src/emulators/bedrock/start-bedrock-emulator.js";
import { CLAUDE_CODE_BETAS } from "../helpers/claude-code.js";
import { isBetaCall } from "../../src/gateway/front.js";
import { betasSeen, DEFAULT_DEPLOYMENTS, startHarness, upstreamRequests, type Harness } from "../helpers/gateway-harness.js";


/** Claude Sonnet 4.5, whose 1M window comes with a beta the Claude API stopped serving on 2026-04-30. */
const SONNET_45_DEPLOYMENTS = `  - { id: anthropic-sonnet-45, provider: anthropic-emulator, model: claude-sonnet-4-5, route: global }
  - { id: bedrock-sonnet-45, provider: bedrock-emulator, model: claude-sonnet-4-5, route: global }
`;

let harness: Harness;
let client: Anthropic;
before(async () => {
  harness = await startHarness({
    deployments: `${DEFAULT_DEPLOYMENTS.replace("models:\n", `${SONNET_45_DEPLOYMENTS}models:\n`)}  haiku-bedrock-first: [bedrock-haiku-global, anthropic-haiku]\n  sonnet-45-anthropic-first: [anthropic-sonnet-45, bedrock-sonnet-45]\n`,
    policy: "ordered",
    maxAttempts: 1,
  });
  client = harness.client();
});
after(async () => harness.close());

const ask = (model: string, betas: string[], extra: Partial<Anthropic.Beta.MessageCreateParamsNonStreaming> = {}) =>
  client.beta.messages.create({ model, max_tokens: 16, messages: [{ role: "user", content: "hello" }], betas, ...extra }).withResponse();

async function rowOf(response: Response): Promise<LedgerRow> {
  await harness.ledger.writer.flush();
  const row = await harness.ledger.store.get(response.headers.get("request-id") ?? "");
  assert.ok(row);
  return row;
}

test("Bedrock refuses Claude Code's betas when called directly; through the gateway it gets only the ones it accepts, streaming or not", async () => {
  const upstreamModel = (harness.gateway.state.config.deployments.get("bedrock-haiku-global") as Deployment).upstreamModel;
  const direct = await fetch(`${harness.bedrock.url}/model/${encodeURIComponent(upstreamModel)}/invoke`, {
    method: "POST",
    headers: { authorization: `Bearer ${DEFAULT_BEDROCK_API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ anthropic_version: "bedrock-2023-05-31", anthropic_beta: CLAUDE_CODE_BETAS, max_tokens: 16, messages: [{ role: "user", content: "hello" }] }),
  });
  assert.equal(direct.status, 400);
  assert.equal(((await direct.json()) as { message?: string }).message, "invalid beta flag");

  const seenBefore = { ...betasSeen(harness.bedrock) };
  const { data, response } = await ask("haiku-via-bedrock", CLAUDE_CODE_BETAS);
  assert.equal(data.type, "message");
  assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-haiku-global");
  const seenAfter = betasSeen(harness.bedrock);
  const received = Object.keys(seenAfter).filter((beta) => (seenAfter[beta] ?? 0) > (seenBefore[beta] ?? 0));
  assert.deepEqual(received, ["interleaved-thinking-2025-05-14"], "Bedrock received the one beta it accepts, in its body");
  // Only the betas the catalog does not know are named; the six it knows as not needed are left off without a word.
  assert.deepEqual((await rowOf(response)).warnings, [
    "left anthropic-beta thinking-token-count-2026-05-13, mid-conversation-system-2026-04-07, extended-cache-ttl-2025-04-11 off for bedrock-haiku-global: not accepted there, and not in the catalog's betas",
  ]);

  const stream = client.beta.messages.stream({ model: "haiku-via-bedrock", max_tokens: 16, messages: [{ role: "user", content: "hello" }], betas: CLAUDE_CODE_BETAS });
  const streamed = await stream.finalMessage();
  assert.equal(streamed.type, "message");
  assert.ok(streamed.usage.output_tokens > 0);
});

test("the Anthropic API gets every beta, and a needed beta Bedrock lacks keeps the request off Bedrock", async () => {
  const seenBefore = betasSeen(harness.anthropic);
  const { response } = await ask("haiku-via-anthropic", CLAUDE_CODE_BETAS);
  assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-haiku");
  assert.deepEqual((await rowOf(response)).warnings, []);
  const seenAfter = betasSeen(harness.anthropic);
  for (const beta of CLAUDE_CODE_BETAS) assert.equal((seenAfter[beta] ?? 0) - (seenBefore[beta] ?? 0), 1, `the Anthropic API got ${beta}`);

  // tool-search-tool-2025-10-19 is needed (catalog/betas.yaml) and Bedrock's Haiku 4.5 does not take it.
  const bedrockCalls = upstreamRequests(harness.bedrock);
  await assert.rejects(ask("haiku-via-bedrock", ["tool-search-tool-2025-10-19"]), (error: unknown) => {
    assert.ok(error instanceof Anthropic.BadRequestError);
    assert.match(error.message, /no deployment of haiku-via-bedrock can serve this request: bedrock-haiku-global fails anthropic-beta tool-search-tool-2025-10-19: the request needs it, and the deployment does not accept it/);
    // The advice fits the cause: the request's beta header, not a routing constraint.
    assert.match(error.message, /The request asks for something these deployments lack \(a beta header, a feature, more output or context than they take\): leave it out or ask for less, or add a deployment that has it\.(?!\w)/);
    assert.doesNotMatch(error.message, /Relax the constraint/);
    return true;
  });
  assert.equal(upstreamRequests(harness.bedrock), bedrockCalls, "never sent to Bedrock");
});

test("max_tokens above the model's output limit is a 400 naming the limit, before any upstream call; within it, the request is served", async () => {
  const limit = (harness.gateway.state.config.deployments.get("bedrock-haiku-global") as Deployment).offering.capabilities.max_output_tokens;
  assert.ok(limit !== undefined);
  const calls = upstreamRequests(harness.bedrock) + upstreamRequests(harness.anthropic);
  // An explicit timeout: without one, the SDK itself refuses a non-streaming request for this much output.
  for (const stream of [false, true]) {
    await assert.rejects(client.messages.create({ model: "haiku-bedrock-first", max_tokens: limit + 1, messages: [{ role: "user", content: "hello" }], stream }, { timeout: 30_000 }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.BadRequestError, String(error));
      // Deployments that fail for the same reason are named once, together.
      assert.match(error.message, new RegExp(`: bedrock-haiku-global, anthropic-haiku fail max_tokens ${limit + 1}: its output limit is ${limit} tokens\\. `));
      assert.match(error.message, /ask for less/);
      return true;
    });
  }
  assert.equal(upstreamRequests(harness.bedrock) + upstreamRequests(harness.anthropic), calls, "never sent upstream");
  const { response } = await client.messages.create({ model: "haiku-bedrock-first", max_tokens: limit, messages: [{ role: "user", content: "hello" }] }, { timeout: 30_000 }).withResponse();
  assert.equal(response.status, 200);
});

test("fine-grained-tool-streaming reaches Bedrock's Claude 4.5 (the catalog lists it there), with no warning", async () => {
  const seenBefore = { ...betasSeen(harness.bedrock) };
  const { response } = await ask("haiku-via-bedrock", ["fine-grained-tool-streaming-2025-05-14"]);
  assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-haiku-global");
  assert.equal((betasSeen(harness.bedrock)["fine-grained-tool-streaming-2025-05-14"] ?? 0) - (seenBefore["fine-grained-tool-streaming-2025-05-14"] ?? 0), 1);
  assert.deepEqual((await rowOf(response)).warnings, []);
});

test("?beta=true (as Claude Code calls) reaches an Anthropic-shape upstream, whose beta variant takes new fields", async () => {
  // No anthropic-beta header: only the beta variant of the endpoint accepts a field still in beta.
  const call = (path: string) =>
    fetch(`${harness.gateway.url}${path}`, {
      method: "POST",
      headers: { "x-api-key": harness.key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 16, messages: [{ role: "user", content: "hello" }], context_management: { edits: [] } }),
    });
  const plain = await call("/v1/messages");
  assert.equal(plain.status, 400);
  assert.match(((await plain.json()) as { error: { message: string } }).error.message, /context_management: Extra inputs are not permitted/);
  assert.equal((await call("/v1/messages?beta=true")).status, 200);
});

test("count_tokens: a deployment without a needed beta is not tried, nor counted against max_attempts", async () => {
  // max_attempts is 1 here: Bedrock, first in the alias, would take the only attempt.
  const counted = await client.beta.messages.countTokens({ model: "haiku-bedrock-first", messages: [{ role: "user", content: "hello" }], betas: ["tool-search-tool-2025-10-19"] }).withResponse();
  assert.ok(counted.data.input_tokens > 0);
  assert.equal(counted.response.headers.get("x-switchyard-deployment"), "anthropic-haiku");
  await assert.rejects(client.beta.messages.countTokens({ model: "haiku-via-bedrock", messages: [{ role: "user", content: "hello" }], betas: ["tool-search-tool-2025-10-19"] }), (error: unknown) => {
    assert.ok(error instanceof Anthropic.BadRequestError);
    assert.match(error.message, /no deployment of haiku-via-bedrock can count this request: bedrock-haiku-global fails anthropic-beta tool-search-tool-2025-10-19: the request needs it, and the deployment does not accept it/);
    return true;
  });
});

test("a beta count answers what the upstream answered: the Anthropic API's context_management passed on, Bedrock's count alone", async () => {
  const messages = [{ role: "user" as const, content: "hello" }];
  const managed = await client.beta.messages.countTokens({
    model: "haiku-via-anthropic",
    messages,
    context_management: { edits: [{ type: "clear_tool_uses_20250919" }] },
    betas: ["context-management-2025-06-27"],
  });
  assert.ok(managed.input_tokens > 0);
  assert.deepEqual(managed, { input_tokens: managed.input_tokens, context_management: { original_input_tokens: managed.input_tokens } });
  // Bedrock's CountTokens reports inputTokens only: nothing is made up for it.
  const counted = await client.beta.messages.countTokens({ model: "haiku-via-bedrock", messages, betas: ["context-management-2025-06-27"] });
  assert.deepEqual(Object.keys(counted), ["input_tokens"]);
});

test("the 1M-context beta on a model whose window is 1M anyway is left off Bedrock, and the ledger says why", async () => {
  const { response } = await ask("sonnet-via-bedrock", ["context-1m-2025-08-07"]);
  assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-sonnet-us");
  assert.deepEqual((await rowOf(response)).warnings, ["left anthropic-beta context-1m-2025-08-07 off for bedrock-sonnet-us: its context window gives what it asks for"]);
});

test("the 1M-context beta, which the Claude API stopped serving on 2026-04-30, sends Sonnet 4.5 to Bedrock first even where the policy puts the Claude API first; the row says why", async () => {
  const plain = await ask("sonnet-45-anthropic-first", ["interleaved-thinking-2025-05-14"]);
  assert.equal(plain.response.headers.get("x-switchyard-deployment"), "anthropic-sonnet-45", "without the beta, the policy's order stands");
  const long = await ask("sonnet-45-anthropic-first", ["context-1m-2025-08-07"]);
  assert.equal(long.response.headers.get("x-switchyard-deployment"), "bedrock-sonnet-45");
  assert.deepEqual((await rowOf(long.response)).warnings, [
    "moved anthropic-sonnet-45 last: anthropic stopped serving anthropic-beta context-1m-2025-08-07 on 2026-04-30, and a request longer than the model's own window is refused there",
  ]);
});

test("the Files API beta (a file_id source) keeps a request off Bedrock, which has no Files API: served by the Claude API, or a 400 naming the beta", async () => {
  const bedrockCalls = upstreamRequests(harness.bedrock);
  const { response } = await ask("haiku-bedrock-first", ["files-api-2025-04-14"]);
  assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-haiku");
  await assert.rejects(ask("haiku-via-bedrock", ["files-api-2025-04-14"]), (error: unknown) => {
    assert.ok(error instanceof Anthropic.BadRequestError);
    assert.match(error.message, /bedrock-haiku-global fails anthropic-beta files-api-2025-04-14: the request needs it, and the deployment does not accept it/);
    return true;
  });
  assert.equal(upstreamRequests(harness.bedrock), bedrockCalls, "nothing reached Bedrock");
});

test("count_tokens learns a field refusal and then counts on the next deployment first", async () => {
  // max_attempts is 1: the first count stops at Bedrock's refusal; the second must skip ahead to count at all.
  const count = () =>
    fetch(`${harness.gateway.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { "x-api-key": harness.key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: "haiku-bedrock-first", messages: [{ role: "user", content: "hello" }], tools: [{ name: "lookup", input_schema: { type: "object" }, defer_loading: true }] }),
    });
  const refused = await count();
  assert.equal(refused.status, 400);
  assert.match(await refused.text(), /tools\.0\.custom\.defer_loading: Extra inputs are not permitted/);
  const counted = await count();
  assert.equal(counted.status, 200, await counted.clone().text());
  assert.equal(counted.headers.get("x-switchyard-deployment"), "anthropic-haiku");
});

test("betas in the body (Bedrock's anthropic_beta) are refused with a 400 saying where they go, on messages and count_tokens: they would reach Bedrock unchecked", async () => {
  const bedrockCalls = upstreamRequests(harness.bedrock);
  const anthropicCalls = upstreamRequests(harness.anthropic);
  for (const path of ["/v1/messages", "/v1/messages/count_tokens"]) {
    const response = await fetch(`${harness.gateway.url}${path}`, {
      method: "POST",
      headers: { "x-api-key": harness.key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "haiku-bedrock-first", max_tokens: 16, anthropic_beta: CLAUDE_CODE_BETAS, messages: [{ role: "user", content: "hello" }] }),
    });
    assert.equal(response.status, 400, path);
    const body = (await response.json()) as { error?: { type?: string; message?: string } };
    assert.equal(body.error?.type, "invalid_request_error");
    assert.match(body.error?.message ?? "", /^anthropic_beta: betas go in the anthropic-beta header/);
  }
  assert.equal(upstreamRequests(harness.bedrock), bedrockCalls, "no upstream call");
  assert.equal(upstreamRequests(harness.anthropic), anthropicCalls);
});

test("isBetaCall: beta=true as a query parameter of its own, wherever it stands", () => {
  assert.deepEqual(
    ["/v1/messages?beta=true", "/v1/messages?x=1&beta=true", "/v1/messages?beta=true&x=1", "/v1/messages", "/v1/messages?beta=truer", "/v1/messages?notbeta=true", undefined].map(isBetaCall),
    [true, true, true, false, false, false, false],
  );
});
