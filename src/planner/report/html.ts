/**
 * `switchyard plan --html FILE`: one self-contained page (inline CSS and SVG, no scripts, no
 * network) with the recommendation, and per segment three charts — cost per option, monthly
 * cost against volume with the break-even points, and the breakdown by token class — above
 * the tables that carry the exact figures.
 */
import type { Option } from "../option.js";
import type { Plan, SegmentPlan } from "../plan.js";
import type { SegmentCurves } from "../volume-curves.js";
import { chartNumber, configSummary, count, deployment, dollars, leverLabel, percent, signedDollars } from "./format.js";
import { MARKER_COLOURS, seriesStyles, type SeriesStyle } from "./series-palette.js";
import { barChart, escapeHtml, lineChart, stackedBarChart, type Line } from "./svg-charts.js";

const KIND_COLOURS: Record<string, string> = { "on-demand": "#2563eb", provisioned: "#d97706", "self-host": "#059669" };
const CLASS_COLOURS: Record<string, string> = {
  input: "#3b82f6",
  cache_write_5m: "#f59e0b",
  cache_write_1h: "#ef4444",
  cache_write_unknown_ttl: "#fb923c",
  cache_read: "#10b981",
  output: "#8b5cf6",
  web_search: "#ec4899",
  provisioned_units: "#d97706",
  on_demand_spill: "#fbbf24",
  gpu_hours: "#059669",
  operations: "#6b7280",
};

const STYLE = `
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#111827;background:#f9fafb}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:21px;margin:36px 0 8px;border-top:1px solid #e5e7eb;padding-top:20px}h3{font-size:16px;margin:22px 0 6px}
.summary{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:14px 18px;margin:16px 0}
.big{font-size:28px;font-weight:700}
figure{background:#fff;border:1px solid #e5e7eb;border-radius:8px;margin:14px 0;padding:12px}
svg{width:100%;height:auto;display:block}
svg text{font:12px system-ui,sans-serif;fill:#111827}
svg .chart-title{font-weight:600;font-size:13px}svg .muted{fill:#6b7280}svg .value{font-variant-numeric:tabular-nums}
svg .grid{stroke:#e5e7eb}svg .tick{fill:#6b7280;font-size:11px}svg .legend{font-size:12px}
svg .marker{stroke-dasharray:5 4;stroke-width:1.5}svg .marker.break_even{stroke:${MARKER_COLOURS.break_even}}svg .marker.current{stroke:${MARKER_COLOURS.current}}svg .marker.horizon{stroke:${MARKER_COLOURS.horizon}}
svg .marker-label{font-size:11px;fill:#374151}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px;margin:8px 0}
th,td{border:1px solid #e5e7eb;padding:5px 7px;text-align:left;vertical-align:top}th{background:#f3f4f6}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.infeasible td{color:#6b7280}.applied{color:#047857;font-weight:600}
.note{color:#4b5563;font-size:13px}
`;

/** Chart labels stay short (no region lists): the table below the charts has the full deployment. */
function optionBarLabel(option: Option): string {
  const where =
    option.kind === "provisioned"
      ? `PT ${option.provider}/${option.route} ${option.config.units ?? ""} MU`
      : option.kind === "self-host"
        ? `self-host ${option.label ?? ""}`
        : // Regional and in-region routes repeat per region set; the first region tells them apart.
          `${option.provider}/${option.route}${(option.route === "regional" || option.route === "in-region") && option.regions?.[0] ? ` [${option.regions[0]}${option.regions.length > 1 ? ", …" : ""}]` : ""}`;
  // Whole: the chart widens its label column for it, or shortens it in the middle with the whole as a tooltip.
  return `${option.rank ? `#${option.rank} ` : "✗ "}${where} · ${option.model}`;
}

/** The cost chart's bars: the cheapest options, and every model's cheapest beyond them so that no model drops out silently. */
const COST_CHART_BARS = 16;

export function costChartOptions(segment: SegmentPlan): Option[] {
  const priced = segment.options.filter((option) => option.monthly !== undefined);
  const shown = new Set(priced.slice(0, COST_CHART_BARS));
  // Options come feasible by rank, then infeasible by cost: a model's first is its cheapest feasible one, else its cheapest.
  for (const option of priced) {
    if (![...shown].some((other) => other.model === option.model)) shown.add(option);
  }
  return priced.filter((option) => shown.has(option));
}

