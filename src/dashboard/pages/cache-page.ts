/**
 * Prompt-cache hit rates: the share of input tokens read from cache, per deployment, model, key
 * and day, with what the reads saved (priced by the engine, see cache-and-batch.ts).
 */
import type { SpendGroup } from "../../ledger/ledger.js";
import { stackedBarChart } from "../../planner/report/svg-charts.js";
import { formatUsd } from "../../pricing/money.js";
import { cacheSavings } from "../cache-and-batch.js";
import { keyNames, keysById, rangeControl, timeRange, type DashboardContext, type Query } from "../context.js";
import { count, percent, usd } from "../format.js";
import { card, heading, type PageOptions } from "../layout.js";
import { rollUp, servedByADeployment, totalOf } from "../../ledger/roll-up.js";
import { integer, money, ratio, sortableTable, text, type Cell, type Column, type Row } from "../table.js";

/** Input tokens of every kind: uncached + cache writes + cache reads (Anthropic's disjoint buckets). */
export function promptTokens(group: Pick<SpendGroup, "input_tokens" | "cache_write_tokens" | "cache_read_tokens">): number {
  return group.input_tokens + group.cache_write_tokens + group.cache_read_tokens;
}

const COLUMNS: Column[] = [
  { id: "group", label: "group" },
  { id: "requests", label: "requests", numeric: true },
  { id: "input_tokens", label: "uncached input", numeric: true },
  { id: "cache_write_tokens", label: "cache write", numeric: true },
  { id: "cache_read_tokens", label: "cache read", numeric: true },
  { id: "hit_rate", label: "hit rate", numeric: true, help: "cache read tokens / all input tokens (uncached + writes + reads)" },
];

function hitRow(id: string, label: Cell, group: Pick<SpendGroup, "requests" | "input_tokens" | "cache_write_tokens" | "cache_read_tokens">, extra: Row["cells"] = {}): Row {
  return {
    id,
    cells: {
      group: label,
      requests: integer(group.requests),
      input_tokens: integer(group.input_tokens),
      cache_write_tokens: integer(group.cache_write_tokens),
      cache_read_tokens: integer(group.cache_read_tokens),
      hit_rate: ratio(group.cache_read_tokens, promptTokens(group), `${count(group.cache_read_tokens)} of ${count(promptTokens(group))} input tokens`),
      ...extra,
    },
  };
}

const SHARE_COLOURS: Record<string, string> = { "read from cache": "#059669", "written to cache": "#f59e0b", uncached: "#cbd5e1" };

/** Each bar is all the input tokens of a group (100 %), split into cache reads, cache writes and uncached input; its note says how many tokens that is. */
function hitChart(name: string, title: string, groups: { id: string; label: string; group: SpendGroup }[]): string {
  const shown = groups.filter((entry) => promptTokens(entry.group) > 0).slice(0, 16);
  if (shown.length === 0) return `<p class="note">No input tokens in this period.</p>`;
  return stackedBarChart(
    name,
    title,
    shown.map(({ id, label, group }) => {
      const all = promptTokens(group);
      const part = (key: string, tokens: number) => ({ key, value: tokens / all, text: `${count(tokens)} tokens (${percent(tokens, all)})` });
      return {
        id,
        label,
        parts: [part("read from cache", group.cache_read_tokens), part("written to cache", group.cache_write_tokens), part("uncached", group.input_tokens)],
        note: `${percent(group.cache_read_tokens, all)} read, of ${count(all)} tokens`,
      };
    }),
    SHARE_COLOURS,
  );
}

