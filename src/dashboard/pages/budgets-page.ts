/**
 * Budgets per key: month-to-date spend (exact, from the ledger) against the monthly budget, what
 * is left, a straight-line projection to the end of the month, and a burn-down chart per key.
 */
import { monthWindow } from "../../ledger/budget-window.js";
import type { ApiKeyRecord } from "../../ledger/ledger.js";
import { lineChart, stackedBarChart, type StackedBar } from "../../planner/report/svg-charts.js";
import { formatUsd, moneyToDecimal, parseUsd } from "../../pricing/money.js";
import { burnDown, type BurnDown, type ProjectedFrom } from "../burn-down.js";
import { keyNames, type DashboardContext } from "../context.js";
import { chartValue, count, escapeHtml, isoDay, moneyOf, roundedUsd, usd, usdOfMoney } from "../format.js";
import { card, heading, type PageOptions } from "../layout.js";
import { rollUp } from "../../ledger/roll-up.js";
import { integer, money, sortableTable, text, type Cell, type Column, type Row } from "../table.js";

type Status = "ok" | "projected_over" | "exhausted" | "no_budget" | "revoked";
const STATUS_TEXT: Record<Status, [string, string]> = {
  ok: ["on track", "ok"],
  projected_over: ["projected over", "warn"],
  exhausted: ["budget spent", "bad"],
  no_budget: ["no budget", "none"],
  revoked: ["revoked", "none"],
};
/** What a status means, as its pill's tooltip (given when budgets reset). */
const STATUS_TITLE: Partial<Record<Status, (resets: string) => string>> = {
  exhausted: (resets) => `requests are refused (429) until ${resets}`,
  revoked: () => "its requests are refused (401): it cannot spend again, so it has no budget figures or projection",
};
const STATUS_COLOURS: Record<string, string> = { "on track": "#059669", "projected over": "#d97706", "budget spent": "#dc2626" };

/** Whether the key can still spend: a revoked key is shown for what it spent, with no budget figures. */
function isActive(key: ApiKeyRecord): boolean {
  return key.revoked_at === null;
}

function statusOf(key: ApiKeyRecord, burn: BurnDown): Status {
  if (!isActive(key)) return "revoked";
  if (key.monthly_budget_usd === null) return "no_budget";
  const budget = parseUsd(key.monthly_budget_usd);
  if (burn.spent >= budget) return "exhausted";
  return burn.projected.compare(moneyToDecimal(budget)) > 0 ? "projected_over" : "ok";
}

const COLUMNS: Column[] = [
  { id: "key", label: "key" },
  { id: "status", label: "status" },
  { id: "requests", label: "requests", numeric: true },
  { id: "spent", label: "spent this month", numeric: true },
  { id: "budget", label: "monthly budget", numeric: true },
  { id: "used", label: "used", numeric: true },
  { id: "remaining", label: "remaining", numeric: true },
  {
    id: "projected",
    label: "projected month (≈)",
    numeric: true,
    help: "spend so far, plus its rate so far until the month's end; the rate is measured from the month's start, or the key's creation when later, or its first spend when that came earlier (another replica's clock); over a day at least; an estimate, rounded to cents (hover for micro-dollars)",
  },
];

/** "the 1st" … "the 23rd": a day of the month. */
function dayOfMonth(at: number): string {
  const day = new Date(at).getUTCDate();
  const suffix = day % 10 === 1 && day !== 11 ? "st" : day % 10 === 2 && day !== 12 ? "nd" : day % 10 === 3 && day !== 13 ? "rd" : "th";
  return `the ${day}${suffix}`;
}

/** Where a key's rate is measured from: in words (before its day) and on the burn-down's marker; nothing from the month's start (the usual case). */
const RATE_SINCE: Record<ProjectedFrom, { words: string; marker: string } | undefined> = {
  "month start": undefined,
  "key created": { words: "from its creation on", marker: "created" },
  "first spend": { words: "from its first spend on", marker: "first spend" },
};

