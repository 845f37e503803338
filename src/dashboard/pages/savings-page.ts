/**
 * Shadow savings: what the same traffic would have cost on each other deployment (from the
 * ledger's shadow costs), what caching saved, and what batch would save.
 */
import { costOnEachDeployment, unpricedOnEachDeployment } from "../../ledger/deployment-costs.js";
import { UsdSum } from "../../ledger/exact-sum.js";
import { barChart, type Bar } from "../../planner/report/svg-charts.js";
import { formatUsd, moneyToDecimal } from "../../pricing/money.js";
import { batchSavings, cacheSavings, type CacheSaving } from "../cache-and-batch.js";
import { rangeControl, timeRange, type DashboardContext, type Query } from "../context.js";
import { coloursByName, knownDeployments } from "../series-colours.js";
import { chartValue, count, escapeHtml, moneyOf, usd, usdOfMoney } from "../format.js";
import { card, heading, type PageOptions } from "../layout.js";
import { rollUp, servedByADeployment } from "../../ledger/roll-up.js";
import { integer, money, sortableTable, text, type Column, type Row } from "../table.js";

const signed = (amount: bigint) => (amount > 0n ? `+${usdOfMoney(amount)}` : usdOfMoney(amount));
const signedCell = (amount: bigint) => ({ html: signed(amount), sort: formatUsd(amount) });

export const CACHE_SAVING_COLUMNS: Column[] = [
  { id: "deployment", label: "deployment" },
  { id: "read_tokens", label: "cache read tokens", numeric: true },
  { id: "read_cost", label: "reads cost", numeric: true, help: "the reads at the cache-read rate" },
  { id: "read_at_input", label: "at input rate", numeric: true, help: "the same tokens at the uncached input rate" },
  { id: "saved", label: "saved by reads", numeric: true },
  { id: "write_tokens", label: "cache write tokens", numeric: true },
  { id: "write_premium", label: "write premium", numeric: true, help: "writes at the 5-minute write rate minus the same tokens at the input rate" },
  { id: "net", label: "net saving", numeric: true },
];

export function cacheSavingRow(entry: CacheSaving): Row {
  return {
    id: entry.deployment,
    cells: {
      deployment: text(entry.deployment),
      read_tokens: integer(entry.readTokens),
      read_cost: money(formatUsd(entry.readCost)),
      read_at_input: money(formatUsd(entry.readAtInputRate)),
      saved: money(formatUsd(entry.saved)),
      write_tokens: integer(entry.writeTokens),
      write_premium: money(formatUsd(entry.writePremium)),
      net: signedCell(entry.net),
    },
  };
}

export function cacheSavingsTotal(entries: CacheSaving[]): Row {
  const sum = (pick: (entry: CacheSaving) => bigint) => entries.reduce((total, entry) => total + pick(entry), 0n);
  return cacheSavingRow({
    deployment: "total",
    readTokens: entries.reduce((total, entry) => total + entry.readTokens, 0),
    readCost: sum((entry) => entry.readCost),
    readAtInputRate: sum((entry) => entry.readAtInputRate),
    saved: sum((entry) => entry.saved),
    writeTokens: entries.reduce((total, entry) => total + entry.writeTokens, 0),
    writePremium: sum((entry) => entry.writePremium),
    net: sum((entry) => entry.net),
    unpricedDays: [],
  });
}

