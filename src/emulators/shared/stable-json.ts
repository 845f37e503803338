/**
 * JSON with object keys sorted, so that two requests that differ only in key order hash the
 * same (a gateway may rebuild a body with its keys in another order).
 */
import { hash } from "node:crypto";

export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((item) => stableStringify(item)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableStringify(item)}`).join(",")}}`;
}

/**
 * One-shot crypto.hash, not createHash: a Hash object is a native object behind a weak handle,
 * which keeps it alive through one young-generation GC and then has it promoted. At a thousand
 * requests a second (several hashes each) that promoted about 350 KB per scavenge and made the
 * emulator's scavenges 2–3 ms long.
 */
export function sha256Hex(text: string): string {
  return hash("sha256", text, "hex");
}
