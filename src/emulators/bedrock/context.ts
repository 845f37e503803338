/** What the Bedrock route handlers share. */
import type { EmulatorState } from "../shared/emulator-state.js";
import type { ModelAccess } from "../shared/model-access.js";
import type { BedrockAuthConfig } from "./bedrock-auth.js";

export interface BedrockContext {
  state: EmulatorState;
  models: ModelAccess;
  region: string;
  auth: BedrockAuthConfig;
}
