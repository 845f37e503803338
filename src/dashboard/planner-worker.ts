/**
 * Runs the planner off the gateway's event loop: a plan takes from a few hundred milliseconds to
 * seconds of CPU, and the gateway must keep streaming meanwhile. Loads the catalog once (the same
 * files as the gateway), then answers one workload at a time with the report `switchyard plan
 * --html` writes, or the workload's issues (file, field, line); or only checks a workload for them.
 */
import { parentPort, workerData } from "node:worker_threads";
import { CatalogLookupError, type Catalog } from "../catalog/catalog.js";
import type { Offering } from "../catalog/model.js";
import { formatIssue, loadCatalogChecked } from "../catalog/files.js";
import { plan, type Plan } from "../planner/plan.js";
import { renderHtml } from "../planner/report/html.js";
import { volumeCurves } from "../planner/volume-curves.js";
import { WorkloadError } from "../planner/workload-file.js";
import { loadWorkload } from "../planner/workload-models.js";
import type { PlanDateSource, PlanReply, PlanRequest, PlannerWorkerData } from "./plan-runner.js";

const { extraFiles } = workerData as PlannerWorkerData;
let catalog: Catalog | undefined;
let catalogError: string | undefined;

function loadOnce(): Catalog | undefined {
  if (catalog || catalogError) return catalog;
  const loaded = loadCatalogChecked({ extraFiles });
  if (loaded.catalog) catalog = loaded.catalog;
  else catalogError = `the catalog did not load: ${loaded.issues.map(formatIssue).join("; ")}`;
  return catalog;
}

/** The report's content without its own page shell (the dashboard supplies one). */
function reportBody(page: string): string {
  const start = page.indexOf("<main>");
  const end = page.lastIndexOf("</main>");
  return start >= 0 && end > start ? page.slice(start + "<main>".length, end) : page;
}

/**
 * When not one option of the plan has a price on its date (every one is a catalog offering with no
 * price block in force that day), the date is what to change: the report would be a table of the
 * same reason. The earliest day the catalog prices any of them, to say what to write instead.
 */
function unpricedOn(loaded: Catalog, planned: Plan): { earliest: string | undefined } | undefined {
  const options = planned.segments.flatMap((segment) => segment.options);
  const offerings = options.flatMap((option) => (option.offering ? [option.offering] : []));
  if (options.length === 0 || offerings.length < options.length) return undefined;
  if (options.some((option) => option.monthly !== undefined) || offerings.some((offering) => hasPriceOn(loaded, offering, planned.at))) return undefined;
  const starts = offerings.flatMap((offering) => offering.prices.map((block) => block.from)).sort();
  return { earliest: starts[0] };
}

function hasPriceOn(loaded: Catalog, offering: Offering, at: string): boolean {
  try {
    loaded.priceOn(offering, at);
    return true;
  } catch (error) {
    if (error instanceof CatalogLookupError) return false;
    throw error;
  }
}

function answer(request: PlanRequest): PlanReply {
  const loaded = loadOnce();
  if (!loaded) return { id: request.id, kind: "failed", message: catalogError ?? "the catalog did not load" };
  try {
    const resolved = loadWorkload(request.text, request.file, loaded);
    if (request.mode === "check") return { id: request.id, kind: "valid" };
    // As `switchyard plan`: the date asked for, else the file's at:, else today.
    const source: PlanDateSource = request.at !== undefined ? "form" : resolved.workload.at !== undefined ? "file" : "today";
    const planned = plan(loaded, resolved, { at: request.at ?? resolved.workload.at ?? new Date().toISOString().slice(0, 10) });
    const unpriced = unpricedOn(loaded, planned);
    if (unpriced) return { id: request.id, kind: "unpriced", at: planned.at, source, ...unpriced };
    return { id: request.id, kind: "plan", name: planned.workload.name, html: reportBody(renderHtml(planned, volumeCurves(loaded, resolved, planned))) };
  } catch (error) {
    if (error instanceof WorkloadError) return { id: request.id, kind: "invalid", issues: error.issues };
    return { id: request.id, kind: "failed", message: error instanceof Error ? error.message : String(error) };
  }
}

parentPort?.on("message", (request: PlanRequest) => parentPort?.postMessage(answer(request)));
// Load while the person is still typing (the page warms the worker when it opens).
loadOnce();
