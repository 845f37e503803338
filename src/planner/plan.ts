/**
 * The planner's entry point: for every segment, every deployment with its cost and feasibility,
 * the recommended one, the levers that get there, and the cost month by month as volume grows.
 * Pure: takes a catalog and a resolved workload, returns data; the CLI renders it.
 */
import type { Catalog } from "../catalog/catalog.js";
import { Decimal } from "../pricing/decimal.js";
import type { Money } from "../pricing/money.js";
import type { Lever, Option } from "./option.js";
import type { SegmentContext } from "./on-demand-option.js";
import { Rational } from "./rational.js";
import { segmentLevers } from "./segment-levers.js";
import { cheapest, evaluateSegment } from "./segment-options.js";
import type { ResolvedSegment, ResolvedWorkload } from "./workload-models.js";
import type { Segment, Workload } from "./workload.js";

export interface SegmentPlan {
  segment: Segment;
  requests: bigint;
  options: Option[];
  recommended: Option | undefined;
  /** The recommended option's own levers followed by the cross-deployment ones, largest saving first. */
  levers: Lever[];
  /** The first-listed model on its cheapest feasible on-demand route, at list price with no levers. */
  baseline: Money | undefined;
  /** When nothing is feasible: the options that fail the fewest checks, cheapest first (what to relax). */
  closest: Option[];
}

export interface ProjectionPoint {
  month: number;
  requests: Record<string, bigint>;
  /** Sum over segments of the cheapest feasible option that month; undefined if a segment has none. */
  monthly: Money | undefined;
  /** Option id chosen for each segment that month. */
  choices: Record<string, string | undefined>;
  /** The same choice in words, for reports. */
  labels: Record<string, string>;
}

export interface Plan {
  workload: Workload;
  at: string;
  segments: SegmentPlan[];
  recommendation: {
    monthly: Money | undefined;
    baseline: Money | undefined;
    saving: Money | undefined;
    /** Segments that no deployment can serve under their constraints. */
    unserved: string[];
    projection: ProjectionPoint[];
  };
}

export interface PlanOptions {
  at: string;
  /** Skip the month-by-month projection (used when re-planning at other volumes). */
  projection?: boolean;
}

export function contextFor(catalog: Catalog, workload: Workload, resolved: ResolvedSegment, requests: bigint, at: string): SegmentContext {
  return { catalog, resolved, requests, at, discounts: workload.discounts };
}

export function planSegment(catalog: Catalog, workload: Workload, resolved: ResolvedSegment, requests: bigint, at: string): SegmentPlan {
  const context = contextFor(catalog, workload, resolved, requests, at);
  const options = evaluateSegment(context);
  const recommended = options.find((option) => option.rank === 1);
  annotateBreakEvenMonths(options, resolved.segment, requests, workload.horizonMonths);
  const levers = recommended ? [...recommended.levers, ...segmentLevers(context, options, recommended)] : [];
  levers.sort(bySavingDescending);
  const first = resolved.models[0];
  const firstBaseline = cheapest(
    options.filter((option) => option.kind === "on-demand" && option.feasible && option.model === first?.id).map((option) => ({ ...option, monthly: option.baseline })),
  );
  return {
    segment: resolved.segment,
    requests,
    options,
    recommended,
    levers,
    baseline: firstBaseline?.monthly ?? recommended?.baseline,
    closest: recommended ? [] : closestInfeasible(options),
  };
}

function closestInfeasible(options: Option[]): Option[] {
  const failures = (option: Option) => new Set(option.checks.filter((check) => !check.ok).map((check) => check.check)).size;
  const priced = options.filter((option) => option.monthly !== undefined);
  const fewest = Math.min(...priced.map(failures));
  return priced.filter((option) => failures(option) === fewest).slice(0, 3);
}

