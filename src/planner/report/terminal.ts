/** The default `switchyard plan` output: per segment a ranked table, the recommendation and its levers. */
import type { Plan, SegmentPlan } from "../plan.js";
import { configSummary, count, deployment, dollars, leverLabel, percent, signedDollars } from "./format.js";

function table(headers: string[], rows: string[][], right: ReadonlySet<number>): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (right.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join("  ").trimEnd();
  return [line(headers), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

const INFEASIBLE_SHOWN = 8;

function segmentText(segment: SegmentPlan): string {
  const { segment: spec } = segment;
  const header =
    `Segment ${spec.name}: ${count(segment.requests)} requests/month, ${spec.latency}, arrival ${spec.arrival.kind}` +
    `${spec.cachedPrefixTokens > 0 ? `, ${count(spec.cachedPrefixTokens)}-token cached prefix` : ""}; models: ${spec.models.join(", ")}`;
  const feasible = segment.options.filter((option) => option.feasible);
  const infeasible = segment.options.filter((option) => !option.feasible);
  const rows = feasible.map((option) => [
    String(option.rank),
    deployment(option),
    option.model,
    dollars(option.monthly),
    dollars(option.baseline),
    configSummary(option),
  ]);
  // No feasible option: no table of nothing to rank, only why (below).
  const parts = feasible.length > 0 ? [header, "", table(["#", "deployment", "model", "monthly", "list price", "levers pulled"], rows, new Set([0, 3, 4]))] : [header];
  if (infeasible.length > 0) {
    // The full reasons are in --json and --markdown; the terminal keeps one line per option.
    parts.push("", `Not feasible (${infeasible.length}):`);
    for (const option of infeasible.slice(0, INFEASIBLE_SHOWN)) {
      const [first = "", ...more] = option.reasons;
      const line = `  ${deployment(option)} ${option.model} (${dollars(option.monthly)}): ${first}${more.length > 0 ? ` (+${more.length} more)` : ""}`;
      parts.push(line.length > 260 ? `${line.slice(0, 259)}…` : line);
    }
    if (infeasible.length > INFEASIBLE_SHOWN) parts.push(`  … and ${infeasible.length - INFEASIBLE_SHOWN} more (see --markdown or --json for every reason)`);
  }
  const best = segment.recommended;
  if (best) {
    parts.push("", `Recommended: ${deployment(best)} ${best.model} at ${dollars(best.monthly)}/month (${configSummary(best)})`);
    if (best.monthlyHighOutput !== undefined) parts.push(`  if every output ran at p90 length: ${dollars(best.monthlyHighOutput)}/month`);
    for (const warning of best.warnings) parts.push(`  note: ${warning}`);
  } else {
    parts.push("", "No deployment satisfies this segment's constraints. Closest (fewest failed checks):");
    for (const option of segment.closest) parts.push(`  ${deployment(option)} ${option.model} at ${dollars(option.monthly)}/month if you relax: ${option.reasons.join("; ")}`);
  }
  if (segment.levers.length > 0) {
    parts.push("", "Levers (monthly saving, + = saves):");
    for (const lever of segment.levers) {
      parts.push(`  ${signedDollars(lever.saving).padStart(14)}  ${lever.applied ? "[applied] " : ""}${leverLabel(lever)}: ${lever.title}`);
      if (!lever.applied && lever.preconditions.length > 0) parts.push(`  ${"".padStart(14)}  needs: ${lever.preconditions.join("; ")}`);
    }
  }
  return parts.join("\n");
}

export function renderTerminal(plan: Plan): string {
  const { recommendation } = plan;
  const sections = plan.segments.map(segmentText);
  const summary = [`Workload ${plan.workload.name}, prices in force ${plan.at}`];
  if (recommendation.monthly !== undefined) {
    summary.push(
      `Recommended plan: ${dollars(recommendation.monthly)}/month` +
        (recommendation.baseline !== undefined && recommendation.saving !== undefined
          ? ` (list-price baseline ${dollars(recommendation.baseline)}, saving ${dollars(recommendation.saving)} = ${percent(recommendation.saving, recommendation.baseline)})`
          : ""),
    );
  } else {
    summary.push(`No complete plan: no feasible deployment for ${recommendation.unserved.join(", ")}`);
  }
  if (recommendation.projection.length > 1) {
    summary.push("", table(
      ["month", "requests", "monthly", "choice"],
      recommendation.projection.map((point) => [
        String(point.month),
        count(Object.values(point.requests).reduce((total, value) => total + value, 0n)),
        dollars(point.monthly),
        Object.entries(point.labels).map(([name, label]) => (plan.segments.length > 1 ? `${name}: ${label}` : label)).join("; "),
      ]),
      new Set([0, 1, 2]),
    ));
  }
  return `${summary.join("\n")}\n\n${sections.join("\n\n")}\n`;
}
