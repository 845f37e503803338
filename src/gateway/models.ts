/** GET /v1/models: the names this gateway answers to, in the Anthropic list format. */
import type { GatewayState } from "./state.js";

export interface ModelInfo {
  type: "model";
  id: string;
  display_name: string;
  created_at: string;
}

export function listModels(state: GatewayState): ModelInfo[] {
  const seen = new Map<string, ModelInfo>();
  const add = (id: string, display: string, released: string | undefined) => {
    if (!seen.has(id)) seen.set(id, { type: "model", id, display_name: display, created_at: `${released ?? "1970-01-01"}T00:00:00Z` });
  };
  for (const [alias, deployments] of state.config.aliases) {
    const model = deployments[0]?.model;
    add(alias, model?.name ?? alias, model?.released);
  }
  for (const deployment of state.config.deployments.values()) add(deployment.model.id, deployment.model.name, deployment.model.released);
  return [...seen.values()];
}
