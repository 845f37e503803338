import type { Agent } from "undici";
import type { ProviderConfig } from "../config/gateway-config.js";
import type { ProviderClient } from "./provider.js";

export interface ProviderFactoryInput<K extends ProviderConfig["kind"]> {
  /** The provider's name in the config (for messages). */
  name: string;
  config: Extract<ProviderConfig, { kind: K }>;
  env: NodeJS.ProcessEnv;
  agent: Agent;
}

export type ProviderFactory<K extends ProviderConfig["kind"]> = (input: ProviderFactoryInput<K>) => ProviderClient;