export async function cachePage(context: DashboardContext, query: Query): Promise<PageOptions> {
  const { state } = context;
  const range = timeRange(query, state.now());
  const from = range.from;
  // One scan of the ledger, rolled up for each view. Every view counts the same requests, those a
  // deployment served, so that their totals agree: a request none served has no input tokens, but
  // counted in the by-key view alone it made that view's requests disagree with the others.
  const { served, unserved } = servedByADeployment(await state.store.spend({ from, group_by: ["day", "deployment", "model", "key"] }));
  const byDeployment = rollUp(served, ["deployment"]);
  const byModel = rollUp(served, ["model"]);
  const byKey = rollUp(served, ["key"]);
  const daily = rollUp(served, ["day", "deployment"]);
  const names = keyNames(await keysById(context), byKey.map((group) => group.group.key));
  const savings = new Map(cacheSavings(state.config.deployments, daily).map((entry) => [entry.deployment, entry]));
  const total = totalOf(served);
  const totalRow = hitRow("total", text("total"), total);
  const savedTotal = [...savings.values()].reduce((sum, entry) => sum + entry.saved, 0n);

  const deploymentRows = byDeployment.map((group) => {
    const id = group.group.deployment as string;
    const saving = savings.get(id);
    return hitRow(id, text(id), group, { saved: saving ? money(formatUsd(saving.saved)) : money("0") });
  });
  const byDay = new Map(rollUp(served, ["day"]).map((group) => [group.group.day, group]));
  const dayEntries = range.dayList.flatMap((day) => {
    const group = byDay.get(day);
    return group ? [{ id: day, label: day, group }] : [];
  });

  const body =
    heading("Cache", "How much of the input was read from the prompt cache (billed at about a tenth of the input rate), and what that saved. Hit rate = cache-read tokens ÷ all input tokens.") +
    `<div class="controls">${rangeControl("/dashboard/cache", query, range)}</div>` +
    (unserved > 0
      ? `<p class="note" data-left-out>Every view counts the ${count(total.requests)} requests a deployment served; ${count(unserved)} that none served (refused for a budget or a rate limit, an unknown model, every attempt failed) had no input tokens and are left out.</p>`
      : "") +
    `<div class="cards">` +
    card("hit rate", percent(total.cache_read_tokens, promptTokens(total)), `${count(total.cache_read_tokens)} of ${count(promptTokens(total))} input tokens`, ' data-figure="hit-rate"') +
    card("cache reads", count(total.cache_read_tokens), "tokens") +
    card("cache writes", count(total.cache_write_tokens), "tokens") +
    card("saved by reads", usd(formatUsd(savedTotal)), "reads at the input rate minus their cost", ' data-figure="saved"') +
    `</div>` +
    `<div class="panel"><figure>${hitChart(
      "hit-rate-by-deployment",
      "Share of each deployment's input tokens read from cache, written to cache, uncached (each bar is 100%)",
      byDeployment.map((group) => ({ id: group.group.deployment as string, label: group.group.deployment as string, group })),
    )}</figure>` +
    `<figure>${hitChart("hit-rate-by-day", "Share of each day's input tokens read from cache, written to cache, uncached (days with input only)", dayEntries)}</figure></div>` +
    `<div class="panel"><h2>By deployment</h2>${sortableTable("cache-by-deployment", [...COLUMNS.map((column) => (column.id === "group" ? { ...column, label: "deployment" } : column)), { id: "saved", label: "saved by reads", numeric: true }], deploymentRows, { ...totalRow, cells: { ...totalRow.cells, saved: money(formatUsd(savedTotal)) } })}</div>` +
    `<div class="panel"><h2>By model</h2>${sortableTable(
      "cache-by-model",
      COLUMNS.map((column) => (column.id === "group" ? { ...column, label: "model" } : column)),
      byModel.map((group) => hitRow(group.group.model ?? "(none)", text(group.group.model), group)),
      totalRow,
    )}</div>` +
    `<div class="panel"><h2>By key</h2>${sortableTable(
      "cache-by-key",
      COLUMNS.map((column) => (column.id === "group" ? { ...column, label: "key" } : column)),
      byKey.map((group) => hitRow(group.group.key ?? "(none)", names.cell(group.group.key), group)),
      totalRow,
    )}</div>` +
    `<div class="panel"><h2>By day</h2><p class="note">The days with requests a deployment served.</p>${sortableTable(
      "cache-by-day",
      COLUMNS.map((column) => (column.id === "group" ? { ...column, label: "day (UTC)" } : column)),
      dayEntries.map(({ id, group }) => hitRow(id, text(id), group)),
      totalRow,
    )}</div>`;
  return { title: "Cache", active: "cache", body, days: range.days };
}
