/**
 * GET /v1/switchyard/health: each deployment's circuit, live latency and error rates, the fields it
 * refused lately (and in which requests) and the catalog's measured latency; and what this
 * replica shares (Redis, budgets).
 */
import type { GatewayState } from "./state.js";

export function healthAnswer(state: GatewayState) {
  const snapshot = state.health.snapshot();
  const now = state.now();
  const deployments = [...state.config.deployments.values()].map((deployment) => {
    const health = snapshot.get(deployment.id);
    const catalogLatency = deployment.offering.latency[0];
    return {
      deployment: deployment.id,
      provider: deployment.provider.kind,
      route: deployment.route,
      model: deployment.model.id,
      state: health?.state ?? "closed",
      available: !(health?.unavailable ?? false),
      reason: health?.unavailableReason ?? null,
      samples: health?.samples ?? 0,
      ttft_p50_ms: health?.ttftP50Ms ?? null,
      ttft_p99_ms: health?.ttftP99Ms ?? null,
      total_p50_ms: health?.totalP50Ms ?? null,
      total_p99_ms: health?.totalP99Ms ?? null,
      error_rate: health?.errorRate ?? 0,
      throttle_rate: health?.throttleRate ?? 0,
      requests: health?.requests ?? 0,
      failures: health?.failures ?? 0,
      throttles: health?.throttles ?? 0,
      // Each applies to the requests it was learned from: that endpoint, with exactly those anthropic-beta values.
      refused_fields: state.fieldRefusals
        .list(deployment.id, now)
        .map((refusal) => ({ field: refusal.field, until: new Date(refusal.until).toISOString(), endpoint: refusal.endpoint, betas: refusal.betas })),
      catalog_latency: catalogLatency
        ? { ttft_p50_ms: catalogLatency.ttft_p50_ms, ttft_p99_ms: catalogLatency.ttft_p99_ms, conditions: catalogLatency.conditions, source: catalogLatency.source.url }
        : null,
    };
  });
  const shared = {
    redis: state.sharedState(),
    budgets_refresh_ms: state.budgets.refreshMs,
    budgets_reloaded_at: state.budgets.lastRefreshAt === undefined ? null : new Date(state.budgets.lastRefreshAt).toISOString(),
    keys_checked_at: state.keys.checkedAt === undefined ? null : new Date(state.keys.checkedAt).toISOString(),
  };
  return { at: new Date(now).toISOString(), window_ms: state.config.config.routing.health.window_ms, affinity_entries: state.affinity.size, shared_state: shared, deployments };
}

/** The endpoint's JSON (what scripts and the tests read). */
export type HealthAnswer = ReturnType<typeof healthAnswer>;