/** Where a key's rate is measured from, in words; undefined from the month's start. */
function rateSinceText(burn: BurnDown): string | undefined {
  const since = RATE_SINCE[burn.rateSinceWhat];
  return since && `${since.words} ${dayOfMonth(burn.rateSince)}`;
}

/** Ticks on a month's day axis: the 1st, every fifth day, and the last day. */
function dayTicks(daysInMonth: number): number[] {
  return [1, 5, 10, 15, 20, 25, daysInMonth].filter((day, index, days) => day <= daysInMonth && days.indexOf(day) === index);
}

function burnChart(key: ApiKeyRecord, name: string, burn: BurnDown, index: number): string {
  const budget = chartValue(key.monthly_budget_usd);
  // The x axis is the day of the month: day d starts at x = d (the 1st at 1), so a moment t days
  // after the month's start is at 1 + t, and the month ends at daysInMonth + 1.
  const dayAt = (elapsed: number) => 1 + elapsed;
  const now = dayAt(burn.elapsedDays);
  const monthEnd = dayAt(burn.daysInMonth);
  const spentLine = [{ x: 1, y: 0 }, ...burn.cumulative.map((amount, day) => ({ x: Math.min(dayAt(day + 1), now), y: chartValue(formatUsd(amount)) }))];
  const projected = Number(burn.projected.toFixed(6));
  const since = rateSinceText(burn);
  const marker = RATE_SINCE[burn.rateSinceWhat]?.marker;
  return lineChart(
    `burn-down-${key.id}`,
    `${name}: spend this month against its ${usd(key.monthly_budget_usd)} budget`,
    [
      { id: "spent", label: `spent so far ${usdOfMoney(burn.spent)}`, colour: "#2563eb", points: spentLine },
      {
        id: "projection",
        label: `straight-line projection ≈ ${roundedUsd(burn.projected)}${since ? ` (its rate ${since})` : ""}`,
        colour: "#9ca3af",
        points: [{ x: now, y: chartValue(formatUsd(burn.spent)) }, { x: monthEnd, y: projected }],
      },
      { id: "budget", label: `budget ${usd(key.monthly_budget_usd)}`, colour: "#dc2626", points: [{ x: 1, y: budget }, { x: monthEnd, y: budget }] },
    ],
    [
      ...(marker ? [{ x: dayAt(burn.rateSinceDays), label: marker, kind: "start" }] : []),
      { x: now, label: "now", kind: "today" },
    ],
    "day of the month (UTC)",
    `burn-${index}`,
    Math.max(budget, chartValue(formatUsd(burn.spent))) * 1.6,
    // The budget's line stays below the markers' labels at the top of the chart.
    { xFrom: 1, xTo: monthEnd, xTicks: dayTicks(burn.daysInMonth), yAtLeast: budget * 1.3 },
  );
}

function projectedCell(burn: BurnDown): Cell {
  if (burn.spent === 0n) return money("0");
  const since = rateSinceText(burn);
  return {
    html: `≈ ${roundedUsd(burn.projected)}${since ? `<div class="note" data-rate-since="${escapeHtml(burn.rateSinceWhat)}">${escapeHtml(since)}</div>` : ""}`,
    sort: burn.projected.toString(),
    // An estimate: to the micro-dollar at most, and called one (eighteen digits labelled "exact" were false precision).
    title: `a straight-line estimate, not a sum: about ${usd(burn.projected.round(6).toFixed(6))}`,
  };
}

/** Bars in the share-of-budget chart at most (a bar per key made a chart thousands of pixels tall). */
export const MAX_SHARE_BARS = 30;

