/**
 * Monthly cost against monthly volume for the deployments worth drawing: the cheapest on-demand
 * route of each provider, every provisioned-throughput quote and every self-hosting entry, with
 * the break-even volumes marked. Each point is a full re-plan at that volume (caching hit rates,
 * MU counts and replicas all change with volume), so the curves are exact, not extrapolated.
 */
import type { Catalog } from "../catalog/catalog.js";
import type { Money } from "../pricing/money.js";
import type { DeploymentKind, Option } from "./option.js";
import { planSegment, type Plan } from "./plan.js";
import type { ResolvedWorkload } from "./workload-models.js";

export interface CurvePoint {
  requests: bigint;
  monthly: Money | undefined;
}

export interface CurveSeries {
  optionId: string;
  label: string;
  kind: DeploymentKind;
  points: CurvePoint[];
}

export interface VolumeMarker {
  label: string;
  requests: bigint;
  kind: "current" | "horizon" | "break_even";
}

export interface SegmentCurves {
  segment: string;
  series: CurveSeries[];
  markers: VolumeMarker[];
}

function label(option: Option): string {
  if (option.kind === "on-demand") return `${option.provider}/${option.route} ${option.model}`;
  if (option.kind === "provisioned") return `${option.label ?? option.model} (provisioned, ${option.provider}/${option.route})`;
  return `${option.label ?? option.model} (self-hosted)`;
}

export function volumeCurves(catalog: Catalog, resolved: ResolvedWorkload, plan: Plan, points = 24): SegmentCurves[] {
  return plan.segments.map((segmentPlan, index) => {
    const resolvedSegment = resolved.segments[index];
    if (!resolvedSegment) return { segment: segmentPlan.segment.name, series: [], markers: [] };
    const current = segmentPlan.requests;
    const byProvider = new Map<string, Option>();
    for (const option of segmentPlan.options) {
      if (option.kind === "on-demand" && option.feasible && !byProvider.has(option.provider)) byProvider.set(option.provider, option);
    }
    const drawn = [...[...byProvider.values()].slice(0, 4), ...segmentPlan.options.filter((option) => option.kind !== "on-demand" && option.feasible)];
    // A break-even is where a commitment's line crosses its comparator's: draw the comparator too
    // (a provisioned quote's spill-over route may not be its provider's cheapest on-demand option).
    for (const option of [...drawn]) {
      const lever = option.levers.find((candidate) => candidate.lever === "provisioned_throughput" || candidate.lever === "self_host");
      const comparatorId = lever?.detail.on_demand_comparator ?? lever?.detail.api_comparator;
      const comparator = segmentPlan.options.find((candidate) => candidate.id === comparatorId);
      if (comparator && !drawn.includes(comparator)) drawn.push(comparator);
    }
    const markers: VolumeMarker[] = [{ label: "today", requests: current, kind: "current" }];
    const horizon = plan.recommendation.projection.at(-1)?.requests[segmentPlan.segment.name];
    if (horizon !== undefined && horizon !== current) markers.push({ label: `month ${plan.recommendation.projection.length - 1}`, requests: horizon, kind: "horizon" });
    for (const option of drawn) {
      const lever = option.levers.find((candidate) => candidate.lever === "provisioned_throughput" || candidate.lever === "self_host");
      const breakEven = lever?.detail.break_even_requests_per_month;
      if (typeof breakEven === "string" && /^\d+$/.test(breakEven)) {
        markers.push({ label: `break-even: ${option.label ?? option.id}`, requests: BigInt(breakEven), kind: "break_even" });
      }
    }
    let top = current * 2n;
    for (const marker of markers) {
      const reach = marker.kind === "break_even" ? (marker.requests * 6n) / 5n : marker.requests;
      // A break-even far beyond today's volume would flatten everything else; cap the axis at 20x.
      if (reach > top && reach <= current * 20n) top = reach;
    }
    const volumes = Array.from({ length: points }, (_, step) => (top * BigInt(step + 1)) / BigInt(points)).filter((volume) => volume > 0n);
    const plans = volumes.map((volume) => (volume === current ? segmentPlan : planSegment(catalog, plan.workload, resolvedSegment, volume, plan.at)));
    const series = drawn.map((option) => ({
      optionId: option.id,
      label: label(option),
      kind: option.kind,
      points: plans.map((planned, step) => ({
        requests: volumes[step] as bigint,
        monthly: planned.options.find((candidate) => candidate.id === option.id)?.monthly,
      })),
    }));
    return { segment: segmentPlan.segment.name, series, markers: markers.filter((marker) => marker.requests <= top) };
  });
}
