/**
 * Latency per deployment from the live health book (the sliding window the router uses), next to
 * the latency the catalog records for that offering with its source.
 */
import { barChart, type Bar } from "../../planner/report/svg-charts.js";
import type { DashboardContext } from "../context.js";
import { count, escapeHtml, milliseconds } from "../format.js";
import { card, heading, type PageOptions } from "../layout.js";
import { integer, sortableTable, text, type Cell, type Column, type Row } from "../table.js";

const msCell = (value: number | undefined): Cell => ({ html: milliseconds(value), sort: value === undefined ? "" : String(value) });
const rateCell = (value: number, samples: number): Cell => ({ html: samples === 0 ? "–" : `${(value * 100).toFixed(1)}%`, sort: samples === 0 ? "" : String(value) });

const COLUMNS: Column[] = [
  { id: "deployment", label: "deployment" },
  { id: "provider", label: "provider" },
  { id: "state", label: "circuit" },
  { id: "samples", label: "samples", numeric: true, help: "attempts in the health window" },
  { id: "ttft_p50", label: "TTFT p50", numeric: true },
  { id: "ttft_p99", label: "TTFT p99", numeric: true },
  { id: "total_p50", label: "total p50", numeric: true },
  { id: "total_p99", label: "total p99", numeric: true },
  { id: "error_rate", label: "error rate", numeric: true },
  { id: "throttle_rate", label: "throttle rate", numeric: true },
  { id: "catalog_ttft_p50", label: "catalog TTFT p50", numeric: true },
  { id: "catalog_ttft_p99", label: "catalog TTFT p99", numeric: true },
  { id: "catalog_source", label: "catalog source" },
];

export async function latencyPage(context: DashboardContext): Promise<PageOptions> {
  const { state } = context;
  const snapshot = state.health.snapshot();
  const windowMs = state.config.config.routing.health.window_ms;
  const rows: Row[] = [];
  const bars: Bar[] = [];
  let open = 0;
  for (const deployment of state.config.deployments.values()) {
    const health = snapshot.get(deployment.id);
    const samples = health?.samples ?? 0;
    const circuit = health?.state ?? "closed";
    if (circuit !== "closed") open += 1;
    const catalogLatency = deployment.offering.latency[0];
    const source = catalogLatency
      ? `<a href="${escapeHtml(catalogLatency.source.url)}" rel="noreferrer">${escapeHtml(new URL(catalogLatency.source.url).hostname)}</a>` +
        `<div class="note">${escapeHtml(catalogLatency.conditions)}${catalogLatency.measured_on ? `; measured ${escapeHtml(catalogLatency.measured_on)}` : ""}</div>`
      : `<span class="note">none in the catalog</span>`;
    const reason = health?.unavailableReason;
    rows.push({
      id: deployment.id,
      cells: {
        deployment: text(deployment.id),
        provider: text(`${deployment.provider.kind}/${deployment.route}`),
        state: {
          html: `<span class="pill ${circuit}">${circuit.replace("_", "-")}</span>${reason ? `<div class="note">${escapeHtml(reason)}</div>` : ""}`,
          sort: circuit,
        },
        samples: integer(samples),
        ttft_p50: msCell(health?.ttftP50Ms),
        ttft_p99: msCell(health?.ttftP99Ms),
        total_p50: msCell(health?.totalP50Ms),
        total_p99: msCell(health?.totalP99Ms),
        error_rate: rateCell(health?.errorRate ?? 0, samples),
        throttle_rate: rateCell(health?.throttleRate ?? 0, samples),
        catalog_ttft_p50: msCell(catalogLatency?.ttft_p50_ms),
        catalog_ttft_p99: msCell(catalogLatency?.ttft_p99_ms),
        catalog_source: { html: source, sort: catalogLatency?.source.url ?? "" },
      },
    });
    if (health?.ttftP50Ms !== undefined) {
      bars.push({ id: `${deployment.id}-live`, label: `${deployment.id} · live`, value: health.ttftP50Ms, text: `${milliseconds(health.ttftP50Ms)} (p99 ${milliseconds(health.ttftP99Ms)})`, colour: "#2563eb", muted: false });
    }
    if (catalogLatency) {
      bars.push({
        id: `${deployment.id}-catalog`,
        label: `${deployment.id} · catalog`,
        value: catalogLatency.ttft_p50_ms,
        text: `${milliseconds(catalogLatency.ttft_p50_ms)} (p99 ${milliseconds(catalogLatency.ttft_p99_ms)})`,
        colour: "#9ca3af",
        muted: false,
      });
    }
  }
  const body =
    heading(
      "Latency",
      `Live figures from the router's health book: the last ${count(Math.round(windowMs / 1000))} s of attempts (successful ones for the percentiles), since this gateway started. ` +
        "Beside them, the latency the catalog records for the same offering, with its source and conditions.",
    ) +
    `<div class="cards">` +
    card("deployments", count(state.config.deployments.size)) +
    card("circuits not closed", count(open), open > 0 ? "open or half-open" : "all closed", ' data-figure="circuits-not-closed"') +
    card("affinity entries", count(state.affinity.size), "prompt-cache holders remembered") +
    `</div>` +
    (bars.length > 0 ? `<div class="panel"><figure>${barChart("ttft-p50", "Time to first token, p50: live (blue) against the catalog (grey)", bars)}</figure></div>` : "") +
    `<div class="panel"><h2>Per deployment</h2>${sortableTable("latency", COLUMNS, rows)}</div>`;
  return { title: "Latency", active: "latency", body };
}
