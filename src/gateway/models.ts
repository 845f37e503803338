/**
 * GET /v1/models: the names this gateway answers to, in the Anthropic list format, each entry also
 * carrying OpenAI's fields (object, created, owned_by) so OpenAI clients can list them too. Newest
 * first, as the Anthropic API lists them, and paged as it pages them (limit, after_id, before_id).
 */
import type { ApiKeyRecord } from "../ledger/ledger.js";
import { deploymentsFor } from "../routing/candidates.js";
import { mayUse, requireModelAllowed } from "./authenticate.js";
import { GatewayError } from "./errors.js";
import { unknownModel } from "./request-body.js";
import type { GatewayState } from "./state.js";

export interface ModelInfo {
  type: "model";
  id: string;
  display_name: string;
  created_at: string;
  /** OpenAI's fields. */
  object: "model";
  created: number;
  owned_by: string;
}

function modelInfo(id: string, displayName: string, released: string | undefined): ModelInfo {
  const createdAt = `${released ?? "1970-01-01"}T00:00:00Z`;
  return { type: "model", id, display_name: displayName, created_at: createdAt, object: "model", created: Date.parse(createdAt) / 1000, owned_by: "switchyard" };
}

/** The list, newest first, made once per config (it changes only with the config). */
const listsByConfig = new WeakMap<GatewayState["config"], ModelInfo[]>();

function listModels(state: GatewayState): ModelInfo[] {
  let list = listsByConfig.get(state.config);
  if (list) return list;
  const seen = new Map<string, ModelInfo>();
  const add = (id: string, display: string, released: string | undefined) => {
    if (!seen.has(id)) seen.set(id, modelInfo(id, display, released));
  };
  for (const [alias, deployments] of state.config.aliases) {
    const model = deployments[0]?.model;
    add(alias, model?.name ?? alias, model?.released);
  }
  for (const deployment of state.config.deployments.values()) add(deployment.model.id, deployment.model.name, deployment.model.released);
  list = [...seen.values()].sort((a, b) => b.created - a.created || a.id.localeCompare(b.id));
  listsByConfig.set(state.config, list);
  return list;
}

/** The names a key may use: all, or its allowed models (a listed name it may not use is not listed). */
function visibleTo(state: GatewayState, key: ApiKeyRecord | null, models: ModelInfo[]): ModelInfo[] {
  return models.filter((model) => mayUse(state, key, model.id));
}

interface ModelPage {
  object: "list";
  data: ModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/**
 * One page of the list. `anthropic`: the caller speaks the Anthropic API (its anthropic-version
 * header), whose pages hold 20 by default; OpenAI clients do not page the models list, and get it whole.
 */
export function modelPage(state: GatewayState, key: ApiKeyRecord | null, query: Record<string, unknown>, anthropic: boolean): ModelPage {
  const all = visibleTo(state, key, listModels(state));
  // Digits only: Number() would also take "2.0", " 2", "0x10" and "1e1".
  const limit = query.limit === undefined ? (anthropic ? 20 : Math.max(1, all.length)) : typeof query.limit === "string" && /^\d{1,4}$/.test(query.limit) ? Number(query.limit) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new GatewayError("invalid_request", "limit: a whole number from 1 to 1000");
  const at = (field: "after_id" | "before_id"): number | undefined => {
    const id = query[field];
    if (id === undefined) return undefined;
    const index = all.findIndex((model) => model.id === id);
    if (typeof id !== "string" || index === -1) throw new GatewayError("invalid_request", `${field}: ${JSON.stringify(id)} is not a model this list holds`);
    return index;
  };
  const after = at("after_id");
  const before = at("before_id");
  if (after !== undefined && before !== undefined) throw new GatewayError("invalid_request", "after_id and before_id cannot be used together");
  // before_id pages backwards: the `limit` entries just before it.
  const start = after !== undefined ? after + 1 : before !== undefined ? Math.max(0, before - limit) : 0;
  const end = before !== undefined ? before : Math.min(all.length, start + limit);
  const data = all.slice(start, end);
  const hasMore = before !== undefined ? start > 0 : end < all.length;
  return { object: "list", data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

/** One name: any the gateway answers to (a dated id or a provider's id too, as POST /v1/messages takes them). */
export function retrieveModel(state: GatewayState, key: ApiKeyRecord | null, id: string): ModelInfo {
  requireModelAllowed(state, key, id);
  // deploymentsFor resolves aliases and every id form, as routing does.
  const model = deploymentsFor(state.config, state.catalog, id)[0]?.model;
  if (!model) throw unknownModel(id);
  return modelInfo(id, model.name, model.released);
}
