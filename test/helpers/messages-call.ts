/** A provider call for provider-level tests: a short Haiku request, a fresh Cancel, a 2 s first-byte limit. */
import type { MessagesCall } from "../../src/providers/provider.js";
import { Cancel } from "../../src/util/cancel.js";

export function messagesCall(stream: boolean): MessagesCall {
  return {
    body: { model: "claude-haiku-4-5", max_tokens: 10, messages: [{ role: "user", content: "Hi" }] },
    stream,
    upstreamModel: "global.anthropic.claude-haiku-4-5-20251001-v1:0",
    anthropicVersion: "2023-06-01",
    betas: [],
    requestId: "req_test",
    cancel: new Cancel(),
    firstByteTimeoutMs: 2_000,
  };
}