export async function savingsPage(context: DashboardContext, query: Query): Promise<PageOptions> {
  const { state } = context;
  const range = timeRange(query, state.now());
  const from = range.from;
  // One scan of the ledger, rolled up for each view.
  const fine = await state.store.spend({ from, group_by: ["day", "requested_model", "deployment"] });
  // Only what a deployment served: a request none answered (refused for its budget or a rate limit,
  // an unknown model, every attempt failed) has no usage, so nothing to compare. Of those, the
  // ledger's sums count the priced ones only (cost_usd, and their shadow costs: SHADOW_OF_PRICED).
  const { served, unserved: refused } = servedByADeployment(fine);
  const unpriced = served.reduce((sum, group) => sum + group.unpriced_requests, 0);
  const priced = (group: { requests: number; unpriced_requests: number }) => group.requests - group.unpriced_requests;
  const pricedTotal = served.reduce((sum, group) => sum + priced(group), 0);
  // Inexact but priced: a lower bound, counted in the sum at that bound (the unpriced are in no sum).
  const lowerBound = served.reduce((sum, group) => sum + group.inexact_requests - group.unpriced_requests, 0);
  const byModel = rollUp(served, ["requested_model"]);
  const byModelAndDeployment = rollUp(served, ["requested_model", "deployment"]);
  const daily = rollUp(served, ["day", "deployment"]);
  const onEach = costOnEachDeployment(["requested_model"], byModel, byModelAndDeployment);
  const unpricedOn = unpricedOnEachDeployment(["requested_model"], byModel, byModelAndDeployment);
  const pricedThere = new Map(byModelAndDeployment.map((group) => [JSON.stringify([group.group.requested_model, group.group.deployment]), priced(group)]));

  // A deployment has one colour in every chart (and on Spend), whatever the other bars.
  const deploymentColours = coloursByName(onEach.flatMap((costs) => Object.keys(costs)), knownDeployments(state.config));

  // The same traffic, model by model, on each deployment that offers it.
  const rows: Row[] = [];
  const charts: string[] = [];
  const actualTotal = new UsdSum();
  const cheapestTotal = new UsdSum();
  let incompleteCount = 0;
  byModel.forEach((group, index) => {
    const model = group.group.requested_model ?? "(none)";
    actualTotal.add(group.cost_usd);
    const actual = moneyOf(group.cost_usd);
    const requests = priced(group);
    const entries = Object.entries(onEach[index] ?? {}).map(([deployment, amount]) => {
      const served = pricedThere.get(JSON.stringify([group.group.requested_model, deployment])) ?? 0;
      // Requests it neither served nor has a shadow cost for: it could not price them (no price for
      // something they used), so its figure is a lower bound, not a total to compare.
      const unknown = unpricedOn[index]?.[deployment] ?? 0;
      return { deployment, amount, served, unknown, unpricedThere: `${count(unknown)} of ${count(requests)} request${requests === 1 ? "" : "s"} could not be priced there` };
    });
    const complete = entries.filter((entry) => entry.unknown === 0);
    incompleteCount += entries.length - complete.length;
    const cheapest = complete.reduce<bigint | undefined>((best, { amount }) => (best === undefined || moneyOf(amount) < best ? moneyOf(amount) : best), undefined);
    cheapestTotal.add(formatUsd(cheapest === undefined || cheapest > actual ? actual : cheapest));
    for (const { deployment, amount, served, unknown, unpricedThere } of entries) {
      rows.push({
        id: `${model}|${deployment}`,
        cells: {
          requested_model: text(model),
          deployment: text(deployment),
          served: integer(served),
          // Blank sort values stay last: an incomplete figure never ranks among the totals.
          cost: unknown > 0 ? { html: `at least ${usd(amount)}<div class="note" data-unpriced-there>${unpricedThere}</div>`, sort: "" } : money(amount),
          actual: money(group.cost_usd),
          difference: unknown > 0 ? { html: "–", sort: "", title: `not comparable: ${unpricedThere}` } : signedCell(moneyOf(amount) - actual),
        },
        ...(unknown > 0 ? { className: "incomplete" } : moneyOf(amount) === cheapest && complete.length > 1 ? { className: "cheapest" } : {}),
      });
    }
    if (entries.length >= 2 && charts.length < 6) {
      const bars: Bar[] = [
        { id: "actual", label: "as routed", value: chartValue(group.cost_usd), text: usd(group.cost_usd), colour: "#111827", muted: false },
        ...entries.map(({ deployment, amount, unknown }) => ({
          id: deployment,
          label: unknown > 0 ? `all on ${deployment} (incomplete)` : `all on ${deployment}`,
          value: chartValue(amount),
          text: unknown > 0 ? `at least ${usd(amount)}` : usd(amount),
          colour: deploymentColours.get(deployment) as string,
          muted: unknown > 0,
        })),
      ];
      const incomplete = entries
        .filter(({ unknown }) => unknown > 0)
        .map(({ deployment, amount, unpricedThere }) => `all on ${escapeHtml(deployment)}: at least ${usd(amount)}; ${unpricedThere}`);
      const caption = incomplete.length > 0 ? `<figcaption class="note" data-incomplete>Hatched, not comparable: ${incomplete.join(". ")}.</figcaption>` : "";
      charts.push(`<figure>${barChart(`shadow-${model}`, `${model} (${count(requests)} request${requests === 1 ? "" : "s"}): as routed, and all on each deployment`, bars, { linear: true })}${caption}</figure>`);
    }
  });
  const shadowColumns: Column[] = [
    { id: "requested_model", label: "requested model" },
    { id: "deployment", label: "deployment" },
    { id: "served", label: "served there", numeric: true, help: "requests this deployment served and the gateway priced" },
    { id: "cost", label: "all traffic there", numeric: true, help: "actual cost of the requests it served plus the shadow cost of the rest; 'at least' when it could not price some of them" },
    { id: "actual", label: "actual (as routed)", numeric: true },
    { id: "difference", label: "difference", numeric: true, help: "negative: that deployment would have been cheaper" },
  ];

  const caching = cacheSavings(state.config.deployments, daily);
  const batch = batchSavings(state.config.deployments, daily);
  const cachingTotal = caching.reduce((total, entry) => total + entry.net, 0n);
  const batchRows: Row[] = batch.map((entry) => ({
    id: entry.deployment,
    cells: {
      deployment: text(entry.deployment),
      cost: money(formatUsd(entry.cost)),
      multiplier: text(entry.batchCost === undefined ? "not offered" : entry.multiplier?.toString() ?? "varies by day"),
      batch_cost: entry.batchCost === undefined ? text(null, "–") : money(entry.batchCost.toString()),
      saving: entry.batchCost === undefined ? text(null, "–") : money(entry.batchCost.neg().add(moneyToDecimal(entry.cost)).toString()),
    },
  }));
  const batchColumns: Column[] = [
    { id: "deployment", label: "deployment" },
    { id: "cost", label: "actual cost", numeric: true },
    { id: "multiplier", label: "batch multiplier", numeric: true },
    { id: "batch_cost", label: "at batch prices", numeric: true },
    { id: "saving", label: "saving", numeric: true },
  ];
  const potential = moneyOf(actualTotal.toString()) - moneyOf(cheapestTotal.toString());

  const body =
    heading(
      "Savings",
      "What the same traffic would have cost elsewhere, from the shadow cost the gateway records for every request it served and priced, on every other deployment of the requested model. " +
        "A deployment's figure counts the actual cost of the requests it served and the shadow cost of the others it could have served; requests it could not serve are left out of its figure. " +
        "One that could not price some of the requests it could have served (no price for something they used) has a partial figure: it is shown as \"at least\", with how many it could not price, and is never counted as the cheapest or as a saving.",
    ) +
    `<div class="controls">${rangeControl("/dashboard/savings", query, range)}</div>` +
    leftOutNote(refused, unpriced) +
    `<div class="cards">` +
    card(
      "actual spend",
      usd(actualTotal.toString()),
      `${count(pricedTotal)} request${pricedTotal === 1 ? "" : "s"} served and priced${lowerBound > 0 ? `; ${count(lowerBound)} of them priced as a lower bound (usage the upstream did not report), so the sum is at least this` : ""}`,
      ' data-figure="actual"',
    ) +
    card(
      "each model on its cheapest deployment",
      usd(cheapestTotal.toString()),
      `${usdOfMoney(potential)} less than actual${incompleteCount > 0 ? `; of the deployments that could price every request (${count(incompleteCount)} could not)` : ""}`,
      ' data-figure="cheapest"',
    ) +
    card("caching saved (net)", usdOfMoney(cachingTotal), "reads at the input rate minus what they cost, minus the write premium", ' data-figure="caching-net"') +
    `</div>` +
    `<div class="panel"><h2>The same traffic on each deployment</h2>${charts.join("")}` +
    sortableTable("shadow-costs", shadowColumns, rows) +
    `</div>` +
    `<div class="panel"><h2>What caching saved</h2><p class="note">Cache reads priced as uncached input by the cost engine, minus what they cost as reads; ` +
    `the write premium is what cache writes cost above plain input (at the 5-minute write rate; 1-hour writes cost more). Standard-tier rates of the price block in force each day.</p>` +
    sortableTable("cache-savings", CACHE_SAVING_COLUMNS, caching.map(cacheSavingRow), caching.length > 0 ? cacheSavingsTotal(caching) : undefined) +
    unpricedNote(caching) +
    `</div>` +
    `<div class="panel"><h2>With the Batch API</h2><p class="note">For traffic that can wait up to 24 hours: every token class at the deployment's batch multiplier. ` +
    `Web-search fees are not discounted by batch, so with web search the saving is a little smaller than shown.</p>` +
    sortableTable("batch-savings", batchColumns, batchRows) +
    `</div>`;
  return { title: "Savings", active: "savings", body, days: range.days };
}

/** What the comparison leaves out, and why; nothing when it leaves out nothing. */
function leftOutNote(refused: number, unpriced: number): string {
  const parts = [
    ...(refused > 0 ? [`${count(refused)} request${refused === 1 ? "" : "s"} no deployment served (refused for a budget or a rate limit, an unknown model, or every attempt failed: no usage to compare)`] : []),
    ...(unpriced > 0 ? [`${count(unpriced)} the gateway could not price (no actual cost to compare; their rows' warnings say why)`] : []),
  ];
  return parts.length === 0 ? "" : `<p class="note" data-left-out>Left out: ${parts.join("; ")}.</p>`;
}

function unpricedNote(entries: CacheSaving[]): string {
  const missing = entries.filter((entry) => entry.unpricedDays.length > 0);
  if (missing.length === 0) return "";
  return `<p class="note">Not priced (the deployment is no longer configured, or had no price that day): ${missing
    .map((entry) => `${escapeHtml(entry.deployment)} on ${entry.unpricedDays.map(escapeHtml).join(", ")}`)
    .join("; ")}.</p>`;
}
