/**
 * Latency per deployment from the live health book (the sliding window the router uses), next to
 * the latency the catalog records for that offering with its source.
 */
import type { LatencyData } from "../../catalog/schema.js";
import { barChart, type Bar } from "../../planner/report/svg-charts.js";
import type { DashboardContext } from "../context.js";
import { count, escapeHtml, milliseconds, shortened } from "../format.js";
import { card, heading, type PageOptions } from "../layout.js";
import { integer, sortableTable, type Cell, type Column, type Row } from "../table.js";

/** How the shared-state status reads on the page. */
const SHARED_STATE = { off: "per replica", connected: "Redis: shared", unavailable: "Redis away: per replica" } as const;

const msCell = (value: number | undefined): Cell => ({ html: milliseconds(value), sort: value === undefined ? "" : String(value) });
const rateCell = (value: number, samples: number): Cell => ({ html: samples === 0 ? "–" : `${(value * 100).toFixed(1)}%`, sort: samples === 0 ? "" : String(value) });

const COLUMNS: Column[] = [
  { id: "deployment", label: "deployment" },
  { id: "state", label: "circuit" },
  { id: "samples", label: "samples", numeric: true, help: "attempts in the health window" },
  { id: "ttft_p50", label: "TTFT p50", numeric: true },
  { id: "ttft_p99", label: "TTFT p99", numeric: true },
  { id: "total_p50", label: "total p50", numeric: true },
  { id: "total_p99", label: "total p99", numeric: true },
  { id: "error_rate", label: "error rate", numeric: true },
  { id: "throttle_rate", label: "throttle rate", numeric: true },
  { id: "catalog_ttft", label: "catalog TTFT p50 / p99", numeric: true, help: "the catalog's measured time to first token for this offering; [n] is its source, listed under the table" },
];

const HTTP_URL = /^https?:\/\//;

/** The catalog figure's source: a link for a web page, the reference as text otherwise; conditions and total latency beneath. */
function sourceHtml(latency: LatencyData): string {
  const { url, title, verified } = latency.source;
  const name = title ?? url;
  const shortName = shortened(name, 120);
  const reference = HTTP_URL.test(url)
    ? `<a href="${escapeHtml(url)}" rel="noreferrer" title="${escapeHtml(name)}">${escapeHtml(shortName)}</a>`
    : `<span title="${escapeHtml(`${name} (${url})`)}">${escapeHtml(shortName)}</span>`;
  const total = latency.total_p50_ms !== undefined ? `total p50 ${milliseconds(latency.total_p50_ms)}, p99 ${milliseconds(latency.total_p99_ms)}. ` : "";
  const conditions = shortened(latency.conditions, 240);
  return (
    `${reference}${verified ? "" : " (not verified: a third-party figure)"}` +
    `<div class="note" title="${escapeHtml(latency.conditions)}">${escapeHtml(total + conditions)}${latency.measured_on ? ` Measured ${escapeHtml(latency.measured_on)}.` : ""}</div>`
  );
}

/** "until 04:16:06 UTC" under an open or cooling deployment. */
function until(at: number | undefined): string {
  return at === undefined ? "" : `<div class="note">until ${new Date(at).toISOString().slice(11, 19)} UTC</div>`;
}

export async function latencyPage(context: DashboardContext): Promise<PageOptions> {
  const { state } = context;
  const snapshot = state.health.snapshot();
  const windowMs = state.config.config.routing.health.window_ms;
  const rows: Row[] = [];
  const bars: Bar[] = [];
  let open = 0;
  const sources: string[] = [];
  for (const deployment of state.config.deployments.values()) {
    const health = snapshot.get(deployment.id);
    const samples = health?.samples ?? 0;
    const circuit = health?.state ?? "closed";
    if (circuit !== "closed") open += 1;
    const catalogLatency = deployment.offering.latency[0];
    let source = `<span class="note">not in the catalog</span>`;
    if (catalogLatency) {
      const described = sourceHtml(catalogLatency);
      const number = (sources.includes(described) ? sources.indexOf(described) : sources.push(described) - 1) + 1;
      source = `<a href="#source-${number}" data-source="${number}">[${number}]</a>${catalogLatency.source.verified ? "" : ' <span class="pill warn">unverified</span>'}`;
    }
    const reason = health?.unavailableReason;
    rows.push({
      id: deployment.id,
      cells: {
        deployment: { html: `${escapeHtml(deployment.id)}<div class="note">${escapeHtml(`${deployment.provider.kind}/${deployment.route} · ${deployment.model.id}`)}</div>`, sort: deployment.id },
        state: {
          html: `<span class="pill ${circuit}"${reason ? ` title="${escapeHtml(reason)}"` : ""}>${circuit.replace("_", "-")}</span>${until(health?.openUntil ?? health?.coolingUntil)}`,
          sort: circuit,
        },
        samples: integer(samples),
        ttft_p50: msCell(health?.ttftP50Ms),
        ttft_p99: msCell(health?.ttftP99Ms),
        total_p50: msCell(health?.totalP50Ms),
        total_p99: msCell(health?.totalP99Ms),
        error_rate: rateCell(health?.errorRate ?? 0, samples),
        throttle_rate: rateCell(health?.throttleRate ?? 0, samples),
        catalog_ttft: catalogLatency
          ? { html: `${milliseconds(catalogLatency.ttft_p50_ms).replace(" ms", "")} / ${milliseconds(catalogLatency.ttft_p99_ms)} ${source}`, sort: String(catalogLatency.ttft_p50_ms) }
          : { html: source, sort: "" },
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
  // The window holds nothing: every live figure is empty, which the page says rather than showing dashes alone.
  const idle = [...snapshot.values()].every((health) => health.samples === 0);
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
    card("rate limits and affinity", SHARED_STATE[state.sharedState()], "whether replicas share them", ' data-figure="shared-state"') +
    `</div>` +
    (idle
      ? `<p class="note" role="status" data-idle>No attempts in the last ${count(Math.round(windowMs / 1000))} s: the live columns are empty until requests come, and the chart shows the catalog's figures alone.</p>`
      : "") +
    (bars.length > 0
      ? `<div class="panel"><figure>${barChart("ttft-p50", idle ? "Time to first token, p50: the catalog's (grey); no live figures" : "Time to first token, p50: live (blue) against the catalog (grey)", bars, { linear: true })}</figure></div>`
      : "") +
    `<div class="panel"><h2>Per deployment</h2>${sortableTable("latency", COLUMNS, rows)}` +
    (sources.length > 0
      ? `<h3>Catalog sources</h3><ol class="sources">${sources.map((described, index) => `<li id="source-${index + 1}">${described}</li>`).join("")}</ol>`
      : "") +
    `</div>`;
  return { title: "Latency", active: "latency", body };
}
