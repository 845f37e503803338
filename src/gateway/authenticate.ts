/** Who is calling: a virtual key from x-api-key or Authorization: Bearer, checked against the key cache. */
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

/** The caller's key; null when unauthenticated access is allowed and no key was sent. */
export function authenticate(state: GatewayState, headers: IncomingHttpHeaders): ApiKeyRecord | null {
  const secret = presentedSecret(headers);
  if (secret === undefined) {
    if (state.config.config.allow_unauthenticated) return null;
    throw new GatewayError("authentication", "x-api-key header is required (a Switchyard virtual key; create one with `switchyard keys create`)");
  }
  const key = state.keys.verify(secret);
  if (!key) throw new GatewayError("authentication", "invalid x-api-key");
  return key;
}

/** Admin endpoints: the admin key from the environment, as x-api-key or Bearer. */
export function requireAdmin(state: GatewayState, headers: IncomingHttpHeaders): void {
  if (!state.adminKey) throw new GatewayError("permission", "admin endpoints are disabled: set the admin key environment variable");
  if (presentedSecret(headers) !== state.adminKey) throw new GatewayError("authentication", "this endpoint needs the admin key");
}
