import { test } from "node:test";
import assert from "node:assert/strict";
import { carries, FieldRefusals, MAX_REFUSAL_SCOPES, MAX_REFUSED_FIELDS, REFUSAL_MEMORY_MS, refusalScope } from "../../src/routing/field-refusals.js";

const candidate = (id: string) => ({ deployment: { id } });
const ids = (ranked: { deployment: { id: string } }[]) => ranked.map((entry) => entry.deployment.id);
/** A /v1/messages request without anthropic-beta. */
const MESSAGES = refusalScope("messages", []);

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
  assert.equal(refusals.demote(ranked, MESSAGES, withField, 0), undefined, "nothing learned: the ranking as it is");

  refusals.learn("bedrock-us", MESSAGES, ["context_management"], withField, 1_000);
  refusals.learn("bedrock-global", MESSAGES, ["context_management", "output_config.effort"], { ...withField, output_config: { effort: "low" } }, 1_000);
  const demoted = refusals.demote(ranked, MESSAGES, withField, 2_000);
  assert.ok(demoted);
  assert.deepEqual(ids(demoted.ranked), ["anthropic", "bedrock-us", "bedrock-global"], "moved to the end in their own order");
  assert.deepEqual(demoted.triedLast, [
    { deployment: "bedrock-us", field: "context_management" },
    { deployment: "bedrock-global", field: "context_management" },
  ]);
  assert.deepEqual(ranked.map((entry) => entry.deployment.id), ["bedrock-us", "bedrock-global", "anthropic"], "the input is not changed");
  assert.equal(refusals.demote(ranked, MESSAGES, without, 2_000), undefined, "a request without the field keeps its ranking");
  assert.equal(refusals.demote(ranked.slice(0, 2), MESSAGES, withField, 2_000), undefined, "when every candidate refused it, none is moved (and none is said to be)");
  assert.deepEqual(refusals.list("bedrock-global", 2_000), [
    { field: "context_management", until: 1_000 + REFUSAL_MEMORY_MS, endpoint: "messages", betas: [] },
    { field: "output_config.effort", until: 1_000 + REFUSAL_MEMORY_MS, endpoint: "messages", betas: [] },
  ]);
  assert.deepEqual(refusals.list("bedrock-global", 1_000 + REFUSAL_MEMORY_MS), [], "what the memory has let go of is not listed");
  const second = refusals.demote(ranked, MESSAGES, { output_config: { effort: "high" } }, 2_000);
  assert.deepEqual(second?.triedLast, [{ deployment: "bedrock-global", field: "output_config.effort" }]);
  assert.deepEqual(ids(second?.ranked ?? []), ["bedrock-us", "anthropic", "bedrock-global"], "a candidate before the first one moved is kept in its place");

  // Learning again restarts the memory; past it, the refusal is forgotten and the deployment is tried in its place.
  refusals.learn("bedrock-us", MESSAGES, ["context_management"], withField, 5_000);
  assert.deepEqual(refusals.demote(ranked, MESSAGES, withField, 1_000 + REFUSAL_MEMORY_MS)?.triedLast, [{ deployment: "bedrock-us", field: "context_management" }]);
  assert.equal(refusals.demote(ranked, MESSAGES, withField, 5_000 + REFUSAL_MEMORY_MS), undefined);
});

