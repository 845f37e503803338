import { test } from "node:test";
import assert from "node:assert/strict";
import { carries, FieldRefusals, MAX_REFUSED_FIELDS, REFUSAL_MEMORY_MS } from "../../src/routing/field-refusals.js";

const candidate = (id: string) => ({ deployment: { id } });
const ids = (ranked: { deployment: { id: string } }[]) => ranked.map((entry) => entry.deployment.id);

test("carries: a member path, where a number stands for any element of an array", () => {
  const body = { output_config: { effort: "low" }, tools: [{ name: "a" }, { name: "b", defer_loading: true }], metadata: null, zero: 0 };
  assert.equal(carries(body, ["output_config", "effort"]), true);
  assert.equal(carries(body, ["output_config", "format"]), false);
  assert.equal(carries(body, ["tools", "0", "defer_loading"]), true, "another element of the array carries it");
  assert.equal(carries(body, ["tools", "x", "defer_loading"]), false);
  assert.equal(carries(body, ["metadata"]), true, "null is a value sent");
  assert.equal(carries(body, ["metadata", "user_id"]), false);
  assert.equal(carries(body, ["zero"]), true);
  assert.equal(carries(body, ["toString"]), false, "not an inherited member");
});

test("a deployment that refused a field the request carries is tried last, and only for such requests, until the memory runs out", () => {
  const refusals = new FieldRefusals();
  const ranked = [candidate("bedrock-us"), candidate("bedrock-global"), candidate("anthropic")];
  const withField = { model: "m", context_management: { edits: [] } };
  const without = { model: "m" };
  assert.equal(refusals.demote(ranked, withField, 0), undefined, "nothing learned: the ranking as it is");

  refusals.learn("bedrock-us", ["context_management"], withField, 1_000);
  refusals.learn("bedrock-global", ["context_management", "output_config.effort"], { ...withField, output_config: { effort: "low" } }, 1_000);
  const demoted = refusals.demote(ranked, withField, 2_000);
  assert.ok(demoted);
  assert.deepEqual(ids(demoted.ranked), ["anthropic", "bedrock-us", "bedrock-global"], "moved to the end in their own order");
  assert.deepEqual(demoted.triedLast, [
    { deployment: "bedrock-us", field: "context_management" },
    { deployment: "bedrock-global", field: "context_management" },
  ]);
  assert.deepEqual(ranked.map((entry) => entry.deployment.id), ["bedrock-us", "bedrock-global", "anthropic"], "the input is not changed");
  assert.equal(refusals.demote(ranked, without, 2_000), undefined, "a request without the field keeps its ranking");
  assert.equal(refusals.demote(ranked.slice(0, 2), withField, 2_000), undefined, "when every candidate refused it, none is moved (and none is said to be)");
  assert.deepEqual(refusals.list("bedrock-global", 2_000), [
    { field: "context_management", until: 1_000 + REFUSAL_MEMORY_MS },
    { field: "output_config.effort", until: 1_000 + REFUSAL_MEMORY_MS },
  ]);
  assert.deepEqual(refusals.list("bedrock-global", 1_000 + REFUSAL_MEMORY_MS), [], "what the memory has let go of is not listed");
  const second = refusals.demote(ranked, { output_config: { effort: "high" } }, 2_000);
  assert.deepEqual(second?.triedLast, [{ deployment: "bedrock-global", field: "output_config.effort" }]);
  assert.deepEqual(ids(second?.ranked ?? []), ["bedrock-us", "anthropic", "bedrock-global"], "a candidate before the first one moved is kept in its place");

  // Learning again restarts the memory; past it, the refusal is forgotten and the deployment is tried in its place.
  refusals.learn("bedrock-us", ["context_management"], withField, 5_000);
  assert.deepEqual(refusals.demote(ranked, withField, 1_000 + REFUSAL_MEMORY_MS)?.triedLast, [{ deployment: "bedrock-us", field: "context_management" }]);
  assert.equal(refusals.demote(ranked, withField, 5_000 + REFUSAL_MEMORY_MS), undefined);
});