function costChart(segment: SegmentPlan): { chart: string; caption: string } {
  const options = costChartOptions(segment);
  if (options.length === 0) return { chart: "", caption: "" };
  const hatched = options.some((option) => !option.feasible);
  const total = segment.options.length;
  const caption =
    options.length < total
      ? `${options.length} of ${total} options shown: the ${Math.min(COST_CHART_BARS, options.length)} cheapest` +
        (options.length > COST_CHART_BARS ? ` and the cheapest of each other model (${[...new Set(options.slice(COST_CHART_BARS).map((option) => option.model))].join(", ")})` : "") +
        "; the rest are in the table below."
      : "";
  const chart = barChart(
    "cost-per-option",
    `Monthly cost per option — ${segment.segment.name}${hatched ? " (hatched = not feasible)" : ""}`,
    options.map((option) => ({
      id: option.id,
      label: optionBarLabel(option),
      value: chartNumber(option.monthly ?? 0n),
      text: `${dollars(option.monthly)}${option.feasible ? "" : " ✗"}`,
      colour: KIND_COLOURS[option.kind] ?? "#2563eb",
      muted: !option.feasible,
    })),
    { unit: "monthly cost", tickPrefix: "$" },
  );
  return { chart, caption };
}

function volumeChart(curves: SegmentCurves | undefined, uid: string, styles: Map<string, SeriesStyle>): { chart: string; caption: string } {
  if (!curves || curves.series.length === 0) return { chart: "", caption: "" };
  // The axis follows the pay-per-token curves; a commitment far above them is clipped, not allowed to flatten them.
  const highest = (kind: (value: string) => boolean) =>
    Math.max(0, ...curves.series.filter((series) => kind(series.kind)).flatMap((series) => series.points.flatMap((point) => (point.monthly === undefined ? [] : [chartNumber(point.monthly)]))));
  const lowestOther = Math.min(
    ...curves.series.filter((series) => series.kind !== "on-demand").flatMap((series) => series.points.flatMap((point) => (point.monthly === undefined ? [] : [chartNumber(point.monthly)]))),
  );
  const onDemandTop = highest((kind) => kind === "on-demand");
  const cap = onDemandTop > 0 ? Math.max(onDemandTop, Math.min(lowestOther, onDemandTop * 3)) : undefined;
  const lines: Line[] = curves.series.map((series) => ({
    id: series.optionId,
    label: series.label,
    ...(styles.get(series.label) ?? { colour: "#4b5563", dash: "" }),
    points: series.points.map((point) => ({ x: Number(point.requests), y: point.monthly === undefined ? undefined : chartNumber(point.monthly) })),
  }));
  const chart = lineChart(
    "cost-vs-volume",
    `Monthly cost against monthly volume — ${curves.segment}`,
    lines,
    curves.markers.map((marker) => ({ x: Number(marker.requests), label: `${marker.label} (${count(marker.requests)})`, kind: marker.kind })),
    "requests per month",
    uid,
    cap,
  );
  const caption =
    curves.nearlyDrawn.length > 0 ? `Not drawn, as they cost within 1% of a line of the same model: ${curves.nearlyDrawn.join(", ")} (in the table below).` : "";
  return { chart, caption };
}

function breakdownChart(segment: SegmentPlan): string {
  const options = segment.options.filter((option) => option.feasible).slice(0, 5);
  if (options.length === 0) return "";
  return stackedBarChart(
    "breakdown",
    `Where the money goes, by token class — ${segment.segment.name}`,
    options.map((option) => {
      const discount = option.breakdown.find((line) => line.class === "discount");
      return {
        id: option.id,
        label: optionBarLabel(option),
        parts: option.breakdown.filter((line) => line.class !== "discount").map((line) => ({ key: line.class, value: chartNumber(line.usd), text: dollars(line.usd) })),
        note: discount ? `${dollars(option.monthly)} after ${dollars(-discount.usd)} discount` : dollars(option.monthly),
      };
    }),
    CLASS_COLOURS,
    // Token classes are identifiers: "cache_read" reads "cache read".
    (tokenClass) => tokenClass.replaceAll("_", " "),
  );
}

