/**
 * The admin API under /_emulator, the same for both emulators, so tests and people can change
 * the profile of a running emulator and read its counters:
 *   GET  /_emulator/state    -> profile, counters, rate-limit buckets, cache size
 *   POST /_emulator/profile  -> body: a profile update (see profile-schema.ts); returns the state
 *   POST /_emulator/reset    -> startup profile, empty cache, zero counters (and no batches)
 * No authentication: the emulators bind to loopback unless told otherwise.
 */
import type { FastifyInstance } from "fastify";
import { ZodError } from "zod";
import type { EmulatorState } from "./emulator-state.js";
import { ADMIN_PREFIX, parseJson, rawBody } from "./http-server.js";
import { describeIssues } from "./messages-request.js";
import type { ProfileUpdate } from "./profile-schema.js";
import { UnknownProfileError } from "./profiles.js";

export interface AdminHooks {
  /** Extra state the provider adds (e.g. batch count). */
  extraState?: () => Record<string, unknown>;
  /** Extra things to clear on reset (e.g. batches). */
  onReset?: () => void;
}

export function registerAdminRoutes(app: FastifyInstance, state: EmulatorState, hooks: AdminHooks = {}): void {
  const snapshot = () => ({ ...state.snapshot(), ...(hooks.extraState?.() ?? {}) });

  app.get(`${ADMIN_PREFIX}/state`, async () => snapshot());

  app.post(`${ADMIN_PREFIX}/profile`, async (request, reply) => {
    const parsed = parseJson(rawBody(request));
    if (!parsed.ok) return reply.code(400).send({ error: `body is not JSON: ${parsed.message}` });
    try {
      state.setProfile(parsed.value as ProfileUpdate);
    } catch (error) {
      if (error instanceof ZodError) return reply.code(400).send({ error: describeIssues(error, "unknown field") });
      if (error instanceof UnknownProfileError) return reply.code(400).send({ error: error.message });
      throw error;
    }
    return snapshot();
  });

  app.post(`${ADMIN_PREFIX}/reset`, async () => {
    state.reset();
    hooks.onReset?.();
    return snapshot();
  });
}
