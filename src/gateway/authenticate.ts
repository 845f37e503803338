/** Who is calling: a virtual key from x-api-key or Authorization: Bearer, checked against the key cache. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { ApiKeyRecord } from "../ledger/ledger.js";
import { GatewayError } from "./errors.js";
import type { GatewayState } from "./state.js";

export function presentedSecret(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers["x-api-key"];
  if (typeof apiKey === "string" && apiKey.length > 0) return apiKey;
  const authorization = headers.authorization;
  if (typeof authorization === "string" && authorization.startsWith("Bearer ")) return authorization.slice(7).trim();
  return undefined;
}

/** How the key came (presentedSecret's order): a refusal names it, so an OpenAI client (Bearer) is not told about a header it never sent. */
function sentAs(headers: IncomingHttpHeaders): string {
  const apiKey = headers["x-api-key"];
  return typeof apiKey === "string" && apiKey.length > 0 ? "x-api-key" : "Authorization: Bearer";
}

/** The caller's key; null when unauthenticated access is allowed and no key was sent. */
export function authenticate(state: GatewayState, headers: IncomingHttpHeaders): ApiKeyRecord | null {
  const secret = presentedSecret(headers);
  if (secret === undefined) {
    if (state.config.config.allow_unauthenticated) return null;
    throw new GatewayError("authentication", "an API key is required: send a Switchyard virtual key as x-api-key or Authorization: Bearer (create one with `switchyard keys create`)");
  }
  const key = state.keys.verify(secret);
  if (!key) throw new GatewayError("authentication", `invalid API key (sent as ${sentAs(headers)}): not a current Switchyard virtual key`);
  return key;
}

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/**
 * Whether `candidate` is the secret `expected` (the admin key, the metrics token), compared on
 * SHA-256 digests with timingSafeEqual: the time taken says nothing about how much of a guess was
 * right, nor about the secret's length. No secret set matches nothing.
 */
export function sameSecret(expected: string | undefined, candidate: string): boolean {
  return expected !== undefined && expected.length > 0 && timingSafeEqual(digest(candidate), digest(expected));
}

/** Whether `key` may use the requested model name (a key without allowed models may use any). */
export function mayUse(key: ApiKeyRecord | null, model: string): boolean {
  return key === null || key.allowed_models.length === 0 || key.allowed_models.includes(model);
}

/** A 403 naming the models `key` may use, unless it may use `model`. */
export function requireModelAllowed(key: ApiKeyRecord | null, model: string): void {
  if (!mayUse(key, model)) throw new GatewayError("permission", `key "${key?.name}" may not use model ${model}; allowed: ${key?.allowed_models.join(", ")}`);
}

/** Admin endpoints: the admin key from the environment, as x-api-key or Bearer. */
export function requireAdmin(state: GatewayState, headers: IncomingHttpHeaders): void {
  if (!state.adminKey) throw new GatewayError("permission", "admin endpoints are disabled: set the admin key environment variable");
  const presented = presentedSecret(headers);
  if (presented === undefined || !sameSecret(state.adminKey, presented)) throw new GatewayError("authentication", "this endpoint needs the admin key");
}
