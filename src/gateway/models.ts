/**
 * GET /v1/models: the names this gateway answers to, in the Anthropic list format, each entry also
 * carrying OpenAI's fields (object, created, owned_by) so OpenAI clients can list them too.
 */
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

export function listModels(state: GatewayState): ModelInfo[] {
  const seen = new Map<string, ModelInfo>();
  const add = (id: string, display: string, released: string | undefined) => {
    if (seen.has(id)) return;
    const createdAt = `${released ?? "1970-01-01"}T00:00:00Z`;
    seen.set(id, { type: "model", id, display_name: display, created_at: createdAt, object: "model", created: Date.parse(createdAt) / 1000, owned_by: "switchyard" });
  };
  for (const [alias, deployments] of state.config.aliases) {
    const model = deployments[0]?.model;
    add(alias, model?.name ?? alias, model?.released);
  }
  for (const deployment of state.config.deployments.values()) add(deployment.model.id, deployment.model.name, deployment.model.released);
  return [...seen.values()];
}
