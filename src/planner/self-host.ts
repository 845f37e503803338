/**
 * Self-hosting from the user's figures: GPU price, one replica's throughput, the utilisation you
 * plan to run it at, and the operations cost. You pay for GPUs by the hour whether they are busy
 * or not, so the cost follows the replicas the busiest hour needs (always-on) or each hour's need
 * (hourly scaling) — not the share of capacity the traffic happens to use.
 *
 * One replica serves c = tokens_per_second x utilisation x 3600 / tokens per request requests an
 * hour; hour h needs max(min_replicas, ceil(demand_h / c)) replicas.
 */
import type { Model } from "../catalog/model.js";
import { formatUsd, moneyFromUsd, type Money } from "../pricing/money.js";
import { activeDaysPerMonth, HOURS_PER_MONTH, ratesPerHour } from "./arrival.js";
import { breakEvenClause, breakEvenDetail, breakEvenFound, NO_TRAFFIC_REASON, type BreakEven } from "./break-even.js";
import { checkDeployment, type DeploymentFacts } from "./feasibility.js";
import { monthlySearches, optionId, type SegmentContext } from "./on-demand-option.js";
import type { CostLine, Option } from "./option.js";
import type { Comparator } from "./provisioned.js";
import { Rational, sumRationals } from "./rational.js";
import { requestTokens, type RequestTokens } from "./request-tokens.js";
import type { ResolvedSelfHost } from "./workload-models.js";
import type { ArrivalProfile, Segment, SelfHostEntry } from "./workload.js";

export interface SelfHostCost {
  requestsPerReplicaHour: Rational;
  replicasByHour: bigint[];
  peakReplicas: bigint;
  gpuHours: Rational;
  gpu: Money;
  operations: Money;
  total: Money;
}

function tokensPerRequest(tokens: RequestTokens): number {
  return tokens.input + tokens.prefix + tokens.output;
}

export function selfHostCost(entry: SelfHostEntry, tokens: RequestTokens, requests: bigint, profile: ArrivalProfile): SelfHostCost {
  const perRequest = Math.max(1, tokensPerRequest(tokens));
  const requestsPerReplicaHour = Rational.of(entry.tokensPerSecond * 3600, perRequest).mul(Rational.fromDecimal(entry.utilisation));
  const minimum = BigInt(entry.minReplicas);
  const replicasByHour = ratesPerHour(requests, profile).map((demand) => {
    const needed = requestsPerReplicaHour.isZero() ? 0n : demand.div(requestsPerReplicaHour).ceil();
    return needed > minimum ? needed : minimum;
  });
  const peakReplicas = replicasByHour.reduce((peak, replicas) => (replicas > peak ? replicas : peak), 0n);
  const activeDays = activeDaysPerMonth(profile);
  const idleDays = Rational.of(HOURS_PER_MONTH, 24).sub(activeDays);
  const replicaHours =
    entry.scaling === "always-on"
      ? Rational.of(peakReplicas * BigInt(HOURS_PER_MONTH))
      : sumRationals(replicasByHour.map((replicas) => activeDays.mul(replicas))).add(idleDays.mul(minimum * 24n));
  const gpuHours = replicaHours.mul(entry.gpusPerReplica);
  const gpu = gpuHours.mul(Rational.fromDecimal(entry.gpuUsdPerHour)).mul(10n ** 18n).roundHalfEven();
  const operations = moneyFromUsd(entry.opsUsdPerMonth);
  return { requestsPerReplicaHour, replicasByHour, peakReplicas, gpuHours, gpu, operations, total: gpu + operations };
}

/**
 * Smallest monthly volume at which self-hosting costs no more than the API at its current
 * average cost per request. Self-hosting cost is a step function of volume, so the first
 * crossing is found by iterating V <- ceil(cost(V) / API cost per request) from 1: no volume below
 * the current V can cross, and the iteration stops at the first V that does. null = none below
 * 10^15 requests (each extra replica costs more than the traffic it carries on the API).
 */
export function selfHostBreakEven(entry: SelfHostEntry, tokens: RequestTokens, profile: ArrivalProfile, comparator: Comparator): bigint | null {
  if (comparator.monthly <= 0n || comparator.requests === 0n) return null;
  let volume = 1n;
  for (let step = 0; step < 10_000 && volume < 10n ** 15n; step += 1) {
    const cost = selfHostCost(entry, tokens, volume, profile).total;
    const next = Rational.of(cost * comparator.requests, comparator.monthly).ceil();
    if (next <= volume) return volume;
    volume = next;
  }
  return null;
}

function facts(entry: SelfHostEntry, model: Model | undefined): DeploymentFacts {
  return {
    provider: "self-host",
    label: `self-host/${entry.scaling}`,
    model: model?.id ?? entry.model,
    residency: entry.residency,
    compliance: entry.compliance,
    billing: entry.billing,
    capabilities: model?.capabilities,
    latency: [],
    declaredTtftP99Ms: entry.ttftP99Ms,
    // Your own server: prefix caching and offline batches are yours to run, at no per-token price.
    caching: true,
    batch: true,
    webSearch: false,
  };
}