/** Largest saving first; levers that cannot be priced last. */
function bySavingDescending(a: Lever, b: Lever): number {
  if (a.saving === undefined || b.saving === undefined) return a.saving === undefined ? (b.saving === undefined ? 0 : 1) : -1;
  return a.saving > b.saving ? -1 : a.saving < b.saving ? 1 : 0;
}

/**
 * For provisioned throughput and self-hosting: the first month, under the segment's growth, whose
 * volume reaches the break-even volume (0 = already there; null = not within the horizon).
 */
function annotateBreakEvenMonths(options: Option[], segment: Segment, requests: bigint, horizon: number): void {
  for (const option of options) {
    for (const lever of option.levers) {
      if (lever.breakEven?.kind !== "at") continue;
      const target = lever.breakEven.requests;
      let month: number | null = null;
      for (let candidate = 0; candidate <= horizon; candidate += 1) {
        const volume = candidate === 0 ? requests : grownRequests(Number(requests), segment.growthPercentPerMonth, candidate);
        if (volume >= target) {
          month = candidate;
          break;
        }
        if (segment.growthPercentPerMonth.isZero()) break;
      }
      lever.detail.break_even_month = month;
    }
  }
}

/** Requests in month m of growth g% a month: R x (1 + g/100)^m, rounded half-even. */
export function grownRequests(requests: number, growthPercent: Decimal, month: number): bigint {
  const factor = Decimal.ONE.add(growthPercent.div(Decimal.fromInteger(100), growthPercent.scale + 2));
  let volume = Rational.of(requests);
  for (let step = 0; step < month; step += 1) volume = volume.mul(Rational.fromDecimal(factor));
  return volume.roundHalfEven();
}

export function plan(catalog: Catalog, resolved: ResolvedWorkload, options: PlanOptions): Plan {
  const { workload } = resolved;
  const segments = resolved.segments.map((segment) => planSegment(catalog, workload, segment, BigInt(segment.segment.requestsPerMonth), options.at));
  const unserved = segments.filter((segment) => !segment.recommended).map((segment) => segment.segment.name);
  const sum = (values: (Money | undefined)[]) => (values.some((value) => value === undefined) ? undefined : values.reduce<Money>((total, value) => total + (value as Money), 0n));
  const monthly = sum(segments.map((segment) => segment.recommended?.monthly));
  const baseline = sum(segments.map((segment) => segment.baseline));
  const projection: ProjectionPoint[] = [];
  if (options.projection !== false) {
    for (let month = 0; month <= workload.horizonMonths; month += 1) {
      const requests: Record<string, bigint> = {};
      const choices: Record<string, string | undefined> = {};
      const labels: Record<string, string> = {};
      const costs: (Money | undefined)[] = [];
      for (const [index, segment] of resolved.segments.entries()) {
        const volume = grownRequests(segment.segment.requestsPerMonth, segment.segment.growthPercentPerMonth, month);
        requests[segment.segment.name] = volume;
        const planned = month === 0 ? (segments[index] as SegmentPlan) : planSegment(catalog, workload, segment, volume, options.at);
        choices[segment.segment.name] = planned.recommended?.id;
        const chosen = planned.recommended;
        labels[segment.segment.name] = chosen
          ? `${chosen.kind === "self-host" ? `self-host ${chosen.label ?? ""}` : `${chosen.provider}/${chosen.route}`} ${chosen.model}${chosen.kind === "provisioned" ? ` (${chosen.config.units} MU)` : ""}`
          : "none feasible";
        costs.push(planned.recommended?.monthly);
      }
      projection.push({ month, requests, monthly: sum(costs), choices, labels });
      if (month === 0 && resolved.segments.every((segment) => segment.segment.growthPercentPerMonth.isZero())) break;
    }
  }
  return {
    workload,
    at: options.at,
    segments,
    recommendation: {
      monthly,
      baseline,
      saving: monthly !== undefined && baseline !== undefined ? baseline - monthly : undefined,
      unserved,
      projection,
    },
  };
}