test("a refused path is learned as a path in the body: any index, and without the kind the model's check writes into it", () => {
  const refusals = new FieldRefusals();
  const ranked = [candidate("bedrock"), candidate("anthropic")];
  const deferred = { tools: [{ name: "a" }, { name: "b", defer_loading: true }], messages: [{ role: "user", content: [{ type: "tool_use", id: "t", name: "a", input: {}, caller: "x" }] }] };
  // anthropics/claude-code#82549: `custom` is the tool union's member for a tool with no type, not a member of the body.
  refusals.learn("bedrock", MESSAGES, ["tools.1.custom.defer_loading", "messages.0.content.0.tool_use.caller"], deferred, 0);
  const demoted = refusals.demote(ranked, MESSAGES, { tools: [{ name: "z", defer_loading: true }] }, 1);
  assert.deepEqual(demoted?.triedLast, [{ deployment: "bedrock", field: "tools.*.defer_loading" }], "the same field at another index");
  assert.deepEqual(refusals.demote(ranked, MESSAGES, { messages: [{ role: "user", content: [{ type: "text", text: "hi" }, { type: "tool_use", caller: "y" }] }] }, 1)?.triedLast, [
    { deployment: "bedrock", field: "messages.*.content.*.caller" },
  ]);
  assert.equal(refusals.demote(ranked, MESSAGES, { tools: [{ name: "z" }] }, 1), undefined);
  // A text block also has a `text` member: the kind is still left out when what follows belongs to the block.
  const cached = { messages: [{ role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral", ttl: "1h" } }] }] };
  refusals.learn("bedrock", MESSAGES, ["messages.0.content.0.text.cache_control.ttl"], cached, 0);
  assert.deepEqual(refusals.demote(ranked, MESSAGES, cached, 1)?.triedLast, [{ deployment: "bedrock", field: "messages.*.content.*.cache_control.ttl" }]);
  // Learning the same field again (at another index) keeps one refusal.
  refusals.learn("bedrock", MESSAGES, ["tools.0.custom.defer_loading"], { tools: [{ name: "q", defer_loading: true }] }, 2);
  assert.deepEqual(refusals.demote(ranked, MESSAGES, { tools: [{ name: "z", defer_loading: true }] }, 3)?.triedLast.length, 1);
});

test("a client inventing a new field with every request does not grow the table: the latest refusals are kept", () => {
  const refusals = new FieldRefusals();
  const ranked = [candidate("bedrock"), candidate("anthropic")];
  for (let index = 0; index < MAX_REFUSED_FIELDS * 3; index += 1) refusals.learn("bedrock", MESSAGES, [`made_up_${index}`], { [`made_up_${index}`]: 1 }, index);
  const kept = refusals.list("bedrock", MAX_REFUSED_FIELDS * 3);
  assert.equal(kept.length, MAX_REFUSED_FIELDS);
  assert.equal(kept[0]?.field, `made_up_${MAX_REFUSED_FIELDS * 2}`, "the oldest went first");
  assert.equal(refusals.demote(ranked, MESSAGES, { made_up_0: 1 }, MAX_REFUSED_FIELDS * 3), undefined, "forgotten");
  // Refused again, an old field counts as the latest and is kept.
  refusals.learn("bedrock", MESSAGES, [`made_up_${MAX_REFUSED_FIELDS * 2}`], { [`made_up_${MAX_REFUSED_FIELDS * 2}`]: 1 }, MAX_REFUSED_FIELDS * 3);
  refusals.learn("bedrock", MESSAGES, ["one_more"], { one_more: 1 }, MAX_REFUSED_FIELDS * 3);
  assert.ok(refusals.demote(ranked, MESSAGES, { [`made_up_${MAX_REFUSED_FIELDS * 2}`]: 1 }, MAX_REFUSED_FIELDS * 3));
  assert.equal(refusals.demote(ranked, MESSAGES, { [`made_up_${MAX_REFUSED_FIELDS * 2 + 1}`]: 1 }, MAX_REFUSED_FIELDS * 3), undefined);
});

test("a refusal applies only to requests of its kind: a count_tokens refusal of max_tokens leaves Messages requests alone, a call without a beta leaves calls with it alone", () => {
  const refusals = new FieldRefusals();
  const ranked = [candidate("anthropic"), candidate("bedrock")];
  const messagesBody = { model: "m", max_tokens: 5, stream: true, messages: [] };
  // The Anthropic API refuses count_tokens bodies that carry generation fields (Wei-Shaw/sub2api#4913).
  const counting = refusalScope("count_tokens", []);
  refusals.learn("anthropic", counting, ["max_tokens", "stream"], messagesBody, 0);
  assert.equal(refusals.demote(ranked, MESSAGES, messagesBody, 1), undefined, "every Messages request carries max_tokens: none is moved");
  assert.deepEqual(refusals.demote(ranked, counting, messagesBody, 1)?.triedLast, [{ deployment: "anthropic", field: "max_tokens" }], "another count_tokens call with it is");

  // context_management without its beta is refused; Claude Code sends it with the beta, in any order and repeated.
  const withField = { model: "m", max_tokens: 5, context_management: { edits: [] } };
  refusals.learn("anthropic", MESSAGES, ["context_management"], withField, 0);
  const claudeCode = refusalScope("messages", ["context-management-2025-06-27", "claude-code-20250219"]);
  assert.equal(refusals.demote(ranked, claudeCode, withField, 1), undefined, "a call with the beta that enables the field");
  assert.deepEqual(refusals.demote(ranked, MESSAGES, withField, 1)?.triedLast, [{ deployment: "anthropic", field: "context_management" }]);
  refusals.learn("anthropic", claudeCode, ["context_management"], withField, 0);
  const sameSet = refusalScope("messages", ["claude-code-20250219", "context-management-2025-06-27", "claude-code-20250219"]);
  assert.deepEqual(sameSet, claudeCode, "the set is normalised: sorted, each once");
  assert.ok(refusals.demote(ranked, sameSet, withField, 1), "the same set of betas in another order is the same kind of request");
  assert.equal(refusals.demote(ranked, refusalScope("messages", ["context-management-2025-06-27"]), withField, 1), undefined, "another set is not");
  assert.deepEqual(refusals.list("anthropic", 1), [
    { field: "max_tokens", until: REFUSAL_MEMORY_MS, endpoint: "count_tokens", betas: [] },
    { field: "stream", until: REFUSAL_MEMORY_MS, endpoint: "count_tokens", betas: [] },
    { field: "context_management", until: REFUSAL_MEMORY_MS, endpoint: "messages", betas: [] },
    { field: "context_management", until: REFUSAL_MEMORY_MS, endpoint: "messages", betas: ["claude-code-20250219", "context-management-2025-06-27"] },
  ]);
});

test("a client inventing a new anthropic-beta set with every request does not grow the table: the scopes refused in most lately are kept", () => {
  const refusals = new FieldRefusals();
  const ranked = [candidate("bedrock"), candidate("anthropic")];
  const body = { service_tier: "auto" };
  const made = (index: number) => refusalScope("messages", [`made-up-${index}`]);
  for (let index = 0; index < MAX_REFUSAL_SCOPES * 3; index += 1) refusals.learn("bedrock", made(index), ["service_tier"], body, index);
  const kept = refusals.list("bedrock", MAX_REFUSAL_SCOPES * 3);
  assert.equal(kept.length, MAX_REFUSAL_SCOPES);
  assert.deepEqual(kept[0]?.betas, [`made-up-${MAX_REFUSAL_SCOPES * 2}`], "the oldest went first");
  assert.equal(refusals.demote(ranked, made(0), body, MAX_REFUSAL_SCOPES * 3), undefined, "forgotten");
  assert.ok(refusals.demote(ranked, made(MAX_REFUSAL_SCOPES * 3 - 1), body, MAX_REFUSAL_SCOPES * 3));
  // Refused again, an old scope counts as the latest and is kept.
  refusals.learn("bedrock", made(MAX_REFUSAL_SCOPES * 2), ["service_tier"], body, MAX_REFUSAL_SCOPES * 3);
  refusals.learn("bedrock", made(-1), ["service_tier"], body, MAX_REFUSAL_SCOPES * 3);
  assert.ok(refusals.demote(ranked, made(MAX_REFUSAL_SCOPES * 2), body, MAX_REFUSAL_SCOPES * 3));
  assert.equal(refusals.demote(ranked, made(MAX_REFUSAL_SCOPES * 2 + 1), body, MAX_REFUSAL_SCOPES * 3), undefined);
});
