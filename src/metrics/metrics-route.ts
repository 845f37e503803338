/**
 * GET /metrics in the Prometheus text format. It names keys and their spend, so it is not public:
 * it wants `Authorization: Bearer <token>` where the token is the metrics token (a read-only
 * secret for scrapers, SWITCHYARD_METRICS_TOKEN for `switchyard serve`) or the admin key.
 */
import type { FastifyInstance } from "fastify";
import { presentedSecret, sameSecret } from "../gateway/authenticate.js";
import type { GatewayState } from "../gateway/state.js";
import type { KeyStore } from "../ledger/ledger.js";
import type { GatewayMetrics } from "./gateway-metrics.js";

export const METRICS_TOKEN_ENV = "SWITCHYARD_METRICS_TOKEN";

export interface MetricsRouteOptions {
  keys: KeyStore;
  /** A token that may read /metrics and nothing else. */
  metricsToken?: string | undefined;
}

function plainError(status: number, message: string) {
  return { status, body: `${message}\n` };
}

export function registerMetricsRoute(app: FastifyInstance, state: GatewayState, metrics: GatewayMetrics, options: MetricsRouteOptions): void {
  metrics.attach(state, options.keys);
  app.get("/metrics", async (request, reply) => {
    const secret = presentedSecret(request.headers);
    let refusal: { status: number; body: string } | undefined;
    if (!options.metricsToken && !state.adminKey) refusal = plainError(403, `metrics are disabled: set ${METRICS_TOKEN_ENV} (a token for scrapers) or the admin key`);
    else if (secret === undefined) refusal = plainError(401, "send Authorization: Bearer <metrics token or admin key>");
    else if (!sameSecret(options.metricsToken, secret) && !sameSecret(state.adminKey, secret)) refusal = plainError(401, "that token may not read /metrics");
    if (refusal) {
      return reply.code(refusal.status).header("content-type", "text/plain; charset=utf-8").header("www-authenticate", 'Bearer realm="switchyard-metrics"').send(refusal.body);
    }
    const { contentType, body } = await metrics.render();
    return reply.header("content-type", contentType).header("cache-control", "no-store").send(body);
  });
}
