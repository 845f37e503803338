/**
 * Monthly cost against monthly volume for the deployments worth drawing: the cheapest on-demand
 * route of each model and then of each provider (at most four, near-identical lines left out),
 * every provisioned-throughput quote and every self-hosting entry, with the break-even volumes
 * marked. Each point is a full re-plan at that volume (caching hit rates,
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
  /** Labels of on-demand options not drawn because a drawn line of the same model costs within 1% of theirs today. */
  nearlyDrawn: string[];
}

/** The most pay-per-token lines on one chart. */
const MOST_ON_DEMAND = 4;

/** Whether two monthly costs are within 1% of the larger: their lines would lie on top of each other. */
function near(a: Money | undefined, b: Money | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const larger = a > b ? a : b;
  const difference = a > b ? a - b : b - a;
  return difference * 100n <= larger;
}

/**
 * The on-demand options worth a line, from the segment's options (feasible ones come cheapest
 * first): the cheapest of each model, so a dearer model the team lists is not hidden behind four
 * routes of the cheapest, then the cheapest of each provider; an option within 1% of a line
 * already drawn for the same model is left out (four clouds' global Haiku would be four lines on
 * top of each other), and named.
 */
function onDemandLines(options: readonly Option[]): { drawn: Option[]; nearlyDrawn: Option[] } {
  const feasible = options.filter((option) => option.kind === "on-demand" && option.feasible);
  const firstOf = (key: (option: Option) => string): Option[] => {
    const seen = new Set<string>();
    const first: Option[] = [];
    for (const option of feasible) {
      if (seen.has(key(option))) continue;
      seen.add(key(option));
      first.push(option);
    }
    return first;
  };
  const drawn: Option[] = [];
  const nearlyDrawn: Option[] = [];
  for (const option of [...firstOf((option) => option.model), ...firstOf((option) => option.provider)]) {
    if (drawn.includes(option) || nearlyDrawn.includes(option) || drawn.length >= MOST_ON_DEMAND) continue;
    if (drawn.some((line) => line.model === option.model && near(line.monthly, option.monthly))) nearlyDrawn.push(option);
    else drawn.push(option);
  }
  return { drawn, nearlyDrawn };
}

function label(option: Option): string {
  if (option.kind === "on-demand") return `${option.provider}/${option.route} ${option.model}`;
  if (option.kind === "provisioned") return `${option.label ?? option.model} (provisioned, ${option.provider}/${option.route})`;
  return `${option.label ?? option.model} (self-hosted)`;
}

export function volumeCurves(catalog: Catalog, resolved: ResolvedWorkload, plan: Plan, points = 24): SegmentCurves[] {
  return plan.segments.map((segmentPlan, index) => {
    const resolvedSegment = resolved.segments[index];
    if (!resolvedSegment) return { segment: segmentPlan.segment.name, series: [], markers: [], nearlyDrawn: [] };
    const current = segmentPlan.requests;
    const onDemand = onDemandLines(segmentPlan.options);
    const drawn = [...onDemand.drawn, ...segmentPlan.options.filter((option) => option.kind !== "on-demand" && option.feasible)];
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
      const breakEven = lever?.breakEven;
      if (breakEven?.kind === "at") markers.push({ label: `break-even: ${option.label ?? option.id}`, requests: breakEven.requests, kind: "break_even" });
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
    // A comparator drawn after all is not left out.
    const nearlyDrawn = onDemand.nearlyDrawn.filter((option) => !drawn.includes(option)).map(label);
    return { segment: segmentPlan.segment.name, series, markers: markers.filter((marker) => marker.requests <= top), nearlyDrawn };
  });
}
