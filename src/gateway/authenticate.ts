/** Who is calling: a virtual key from x-api-key or Authorization: Bearer, checked against the key cache. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Deployment, ResolvedConfig } from "../config/load-gateway-config.js";
import type { ApiKeyRecord } from "../ledger/ledger.js";
import { deploymentsFor } from "../routing/candidates.js";
import { GatewayError } from "./errors.js";
import type { GatewayState } from "./state.js";

/** `Authorization: Bearer <key>`; the scheme's case does not matter (RFC 9110, 11.1). */
const BEARER = /^bearer[ \t]+/i;

export function presentedSecret(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers["x-api-key"];
  if (typeof apiKey === "string" && apiKey.length > 0) return apiKey;
  const authorization = headers.authorization;
  if (typeof authorization === "string" && BEARER.test(authorization)) return authorization.replace(BEARER, "").trim();
  return undefined;
}

/** How the key came (presentedSecret's order): a refusal names it, so an OpenAI client (Bearer) is not told about a header it never sent. */
function sentAs(headers: IncomingHttpHeaders): string {
  const apiKey = headers["x-api-key"];
  return typeof apiKey === "string" && apiKey.length > 0 ? "x-api-key" : "Authorization: Bearer";
}

/**
 * The caller's key; null when unauthenticated access is allowed and no key was sent. A key in
 * memory is answered at once; one that is not is looked for again after asking the key store (a
 * key created a moment ago), so only that path returns a promise.
 */
export function authenticate(state: GatewayState, headers: IncomingHttpHeaders): ApiKeyRecord | null | Promise<ApiKeyRecord> {
  const secret = presentedSecret(headers);
  if (secret === undefined) {
    // A key sent some other way is a mistake to say, not a request to serve without its key's budget and limits.
    if (headers.authorization !== undefined) {
      throw new GatewayError("authentication", "the Authorization header is not `Bearer <key>`: send a Switchyard virtual key as x-api-key or Authorization: Bearer");
    }
    if (state.config.config.allow_unauthenticated) return null;
    throw new GatewayError("authentication", "an API key is required: send a Switchyard virtual key as x-api-key or Authorization: Bearer (create one with `switchyard keys create`)");
  }
  const key = state.keys.verify(secret);
  if (key) return key;
  return state.keys.recheck(secret).then((fresh) => {
    if (fresh) return fresh;
    const revoked = state.keys.revoked(secret);
    const why = revoked?.revoked_at ? `key "${revoked.name}" was revoked at ${new Date(revoked.revoked_at).toISOString()}` : "not a current Switchyard virtual key";
    throw new GatewayError("authentication", `invalid API key (sent as ${sentAs(headers)}): ${why}`);
  });
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

/**
 * Whether `key` may use the requested model name (a key without allowed models may use any). An
 * allowed name covers every name that reaches none but its deployments: `claude-haiku-4-5` lets
 * the key send the dated id Claude Code sends (`claude-haiku-4-5-20251001`), Bedrock's id or an
 * alias of the same deployments; an allowed alias that holds only some of a model's deployments
 * (say its EU ones) does not let the key ask for the model by a name that may go elsewhere.
 */
export function mayUse(state: GatewayState, key: ApiKeyRecord | null, model: string): boolean {
  if (key === null || key.allowed_models.length === 0 || key.allowed_models.includes(model)) return true;
  const requested = deploymentsFor(state.config, state.catalog, model);
  if (requested.length === 0) return false;
  const allowed = allowedDeployments(state, key);
  return requested.every((deployment) => allowed.has(deployment));
}

/** The deployments a key's allowed names reach, per key record (records are replaced when keys reload). */
function allowedDeployments(state: GatewayState, key: ApiKeyRecord): ReadonlySet<Deployment> {
  const known = allowedByKey.get(key);
  if (known && known.config === state.config) return known.deployments;
  const deployments = new Set(key.allowed_models.flatMap((name) => deploymentsFor(state.config, state.catalog, name)));
  allowedByKey.set(key, { config: state.config, deployments });
  return deployments;
}

const allowedByKey = new WeakMap<ApiKeyRecord, { config: ResolvedConfig; deployments: ReadonlySet<Deployment> }>();

/** A 403 naming the models `key` may use, unless it may use `model`. */
export function requireModelAllowed(state: GatewayState, key: ApiKeyRecord | null, model: string): void {
  if (!mayUse(state, key, model)) throw new GatewayError("permission", `key "${key?.name}" may not use model ${model}; allowed: ${key?.allowed_models.join(", ")} (and any other name for just their deployments)`);
}

/** Admin endpoints: the admin key from the environment, as x-api-key or Bearer. */
export function requireAdmin(state: GatewayState, headers: IncomingHttpHeaders): void {
  if (!state.adminKey) throw new GatewayError("permission", `admin endpoints are disabled: the gateway started without ${state.config.config.admin_key_env} (its admin_key_env) set`);
  const presented = presentedSecret(headers);
  if (presented === undefined || !sameSecret(state.adminKey, presented)) throw new GatewayError("authentication", "this endpoint needs the admin key");
}