test("a refused path is learned as a path in the body: any index, and without the kind the model's check writes into it", () => {
  const refusals = new FieldRefusals();
  const ranked = [candidate("bedrock"), candidate("anthropic")];
  const deferred = { tools: [{ name: "a" }, { name: "b", defer_loading: true }], messages: [{ role: "user", content: [{ type: "tool_use", id: "t", name: "a", input: {}, caller: "x" }] }] };
  // anthropics/claude-code#82549: `custom` is the tool union's member for a tool with no type, not a member of the body.
  refusals.learn("bedrock", ["tools.1.custom.defer_loading", "messages.0.content.0.tool_use.caller"], deferred, 0);
  const demoted = refusals.demote(ranked, { tools: [{ name: "z", defer_loading: true }] }, 1);
  assert.deepEqual(demoted?.triedLast, [{ deployment: "bedrock", field: "tools.*.defer_loading" }], "the same field at another index");
  assert.deepEqual(refusals.demote(ranked, { messages: [{ role: "user", content: [{ type: "text", text: "hi" }, { type: "tool_use", caller: "y" }] }] }, 1)?.triedLast, [
    { deployment: "bedrock", field: "messages.*.content.*.caller" },
  ]);
  assert.equal(refusals.demote(ranked, { tools: [{ name: "z" }] }, 1), undefined);
  // A text block also has a `text` member: the kind is still left out when what follows belongs to the block.
  const cached = { messages: [{ role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral", ttl: "1h" } }] }] };
  refusals.learn("bedrock", ["messages.0.content.0.text.cache_control.ttl"], cached, 0);
  assert.deepEqual(refusals.demote(ranked, cached, 1)?.triedLast, [{ deployment: "bedrock", field: "messages.*.content.*.cache_control.ttl" }]);
  // Learning the same field again (at another index) keeps one refusal.
  refusals.learn("bedrock", ["tools.0.custom.defer_loading"], { tools: [{ name: "q", defer_loading: true }] }, 2);
  assert.deepEqual(refusals.demote(ranked, { tools: [{ name: "z", defer_loading: true }] }, 3)?.triedLast.length, 1);
});

test("a client inventing a new field with every request does not grow the table: the latest refusals are kept", () => {
  const refusals = new FieldRefusals();
  const ranked = [candidate("bedrock"), candidate("anthropic")];
  for (let index = 0; index < MAX_REFUSED_FIELDS * 3; index += 1) refusals.learn("bedrock", [`made_up_${index}`], { [`made_up_${index}`]: 1 }, index);
  const kept = refusals.list("bedrock", MAX_REFUSED_FIELDS * 3);
  assert.equal(kept.length, MAX_REFUSED_FIELDS);
  assert.equal(kept[0]?.field, `made_up_${MAX_REFUSED_FIELDS * 2}`, "the oldest went first");
  assert.equal(refusals.demote(ranked, { made_up_0: 1 }, MAX_REFUSED_FIELDS * 3), undefined, "forgotten");
  // Refused again, an old field counts as the latest and is kept.
  refusals.learn("bedrock", [`made_up_${MAX_REFUSED_FIELDS * 2}`], { [`made_up_${MAX_REFUSED_FIELDS * 2}`]: 1 }, MAX_REFUSED_FIELDS * 3);
  refusals.learn("bedrock", ["one_more"], { one_more: 1 }, MAX_REFUSED_FIELDS * 3);
  assert.ok(refusals.demote(ranked, { [`made_up_${MAX_REFUSED_FIELDS * 2}`]: 1 }, MAX_REFUSED_FIELDS * 3));
  assert.equal(refusals.demote(ranked, { [`made_up_${MAX_REFUSED_FIELDS * 2 + 1}`]: 1 }, MAX_REFUSED_FIELDS * 3), undefined);
});
