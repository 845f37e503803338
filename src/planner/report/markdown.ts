/** `switchyard plan --markdown`: the same report as the terminal, as Markdown tables a reviewer can paste. */
import type { Plan, SegmentPlan } from "../plan.js";
import { configSummary, count, deployment, dollars, leverLabel, percent, signedDollars } from "./format.js";

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function tableOf(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.join(" | ")} |`,
    `|${headers.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ].join("\n");
}

function segmentMarkdown(segment: SegmentPlan): string {
  const spec = segment.segment;
  const parts = [
    `## Segment \`${spec.name}\``,
    "",
    `${count(segment.requests)} requests/month · ${spec.latency} · arrival ${spec.arrival.kind} · ` +
      `${spec.input.mean} input + ${spec.cachedPrefixTokens} cached-prefix + ${spec.output.mean} output tokens per request · models: ${spec.models.join(", ")}`,
    "",
    tableOf(
      ["#", "deployment", "model", "monthly", "list price", "levers pulled", "feasible"],
      segment.options.map((option) => [
        option.rank === undefined ? "–" : String(option.rank),
        deployment(option),
        option.model,
        dollars(option.monthly),
        dollars(option.baseline),
        configSummary(option),
        option.feasible ? "yes" : `no: ${option.reasons.join("; ")}`,
      ]),
    ),
  ];
  const best = segment.recommended;
  if (best) {
    parts.push("", `**Recommended:** ${deployment(best)} · ${best.model} · **${dollars(best.monthly)}/month** (${configSummary(best)}).`);
    parts.push("", tableOf(["class", "tokens / quantity", "USD"], best.breakdown.map((line) => [line.class, line.tokens !== undefined ? count(line.tokens) : (line.quantity ?? ""), dollars(line.usd)])));
    if (best.warnings.length > 0) parts.push("", ...best.warnings.map((warning) => `- Note: ${warning}`));
  } else {
    parts.push("", "**No deployment satisfies this segment's constraints.** Closest (fewest failed checks):", "");
    for (const option of segment.closest) parts.push(`- ${deployment(option)} · ${option.model} · ${dollars(option.monthly)}/month if you relax: ${option.reasons.join("; ")}`);
  }
  if (segment.levers.length > 0) {
    parts.push(
      "",
      "### Levers",
      "",
      tableOf(
        ["lever", "saving / month", "applied", "what", "preconditions", "formula"],
        segment.levers.map((lever) => [leverLabel(lever), signedDollars(lever.saving), lever.applied ? "yes" : "no", lever.title, lever.preconditions.join("; "), lever.formula]),
      ),
    );
  }
  return parts.join("\n");
}

export function renderMarkdown(plan: Plan): string {
  const { recommendation } = plan;
  const parts = [`# Plan: ${plan.workload.name}`, "", `Prices in force ${plan.at}.${plan.workload.description ? ` ${plan.workload.description}` : ""}`, ""];
  if (recommendation.monthly !== undefined) {
    parts.push(
      `**Recommended plan: ${dollars(recommendation.monthly)}/month**` +
        (recommendation.baseline !== undefined && recommendation.saving !== undefined
          ? ` against a list-price baseline of ${dollars(recommendation.baseline)} (saving ${dollars(recommendation.saving)}, ${percent(recommendation.saving, recommendation.baseline)}).`
          : "."),
    );
  } else {
    parts.push(`**No complete plan:** no feasible deployment for ${recommendation.unserved.join(", ")}.`);
  }
  if (recommendation.projection.length > 1) {
    parts.push(
      "",
      "## Growth",
      "",
      tableOf(
        ["month", "requests", "monthly", "choices"],
        recommendation.projection.map((point) => [
          String(point.month),
          count(Object.values(point.requests).reduce((total, value) => total + value, 0n)),
          dollars(point.monthly),
          Object.entries(point.labels).map(([name, label]) => `${name}: ${label}`).join("; "),
        ]),
      ),
    );
  }
  parts.push("", ...plan.segments.map(segmentMarkdown).flatMap((text) => [text, ""]));
  return `${parts.join("\n").trimEnd()}\n`;
}
