/**
 * Splits /model/{modelId}/{operation} as sent on the wire. The id arrives percent-encoded
 * (the AWS SDK sends `:` as %3A, ARNs carry %2F), so the raw path is split before decoding.
 */
export const OPERATIONS = ["invoke", "invoke-with-response-stream", "converse", "converse-stream", "count-tokens"] as const;
export type BedrockOperation = (typeof OPERATIONS)[number];

export type ModelPath = { ok: true; modelId: string; operation: BedrockOperation } | { ok: false; reason: "unknown_operation" | "bad_encoding" };

export function parseModelPath(rawUrl: string): ModelPath {
  const path = rawUrl.split("?")[0] ?? "";
  const match = /^\/model\/([^/]+)\/([a-z-]+)\/?$/.exec(path);
  const operation = OPERATIONS.find((candidate) => candidate === match?.[2]);
  if (!match || !operation) return { ok: false, reason: "unknown_operation" };
  try {
    return { ok: true, modelId: decodeURIComponent(match[1] ?? ""), operation };
  } catch {
    return { ok: false, reason: "bad_encoding" };
  }
}
