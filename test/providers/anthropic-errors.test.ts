import { test } from "node:test";
import assert from "node:assert/strict";
import { anthropicError } from "../../src/providers/shared/anthropic-errors.js";

const body = (type: string, message: string, details?: unknown) => JSON.stringify({ type: "error", error: { type, message, ...(details !== undefined ? { details } : {}) } });

test("the upstream account's spend cap, in each shape Anthropic has sent it, is the gateway's own failure (upstream_auth), not the request's or a throttle", () => {
  const shapes: [number, string][] = [
    [429, body("rate_limit_error", "Rate limited", { error_code: "enforced_spend_limit_reached" })],
    [429, body("rate_limit_error", "This request would exceed your account's monthly spend limit. Please try again later.")],
    [400, body("invalid_request_error", "You have reached your specified API usage limits. You will regain access on 2026-08-01 at 00:00 UTC.")],
  ];
  for (const [status, text] of shapes) {
    const error = anthropicError(status, text, { retryAfterMs: 60_000 }, "anthropic-main");
    assert.equal(error.kind, "upstream_auth", text);
    assert.match(error.message, /^anthropic-main: .*\(the upstream account's spend limit: other deployments serve the model until it is raised or resets\)$/);
    assert.equal(error.details.status, status);
    assert.equal(error.details.retryAfterMs, 60_000);
  }
});

test("other 429s and 400s keep their kinds", () => {
  assert.equal(anthropicError(429, body("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"), { retryAfterMs: 1_000 }, "a").kind, "rate_limited");
  assert.equal(anthropicError(429, body("rate_limit_error", "Rate limited", null), undefined, "a").kind, "rate_limited");
  assert.equal(anthropicError(400, body("invalid_request_error", "messages: text content blocks must be non-empty"), undefined, "a").kind, "invalid_request");
  assert.equal(anthropicError(400, "not json at all", undefined, "a").kind, "invalid_request");
});