function optionsTable(segment: SegmentPlan): string {
  const rows = segment.options
    .map(
      (option) =>
        `<tr class="${option.feasible ? "feasible" : "infeasible"}" data-option="${escapeHtml(option.id)}"><td class="num">${option.rank ?? "–"}</td>` +
        `<td>${escapeHtml(deployment(option))}</td><td>${escapeHtml(option.model)}</td><td class="num">${dollars(option.monthly)}</td>` +
        `<td class="num">${dollars(option.baseline)}</td><td>${escapeHtml(configSummary(option))}</td>` +
        `<td>${option.feasible ? "yes" : `no: ${escapeHtml(option.reasons.join("; "))}`}</td></tr>`,
    )
    .join("");
  return `<div class="table-wrap"><table><thead><tr><th>#</th><th>deployment</th><th>model</th><th>monthly</th><th>list price</th><th>levers pulled</th><th>feasible</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function leversTable(segment: SegmentPlan): string {
  if (segment.levers.length === 0) return "";
  const rows = segment.levers
    .map(
      (lever) =>
        `<tr><td>${escapeHtml(leverLabel(lever))}</td><td class="num">${signedDollars(lever.saving)}</td><td>${lever.applied ? '<span class="applied">applied</span>' : "–"}</td>` +
        `<td>${escapeHtml(lever.title)}</td><td>${escapeHtml(lever.preconditions.join("; "))}</td><td class="note">${escapeHtml(lever.formula)}</td></tr>`,
    )
    .join("");
  return `<h3>Levers</h3><div class="table-wrap"><table><thead><tr><th>lever</th><th>saving/month</th><th>in the recommendation</th><th>what</th><th>preconditions</th><th>formula</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** A chart in its frame, with what it leaves out; none for a chart with nothing to draw (no option priced, none feasible). */
function figure(chart: string, caption = ""): string {
  if (chart === "") return "";
  return `<figure>${chart}${caption ? `<figcaption class="note" data-caption>${escapeHtml(caption)}</figcaption>` : ""}</figure>`;
}

function segmentSection(segment: SegmentPlan, curves: SegmentCurves | undefined, index: number, styles: Map<string, SeriesStyle>): string {
  const spec = segment.segment;
  const best = segment.recommended;
  const cost = costChart(segment);
  const volume = volumeChart(curves, `segment-${index}`, styles);
  return (
    `<section data-segment="${escapeHtml(spec.name)}"><h2>Segment ${escapeHtml(spec.name)}</h2>` +
    `<p class="note">${count(segment.requests)} requests/month · ${spec.latency} · arrival ${spec.arrival.kind} · ${spec.input.mean} input + ${spec.cachedPrefixTokens} cached-prefix + ${spec.output.mean} output tokens per request · models: ${escapeHtml(spec.models.join(", "))}</p>` +
    (best
      ? `<p>Recommended: <strong>${escapeHtml(deployment(best))} · ${escapeHtml(best.model)}</strong> at <strong data-recommended-usd>${dollars(best.monthly)}</strong>/month (${escapeHtml(configSummary(best))}).</p>`
      : `<p><strong>No deployment satisfies this segment's constraints.</strong> Closest (fewest failed checks):</p><ul>${segment.closest
          .map((option) => `<li>${escapeHtml(deployment(option))} · ${escapeHtml(option.model)} · ${dollars(option.monthly)}/month if you relax: ${escapeHtml(option.reasons.join("; "))}</li>`)
          .join("")}</ul>`) +
    figure(cost.chart, cost.caption) +
    figure(volume.chart, volume.caption) +
    figure(breakdownChart(segment)) +
    optionsTable(segment) +
    leversTable(segment) +
    (best && best.warnings.length > 0 ? `<ul class="note">${best.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join("")}</ul>` : "") +
    "</section>"
  );
}

export function renderHtml(plan: Plan, curves: SegmentCurves[]): string {
  const { recommendation } = plan;
  // A deployment's line looks the same in every segment's chart.
  const styles = seriesStyles(curves.flatMap((segment) => segment.series.map((series) => series.label)));
  const headline =
    recommendation.monthly !== undefined
      ? `<div class="big" data-total-usd>${dollars(recommendation.monthly)}/month</div>` +
        (recommendation.baseline !== undefined && recommendation.saving !== undefined
          ? `<div>against a list-price baseline of ${dollars(recommendation.baseline)}: saving ${dollars(recommendation.saving)} (${percent(recommendation.saving, recommendation.baseline)})</div>`
          : "")
      : `<div class="big">No complete plan</div><div>no feasible deployment for ${escapeHtml(recommendation.unserved.join(", "))}</div>`;
  const perSegment = plan.segments
    .map((segment) => `<li>${escapeHtml(segment.segment.name)}: ${segment.recommended ? `${escapeHtml(deployment(segment.recommended))} · ${escapeHtml(segment.recommended.model)} · ${dollars(segment.recommended.monthly)}` : "no feasible deployment"}</li>`)
    .join("");
  const projection =
    recommendation.projection.length > 1
      ? `<h3>Growth</h3><div class="table-wrap"><table><thead><tr><th>month</th><th>requests</th><th>monthly</th><th>choice</th></tr></thead><tbody>${recommendation.projection
          .map(
            (point) =>
              `<tr><td class="num">${point.month}</td><td class="num">${count(Object.values(point.requests).reduce((total, value) => total + value, 0n))}</td><td class="num">${dollars(point.monthly)}</td>` +
              `<td>${escapeHtml(Object.entries(point.labels).map(([name, label]) => `${name}: ${label}`).join("; "))}</td></tr>`,
          )
          .join("")}</tbody></table></div>`
      : "";
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>Plan: ${escapeHtml(plan.workload.name)}</title><style>${STYLE}</style></head><body><main>` +
    `<h1>Plan: ${escapeHtml(plan.workload.name)}</h1><p class="note">Prices in force ${escapeHtml(plan.at)}. ${escapeHtml(plan.workload.description ?? "")} Figures are exact amounts rounded to cents for display; <code>switchyard plan --json</code> gives every digit.</p>` +
    `<div class="summary">${headline}<ul>${perSegment}</ul>${projection}</div>` +
    plan.segments.map((segment, index) => segmentSection(segment, curves[index], index, styles)).join("") +
    `<p class="note">Generated by switchyard plan. Formulas and assumptions: docs/PLANNER.md.</p></main></body></html>\n`
  );
}