export function evaluateSelfHost(context: SegmentContext, resolved: ResolvedSelfHost, comparator: Comparator | undefined): Option {
  const segment: Segment = context.resolved.segment;
  const { entry, model } = resolved;
  const tokens = requestTokens(
    segment,
    model ?? { id: entry.model, vendor: "unknown", tokenizerFactor: undefined, tokenizerSource: undefined },
    context.resolved.tokenCountsFrom,
  );
  const deployment = facts(entry, model);
  const { checks, warnings } = checkDeployment(deployment, segment, tokens, context.at, context.catalog.data.betas);
  warnings.unshift(...tokens.notes);
  if (entry.residency === "unknown" && segment.constraints.residency !== "any") {
    const index = checks.findIndex((check) => check.check === "residency");
    if (index >= 0) checks[index] = { check: "residency", ok: false, message: `say where ${entry.name} runs (residency: ${segment.constraints.residency}) so the residency requirement can be checked` };
  }
  if (monthlySearches(context.requests, segment.webSearchesPerRequest) > 0n) {
    checks.push({ check: "pricing", ok: false, message: "a self-hosted model has no web search tool; set web_searches_per_request: 0 for this segment or drop the entry" });
  }
  const cost = selfHostCost(entry, tokens, context.requests, segment.arrival);
  const lines: CostLine[] = [
    { class: "gpu_hours", tokens: undefined, quantity: `${cost.gpuHours.toDecimal(4).toString()} GPU-hours`, usd: cost.gpu },
  ];
  if (cost.operations > 0n) lines.push({ class: "operations", tokens: undefined, quantity: "per month", usd: cost.operations });
  const breakEven: BreakEven = !comparator
    ? { kind: "none", reason: "no API option is feasible under this segment's constraints, so there is nothing to measure self-hosting against (the on-demand options' reasons say what rules each out)" }
    : context.requests === 0n
      ? { kind: "none", reason: NO_TRAFFIC_REASON }
      : breakEvenFound(selfHostBreakEven(entry, tokens, segment.arrival, comparator));
  const capacity = cost.requestsPerReplicaHour.mul(cost.peakReplicas).mul(HOURS_PER_MONTH);
  const reasons = checks.filter((check) => !check.ok).map((check) => check.message);
  return {
    id: optionId(segment.name, "self-host", entry.scaling, undefined, model?.id ?? entry.model, "self-host", entry.name),
    segment: segment.name,
    kind: "self-host",
    provider: "self-host",
    route: entry.scaling,
    regions: undefined,
    model: model?.id ?? entry.model,
    modelId: model?.id ?? entry.model,
    label: entry.name,
    offering: undefined,
    residency: entry.residency,
    feasible: reasons.length === 0,
    reasons,
    warnings,
    checks,
    monthly: cost.total,
    baseline: cost.total,
    monthlyHighOutput: undefined,
    breakdown: lines,
    levers: [
      {
        lever: "self_host",
        title: `${entry.name}: ${cost.peakReplicas} replica${cost.peakReplicas === 1n ? "" : "s"} at the busiest hour (${entry.scaling}), ` +
          `$${entry.gpuUsdPerHour.toString()}/GPU-hour x ${entry.gpusPerReplica} GPU${entry.gpusPerReplica === 1 ? "" : "s"}` +
          breakEvenClause(breakEven),
        applied: true,
        saving: comparator ? comparator.monthly - cost.total : undefined,
        preconditions: [
          "your own serving stack, on-call and upgrades (ops_usd_per_month)",
          `the ${entry.tokensPerSecond} tokens/s per replica holds for this prompt shape at ${entry.utilisation.toString()} utilisation`,
        ],
        formula:
          "cost = GPU-hours x gpu_usd_per_hour + ops_usd_per_month; replicas_h = max(min_replicas, ceil(demand_h / c)), " +
          "c = tokens_per_second x utilisation x 3600 / tokens per request; always-on pays the busiest hour's replicas for all 730 h. " +
          "Break-even volume = first V with cost(V) <= API cost per request x V",
        detail: {
          requests_per_replica_hour: cost.requestsPerReplicaHour.toDecimal(4).toString(),
          peak_replicas: cost.peakReplicas.toString(),
          gpu_hours: cost.gpuHours.toDecimal(4).toString(),
          load_share_of_paid_capacity: capacity.isZero() ? null : Rational.of(context.requests).div(capacity).mul(Rational.fromDecimal(entry.utilisation)).toDecimal(4).toString(),
          api_comparator: comparator?.option.id ?? null,
          api_monthly_usd: comparator ? formatUsd(comparator.monthly) : null,
          ...breakEvenDetail(breakEven),
        },
        breakEven,
      },
    ],
    config: { cacheTtl: undefined, batch: false, units: undefined, replicas: cost.peakReplicas.toString() },
    cache: undefined,
    tokens,
    priceSource: { url: `your self_host entry: ${entry.name}`, accessed: context.at, verified: true },
    rank: undefined,
    billingUnits: undefined,
  };
}
