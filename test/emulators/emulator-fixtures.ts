/** Shared by the emulator tests: the fixture catalog, model ids, and prompt builders. */
import { catalogModels } from "../../src/emulators/shared/default-model-access.js";
import { fixturePath } from "./fixture-paths.js";

/** A catalog made for these tests (test/fixtures/emulators/catalog), not the repository's. */
export const fixtureModels = catalogModels({ directory: fixturePath("catalog") });

export const MODEL = "claude-sonnet-4-6";
export const BEDROCK_PROFILE = "us.anthropic.claude-sonnet-4-6";

/** ASCII text of exactly `tokens` emulator tokens (4 bytes each). */
export function textOfTokens(tokens: number, seed = "context"): string {
  const unit = `${seed} `.repeat(Math.ceil((tokens * 4) / (seed.length + 1)) + 1);
  return unit.slice(0, tokens * 4);
}