export async function budgetsPage(context: DashboardContext): Promise<PageOptions> {
  const { state } = context;
  const now = state.now();
  const { from, resets_at } = monthWindow(now);
  const resetsText = `${isoDay(resets_at)} 00:00 UTC`;
  const [keys, daily] = await Promise.all([context.keys.list(), state.store.spend({ from, group_by: ["key", "day"] })]);
  const perKey = rollUp(daily, ["key"]);
  const days = new Map<string, Map<string, bigint>>();
  for (const group of daily) {
    const id = group.group.key;
    if (!id || !group.group.day) continue;
    const ofKey = days.get(id) ?? new Map<string, bigint>();
    // What counts against the budget, as the gateway counts it: an inexact cost at its upper bound.
    ofKey.set(group.group.day, moneyOf(group.charged_usd));
    days.set(id, ofKey);
  }
  const requests = new Map(perKey.map((group) => [group.group.key, group.requests]));
  // Active keys, and revoked ones that still spent this month.
  const burns = new Map(keys.map((key) => [key.id, burnDown(days.get(key.id) ?? new Map(), now, key.created_at)]));
  const spentOf = (key: ApiKeyRecord) => (burns.get(key.id) as BurnDown).spent;
  // Active keys, and revoked ones that still spent this month; the largest spenders first.
  const shown = keys.filter((key) => key.revoked_at === null || days.has(key.id)).sort((a, b) => (spentOf(a) === spentOf(b) ? (a.name < b.name ? -1 : 1) : spentOf(a) > spentOf(b) ? -1 : 1));

  const rows: Row[] = shown.map((key) => {
    const burn = burns.get(key.id) as BurnDown;
    const status = statusOf(key, burn);
    const [label, tone] = STATUS_TEXT[status];
    // A revoked key can never spend again: what it spent, and no budget, share, remainder or projection.
    const budget = isActive(key) ? key.monthly_budget_usd : null;
    const budgetMoney = budget === null ? undefined : parseUsd(budget);
    const revoked = key.revoked_at === null ? "" : ` · <span data-revoked>revoked ${escapeHtml(isoDay(key.revoked_at))}</span>`;
    return {
      id: key.id,
      cells: {
        key: { html: `${escapeHtml(key.name)}<div class="note">${escapeHtml(key.id)}${revoked}</div>`, sort: key.name },
        status: {
          html: `<span class="pill ${tone}"${STATUS_TITLE[status] ? ` title="${escapeHtml(STATUS_TITLE[status](resetsText))}"` : ""}>${escapeHtml(label)}</span>`,
          sort: status,
        },
        requests: integer(requests.get(key.id) ?? 0),
        spent: money(formatUsd(burn.spent)),
        budget: budget === null ? text(null, "–") : money(budget),
        used:
          budgetMoney === undefined || budgetMoney === 0n
            ? text(null, "–")
            : { html: `${moneyToDecimal(burn.spent * 100n).div(moneyToDecimal(budgetMoney), 1).toFixed(1)}%`, sort: moneyToDecimal(burn.spent).div(moneyToDecimal(budgetMoney), 18).toString() },
        remaining: budgetMoney === undefined ? text(null, "–") : money(formatUsd(budgetMoney - burn.spent)),
        projected: isActive(key) ? projectedCell(burn) : text(null, "–"),
      },
    };
  });
  // The live figures (the cards, the charts) are of active keys with a budget, the keys /metrics exports.
  const withBudget = shown.filter((key) => isActive(key) && key.monthly_budget_usd !== null);
  const activeShown = shown.filter(isActive).length;
  const revokedShown = shown.length - activeShown;
  // Charts name keys (active keys' names are unique; an id the key store does not know is shown as it is).
  const names = keyNames(new Map(withBudget.map((key) => [key.id, key])), withBudget.map((key) => key.id));
  // A linear scale (the bar chart would switch to a logarithmic one), capped at twice the budget.
  const share = (key: ApiKeyRecord) => moneyToDecimal(spentOf(key)).div(moneyToDecimal(parseUsd(key.monthly_budget_usd as string) || 1n), 18);
  const byShare = [...withBudget].sort((a, b) => share(b).compare(share(a)));
  // The keys nearest (or past) their budget; the table lists them all.
  const bars: StackedBar[] = byShare.slice(0, MAX_SHARE_BARS).map((key) => {
    const burn = burns.get(key.id) as BurnDown;
    const budget = parseUsd(key.monthly_budget_usd as string);
    const share = budget === 0n ? 2 : Number(moneyToDecimal(burn.spent).div(moneyToDecimal(budget), 6).toString());
    const used = budget === 0n ? "" : ` (${moneyToDecimal(burn.spent * 100n).div(moneyToDecimal(budget), 1).toFixed(1)}%)`;
    return {
      id: key.id,
      label: names.name(key.id),
      parts: [{ key: (STATUS_TEXT[statusOf(key, burn)] as [string, string])[0], value: Math.min(share, 2), text: `${usdOfMoney(burn.spent)} of ${usd(key.monthly_budget_usd)}` }],
      note: `${usdOfMoney(burn.spent)} of ${usd(key.monthly_budget_usd)}${used}`,
    };
  });
  // Burn-down charts for the keys nearest their budget.
  const charts = byShare
    .slice(0, 8)
    .map((key, index) => `<figure class="line">${burnChart(key, names.name(key.id), burns.get(key.id) as BurnDown, index)}</figure>`)
    .join("");
  const exhausted = rows.filter((row) => row.cells.status?.sort === "exhausted").length;
  const atRisk = rows.filter((row) => row.cells.status?.sort === "projected_over").length;
  const monthText = new Date(from).toISOString().slice(0, 7);
  const body =
    heading(
      "Budgets",
      `Month-to-date spend per key for ${monthText} (UTC), exact from the ledger, against each key's monthly budget, counted as the gateway counts it: a cost the upstream left a range (cache writes of unknown TTL) at its upper bound. ` +
        `A key that has spent its budget is refused (429) until ${resetsText}. The projection is a straight line at the key's rate so far, measured from the month's start, or from its creation when that is later (and said so), over at least a day. ` +
        "A revoked key that spent this month is listed for that spend alone: it cannot spend again, so it has no budget figures, projection or chart.",
    ) +
    `<div class="cards">` +
    card(
      "keys with a budget",
      count(withBudget.length),
      `of ${count(activeShown)} active${revokedShown > 0 ? `; ${count(revokedShown)} revoked ${revokedShown === 1 ? "key is" : "keys are"} listed for this month's spend` : ""}`,
      ' data-figure="with-budget"',
    ) +
    card(
      "keys out of budget",
      count(exhausted),
      exhausted === 0 ? "none is refused for its budget" : `${exhausted === 1 ? "its" : "their"} requests refused (429) until ${resetsText}`,
      ' data-figure="exhausted"',
    ) +
    card("keys projected over budget", count(atRisk), "by the month's end, at their rate so far", ' data-figure="projected-over"') +
    card("budgets reset", escapeHtml(isoDay(resets_at)), "00:00 UTC") +
    `</div>` +
    (bars.length > 0
      ? `<div class="panel"><figure>${stackedBarChart(
          "budget-used",
          `Share of the monthly budget spent (the dashed line is the budget; bars stop at twice it)${byShare.length > bars.length ? `: the ${bars.length} keys nearest theirs, of ${byShare.length}` : ""}`,
          bars,
          STATUS_COLOURS,
          undefined,
          // The axis reaches the budget at least, so that a bar's length is its share of the budget.
          { scaleMax: 1, markers: [{ x: 1, label: "budget (100%)", kind: "budget" }] },
        )}</figure></div>`
      : "") +
    `<div class="panel"><h2>Keys</h2>${sortableTable("budgets", COLUMNS, rows)}</div>` +
    (charts ? `<div class="panel"><h2>Burn-down</h2>${charts}</div>` : "");
  return { title: "Budgets", active: "budgets", body };
}
