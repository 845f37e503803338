import { test } from "node:test";
import assert from "node:assert/strict";
import { bedrockError, bedrockStreamException } from "../../src/providers/bedrock/errors.js";
import { anthropicError } from "../../src/providers/shared/anthropic-errors.js";
import { refusedFields } from "../../src/providers/shared/refused-fields.js";

test("refusedFields reads the fields an upstream says it does not accept, in both wordings seen", () => {
  // Bedrock InvokeModel's JSON-schema check (BerriAI/litellm#7416), two keys in one message, and a nested key under its parent's pointer.
  assert.deepEqual(refusedFields("Malformed input request: #: extraneous key [chat_id] is not permitted, please reformat your input and try again."), ["chat_id"]);
  assert.deepEqual(refusedFields("Malformed input request: #: extraneous key [stream] is not permitted#: extraneous key [model] is not permitted, please reformat your input and try again."), ["stream", "model"]);
  assert.deepEqual(refusedFields("Malformed input request: #/messages/0/content/1: extraneous key [citations] is not permitted, please reformat your input and try again."), ["messages.0.content.1.citations"]);
  // The model's own check, from the Anthropic API or passed on by Bedrock (claude-code-action#1005, litellm#13609).
  assert.deepEqual(refusedFields("output_config.effort: Extra inputs are not permitted"), ["output_config.effort"]);
  assert.deepEqual(refusedFields("The model returned the following errors: reasoning: Extra inputs are not permitted"), ["reasoning"]);
  assert.deepEqual(refusedFields("tools.0.defer_loading: Extra inputs are not permitted\ntools.1.defer_loading: Extra inputs are not permitted"), ["tools.0.defer_loading", "tools.1.defer_loading"]);
  // The model's check names a tool's kind in the path (anthropics/claude-code#82549): kept as written.
  assert.deepEqual(refusedFields("tools.11.custom.defer_loading: Extra inputs are not permitted"), ["tools.11.custom.defer_loading"]);
  // Other 400s name no field.
  assert.deepEqual(refusedFields("messages: text content blocks must be non-empty"), []);
  assert.deepEqual(refusedFields("Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again."), []);
});

const anthropicBody = (message: string) => JSON.stringify({ type: "error", error: { type: "invalid_request_error", message } });

test("a 400 that refuses a field is `unsupported` (the next deployment is tried) with the fields; other 400s stay the request's fault", () => {
  const bedrock = bedrockError(400, { "x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/" }, JSON.stringify({ message: "Malformed input request: #: extraneous key [context_management] is not permitted, please reformat your input and try again." }), undefined, "bedrock-us");
  assert.equal(bedrock.kind, "unsupported");
  assert.deepEqual(bedrock.details.refusedFields, ["context_management"]);
  assert.match(bedrock.message, /^bedrock-us: ValidationException: Malformed input request: #: extraneous key \[context_management\]/);

  const anthropic = anthropicError(400, anthropicBody("output_config.effort: Extra inputs are not permitted"), undefined, "claude-platform");
  assert.equal(anthropic.kind, "unsupported");
  assert.deepEqual(anthropic.details.refusedFields, ["output_config.effort"]);

  const framed = bedrockStreamException("validationException", JSON.stringify({ message: "The model returned the following errors: reasoning: Extra inputs are not permitted" }), "bedrock-us", { status: 400, retryAfterMs: undefined });
  assert.equal(framed.kind, "unsupported");
  assert.deepEqual(framed.details.refusedFields, ["reasoning"]);

  const plain = bedrockError(400, { "x-amzn-errortype": "ValidationException" }, JSON.stringify({ message: "Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again." }), undefined, "bedrock-us");
  assert.equal(plain.kind, "invalid_request");
  assert.equal(plain.details.refusedFields, undefined);
  assert.equal(anthropicError(400, anthropicBody("max_tokens: Field required"), undefined, "a").kind, "invalid_request");
  // Only a request's own fault is read for fields: a 500 that happens to quote the wording stays a 500.
  assert.equal(anthropicError(500, JSON.stringify({ type: "error", error: { type: "api_error", message: "x: Extra inputs are not permitted" } }), undefined, "a").kind, "upstream_server");
});
