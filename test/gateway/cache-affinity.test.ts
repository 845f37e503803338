/**
 * Prompt-cache affinity for a conversation whose one breakpoint moves to its last block each turn
 * (a coding agent's marker, or automatic caching), end to end with the official SDK → gateway →
 * emulators. The cache reads such a turn's prefix from the block boundaries before its breakpoint,
 * so the gateway must send the next turn where the last one was served, though no two turns share
 * a breakpoint.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type Anthropic from "@anthropic-ai/sdk";
import { CONVERSE_PROVIDER, startHarness, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;

before(async () => {
  harness = await startHarness({
    providers: CONVERSE_PROVIDER,
    deployments: `deployments:
  - { id: anthropic-haiku, provider: anthropic-emulator, model: claude-haiku-4-5, route: global }
  - { id: bedrock-haiku-global, provider: bedrock-emulator, model: claude-haiku-4-5, route: global }
  - { id: converse-sonnet, provider: bedrock-converse, model: claude-sonnet-4-6, route: global }
models:
  haiku-via-bedrock: [bedrock-haiku-global]
`,
  });
});
after(async () => harness.close());

type Param = Anthropic.MessageParam;

/** The conversation so far, with a cache marker on its last block only (or none, for automatic caching). */
function marked(messages: Param[], marker: boolean): Param[] {
  const copy = structuredClone(messages);
  const last = copy.at(-1);
  if (marker && last) {
    const content: Anthropic.ContentBlockParam[] = typeof last.content === "string" ? [{ type: "text", text: last.content }] : last.content;
    const block = content.at(-1);
    if (block && block.type === "text") block.cache_control = { type: "ephemeral" };
    last.content = content;
  }
  return copy;
}

/** Four turns of a conversation with one breakpoint, on its last block; the deployment that served each and the cache reads each reported. */
async function converse(model: string, how: string, marker: boolean): Promise<{ served: string[]; reads: number[] }> {
  const client = harness.client();
  const messages: Param[] = [{ role: "user", content: `${model}, ${how}: ${"Here is the repository's code to review. ".repeat(1200)}` }];
  const served: string[] = [];
  const reads: number[] = [];
  for (let turn = 0; turn < 4; turn++) {
    const request: Anthropic.MessageCreateParamsNonStreaming = { model, max_tokens: 30, messages: marked(messages, marker) };
    if (!marker) (request as unknown as Record<string, unknown>).cache_control = { type: "ephemeral" };
    const { data, response } = await client.messages.create(request).withResponse();
    served.push(response.headers.get("x-switchyard-deployment") ?? "none");
    reads.push(data.usage.cache_read_input_tokens ?? 0);
    messages.push({ role: "assistant", content: data.content.map((block) => (block.type === "text" ? { type: "text" as const, text: block.text } : { type: "text" as const, text: "" })) });
    messages.push({ role: "user", content: `Turn ${turn + 2}: and the next file?` });
  }
  return { served, reads };
}

function assertEachTurnReadsTheLast(reads: number[]): void {
  assert.equal(reads[0], 0, "the first turn writes the cache");
  for (const [turn, read] of reads.entries()) if (turn > 0) assert.ok(read > reads[turn - 1]!, `turn ${turn + 1} reads what the turn before wrote: ${reads.join(", ")}`);
}

for (const how of ["a marker on the last block", "automatic caching (a top-level cache_control)"] as const) {
  test(`a conversation stays where its cache is, turn after turn, with ${how}`, async () => {
    // claude-haiku-4-5 names anthropic-haiku and bedrock-haiku-global, equally cheap: without
    // affinity they take turns, and each turn would write the whole conversation again.
    const { served, reads } = await converse("claude-haiku-4-5", how, how.startsWith("a marker"));
    assert.equal(new Set(served).size, 1, `every turn on one deployment: ${served.join(", ")}`);
    assertEachTurnReadsTheLast(reads);
  });
}

test("automatic caching on Bedrock, which refuses a top-level cache_control: the gateway places the breakpoint itself, on InvokeModel and on Converse", async () => {
  for (const [model, deployment] of [["haiku-via-bedrock", "bedrock-haiku-global"], ["claude-sonnet-4-6", "converse-sonnet"]] as const) {
    const { served, reads } = await converse(model, "automatic caching", false);
    assert.deepEqual(new Set(served), new Set([deployment]));
    assertEachTurnReadsTheLast(reads);
  }
});
