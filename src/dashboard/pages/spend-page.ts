/**
 * Spend over time by provider, deployment, model, key or tag: one stacked bar per day, the total
 * per group, and a sortable table with the ledger's exact sums. One spend query per view.
 */
import type { ApiKeyRecord, SpendGroup, SpendQuery } from "../../ledger/ledger.js";
import { UsdSum } from "../../ledger/exact-sum.js";
import { barChart, stackedBarChart, type StackedBar } from "../../planner/report/svg-charts.js";
import { keyNames, keysById, linkWith, rangeControl, rangeText, timeRange, type DashboardContext, type Query } from "../context.js";
import { coloursByName, knownDeployments, knownKeys, knownModels, knownProviders, OTHER_COLOUR } from "../series-colours.js";
import { chartValue, count, escapeHtml, usd } from "../format.js";
import { card, heading, type PageOptions } from "../layout.js";
import { rollUp, totalOf } from "../../ledger/roll-up.js";
import { TAG_KEY } from "../../ledger/row-schema.js";
import { dayTable, type DayAmounts } from "../day-table.js";
import { integer, money, sortableTable, text, type Cell, type Column, type Row } from "../table.js";

export const DIMENSIONS = ["provider", "deployment", "model", "key", "tag"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

const MAX_SERIES = 8;
/** Rows in the table at most (the largest groups). */
export const MAX_ROWS = 500;

/**
 * Tag keys people have used, on keys and on the most recent requests, the most used first (the
 * view's default: the alphabetically first was a tag of one key, 85% of the spend "(no … tag)").
 */
async function knownTagKeys(context: DashboardContext): Promise<string[]> {
  const uses = new Map<string, number>();
  const count = (tags: Record<string, string>) => {
    for (const name of Object.keys(tags)) uses.set(name, (uses.get(name) ?? 0) + 1);
  };
  for (const record of await context.keys.list()) count(record.tags);
  for (const row of await context.state.store.recent(200)) count(row.tags);
  return [...uses.keys()].sort((a, b) => (uses.get(b) as number) - (uses.get(a) as number) || (a < b ? -1 : 1));
}

export const SPEND_COLUMNS: Column[] = [
  { id: "group", label: "group" },
  { id: "requests", label: "requests", numeric: true },
  { id: "errors", label: "errors", numeric: true, help: "responses with status 400 or above" },
  { id: "cost_usd", label: "cost (USD, exact)", numeric: true },
  { id: "inexact_requests", label: "inexact", numeric: true, help: "requests whose cost is not exact: a lower bound (usage the upstream did not report) or unknown (they could not be priced, and are in no cost total)" },
  { id: "input_tokens", label: "input", numeric: true },
  { id: "output_tokens", label: "output", numeric: true },
  { id: "cache_write_tokens", label: "cache write", numeric: true },
  { id: "cache_read_tokens", label: "cache read", numeric: true },
];

export function spendRow(id: string, label: Cell, group: Omit<SpendGroup, "group" | "shadow_costs">): Row {
  return {
    id,
    cells: {
      group: label,
      requests: integer(group.requests),
      errors: integer(group.errors),
      cost_usd: money(group.cost_usd),
      inexact_requests: integer(group.inexact_requests),
      input_tokens: integer(group.input_tokens),
      output_tokens: integer(group.output_tokens),
      cache_write_tokens: integer(group.cache_write_tokens),
      cache_read_tokens: integer(group.cache_read_tokens),
    },
  };
}

/** The groups of a dimension in an order that does not change with the traffic; none for tags. */
function knownNames(context: DashboardContext, dimension: Dimension, keys: Map<string, ApiKeyRecord> | undefined): string[] {
  switch (dimension) {
    case "provider":
      return knownProviders(context.state.config);
    case "deployment":
      return knownDeployments(context.state.config);
    case "model":
      return knownModels(context.state.config);
    case "key":
      return keys ? knownKeys(keys.values()) : [];
    case "tag":
      return [];
    default:
      dimension satisfies never;
      return [];
  }
}

export async function spendPage(context: DashboardContext, query: Query): Promise<PageOptions> {
  const now = context.state.now();
  const range = timeRange(query, now);
  const dimension: Dimension = (DIMENSIONS as readonly string[]).includes(query.by ?? "") ? (query.by as Dimension) : "provider";
  const tagKeys = dimension === "tag" ? await knownTagKeys(context) : [];
  const tagKey = dimension === "tag" ? (query.tag && TAG_KEY.test(query.tag) ? query.tag : tagKeys[0]) : undefined;

  const controls =
    `<div class="controls"><span class="group" role="group" aria-label="group by">${DIMENSIONS.map(
      (candidate) => `<a href="${linkWith("/dashboard", query, { by: candidate })}" data-by="${candidate}"${candidate === dimension ? ' aria-current="true"' : ""}>by ${candidate}</a>`,
    ).join("")}</span>${rangeControl("/dashboard", query, range)}` +
    (dimension === "tag"
      ? `<form method="get" action="/dashboard"><input type="hidden" name="by" value="tag"><input type="hidden" name="days" value="${range.days}">` +
        `<label>tag key <select name="tag" data-control="tag-key">${[...new Set([...(tagKey ? [tagKey] : []), ...tagKeys])]
          .map((name) => `<option${name === tagKey ? " selected" : ""}>${escapeHtml(name)}</option>`)
          .join("")}</select></label> <button type="submit">show</button></form>`
      : "") +
    "</div>";
  const lead = "Exact USD from the ledger (every digit it holds, nothing rounded). Days are UTC.";
  if (dimension === "tag" && !tagKey) {
    return { title: "Spend", active: "spend", days: range.days, body: heading("Spend", lead) + controls + `<div class="panel">No tags yet: requests carry tags from their key or the <code>x-switchyard-tags</code> header.</div>` };
  }

  const base: Omit<SpendQuery, "group_by"> = { from: range.from, ...(tagKey ? { tag_key: tagKey } : {}) };
  const field = dimension;
  // One scan of the ledger: by day and group; the totals per group are rolled up from it.
  const daily = await context.state.store.spend({ ...base, group_by: ["day", field] });
  const groups = rollUp(daily, [field]);
  const total = totalOf(groups);
  // By key: a key by its name (charts have no room for its id; the table has it), with the start of
  // its id only when two keys shown share the name. The key store is read for that view alone.
  const keys = dimension === "key" ? await keysById(context) : undefined;
  const names = keys ? keyNames(keys, groups.map((group) => group.group.key)) : undefined;
  const labelOf = (value: string | null | undefined): string =>
    // A request with no provider, deployment or model is one no deployment served (refused, or every attempt failed).
    names ? names.name(value) : value ?? (dimension === "tag" ? `(no ${tagKey} tag)` : "(not routed)");
  const idOf = (value: string | null | undefined) => value ?? "(none)";

  // The largest groups get their own colour (and a legend line); the rest share "other".
  const named = groups.filter((group) => group.cost_usd !== "0").slice(0, MAX_SERIES).map((group) => idOf(group.group[field]));
  // Whole names: the chart flows its legend onto more rows, and shortens only a name wider than a
  // row (in the middle, the whole name its tooltip).
  // Each series its own legend key: a group named "other" would otherwise share its colour and
  // legend line.
  const legendNames = new Map<string, string>();
  const taken = new Set<string>(["other"]);
  for (const group of groups) {
    const id = idOf(group.group[field]);
    if (!named.includes(id) || legendNames.has(id)) continue;
    const base = labelOf(group.group[field]);
    let name = base;
    for (let copy = 2; taken.has(name); copy += 1) name = `${base} (${copy})`;
    taken.add(name);
    legendNames.set(id, name);
  }
  const legendName = (value: string | null | undefined) => legendNames.get(idOf(value)) ?? labelOf(value);
  // Each group's colour follows its name (in the config's or the key store's order), not its rank.
  const colourOfId = coloursByName(named, knownNames(context, dimension, keys));
  // No prototype: a group named "constructor" is a name like any other.
  const colours: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, { other: OTHER_COLOUR });
  for (const group of groups) {
    const colour = colourOfId.get(idOf(group.group[field]));
    if (colour) colours[legendName(group.group[field])] = colour;
  }
  // The chart starts on the first day with requests (a new ledger has no month of empty rows), and says so.
  const firstDay = daily.reduce<string | undefined>((first, group) => (group.requests > 0 && group.group.day && (!first || group.group.day < first) ? group.group.day : first), undefined);
  const days = range.dayList.filter((day) => typeof firstDay === "string" && day >= firstDay);
  const before = range.dayList.slice(0, range.dayList.length - days.length);
  const perDay: DayAmounts[] = [];
  const bars: StackedBar[] = days.map((day) => {
    // In the order of the totals, so the legend lists the largest first.
    const ofDay = daily.filter((group) => group.group.day === day).sort((a, b) => named.indexOf(idOf(a.group[field])) - named.indexOf(idOf(b.group[field])));
    const other = new UsdSum();
    const amounts = new Map<string, string>();
    const parts = ofDay.flatMap((group) => {
      const id = idOf(group.group[field]);
      if (!named.includes(id)) {
        other.add(group.cost_usd);
        return [];
      }
      amounts.set(legendName(group.group[field]), group.cost_usd);
      return [{ key: legendName(group.group[field]), value: chartValue(group.cost_usd), text: usd(group.cost_usd) }];
    });
    if (other.attodollars > 0n) {
      parts.push({ key: "other", value: chartValue(other.toString()), text: usd(other.toString()) });
      amounts.set("other", other.toString());
    }
    const dayTotal = new UsdSum();
    for (const group of ofDay) dayTotal.add(group.cost_usd);
    perDay.push({ day, amounts, total: dayTotal.toString() });
    return { id: day, label: day, parts, note: usd(dayTotal.toString()) };
  });

  const dimensionLabel = dimension === "tag" ? `tag ${tagKey}` : dimension;
  const overTime =
    bars.length > 0
      ? stackedBarChart("spend-over-time", `Spend per day by ${dimensionLabel} (exact USD; each segment's amount is in the table below)`, bars, colours) +
        (before.length > 0
          ? `<figcaption class="note" data-first-day="${escapeHtml(firstDay ?? "")}">No requests ${before.length === 1 ? `on ${before[0]}` : `from ${before[0]} to ${before.at(-1)}`}: the chart starts on ${escapeHtml(firstDay ?? "")}, the first day of the period with any.</figcaption>`
          : "")
      : `<p class="note">No requests in this period.</p>`;
  const perGroup =
    groups.length > 0
      ? barChart(
          `spend-by-${dimension}`,
          `Spend by ${dimensionLabel}, ${rangeText(range)} (UTC)`,
          groups.slice(0, 16).map((group) => ({
            id: idOf(group.group[field]),
            label: labelOf(group.group[field]),
            value: chartValue(group.cost_usd),
            text: usd(group.cost_usd),
            colour: colours[legendName(group.group[field])] ?? OTHER_COLOUR,
            muted: false,
          })),
          // Linear: a bar's length is its amount (the amount is written beside it).
          { linear: true },
        )
      : "";
  // A bounded table: a tag that carries a request id (trace=…) would make one row per request.
  const rows = groups.slice(0, MAX_ROWS).map((group) => spendRow(idOf(group.group[field]), names ? names.cell(group.group.key) : text(labelOf(group.group[field])), group));
  const cut =
    groups.length > MAX_ROWS
      ? `<p class="note" data-rows-cut>The ${count(MAX_ROWS)} largest of ${count(groups.length)} groups; the total is of all of them. <code>switchyard spend --by ${escapeHtml(field)}${tagKey ? ` --tag-key ${escapeHtml(tagKey)}` : ""}</code> lists every one.</p>`
      : "";
  const columns = SPEND_COLUMNS.map((column) => (column.id === "group" ? { ...column, label: dimensionLabel } : column));
  const body =
    heading("Spend", lead) +
    controls +
    `<div class="cards" data-summary>` +
    card("cost", usd(total.cost_usd), total.inexact_requests > 0 ? `${count(total.inexact_requests)} request(s) priced as a lower bound` : "exact", ' data-figure="total-cost"') +
    card("requests", count(total.requests), "", ' data-figure="requests"') +
    card("errors", count(total.errors), "status ≥ 400", ' data-figure="errors"') +
    card("tokens in / out", `${count(total.input_tokens + total.cache_write_tokens + total.cache_read_tokens)} / ${count(total.output_tokens)}`, "input includes cache writes and reads") +
    `</div>` +
    `<div class="panel"><figure>${overTime}</figure></div>` +
    (perDay.length > 0
      ? dayTable(
          `spend-per-day-by-${dimension}`,
          `Spend per day by ${dimensionLabel}, as a table`,
          [...legendNames.values(), ...(perDay.some((day) => day.amounts.has("other")) ? ["other"] : [])],
          perDay,
        )
      : "") +
    (perGroup ? `<div class="panel"><figure>${perGroup}</figure></div>` : "") +
    `<div class="panel"><h2>By ${escapeHtml(dimensionLabel)}</h2>${cut}${sortableTable(`spend-by-${dimension}`, columns, rows, spendRow("total", text("total"), total))}</div>`;
  return { title: "Spend", active: "spend", body, days: range.days };
}
