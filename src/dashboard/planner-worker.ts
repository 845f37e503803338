/**
 * Runs the planner off the gateway's event loop: a plan takes from a few hundred milliseconds to
 * seconds of CPU, and the gateway must keep streaming meanwhile. Loads the catalog once (the same
 * files as the gateway), then answers one workload at a time with the report `switchyard plan
 * --html` writes, or the workload's issues (file, field, line); or only checks a workload for them.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Catalog } from "../catalog/catalog.js";
import { formatIssue, loadCatalogChecked } from "../catalog/files.js";
import { plan } from "../planner/plan.js";
import { renderHtml } from "../planner/report/html.js";
import { volumeCurves } from "../planner/volume-curves.js";
import { WorkloadError } from "../planner/workload-file.js";
import { loadWorkload } from "../planner/workload-models.js";
import type { PlanReply, PlanRequest, PlannerWorkerData } from "./plan-runner.js";

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

function answer(request: PlanRequest): PlanReply {
  const loaded = loadOnce();
  if (!loaded) return { id: request.id, kind: "failed", message: catalogError ?? "the catalog did not load" };
  try {
    const resolved = loadWorkload(request.text, request.file, loaded);
    if (request.mode === "check") return { id: request.id, kind: "valid" };
    // As `switchyard plan`: the date asked for, else the file's at:, else today.
    const planned = plan(loaded, resolved, { at: request.at ?? resolved.workload.at ?? new Date().toISOString().slice(0, 10) });
    return { id: request.id, kind: "plan", name: planned.workload.name, html: reportBody(renderHtml(planned, volumeCurves(loaded, resolved, planned))) };
  } catch (error) {
    if (error instanceof WorkloadError) return { id: request.id, kind: "invalid", issues: error.issues };
    return { id: request.id, kind: "failed", message: error instanceof Error ? error.message : String(error) };
  }
}

parentPort?.on("message", (request: PlanRequest) => parentPort?.postMessage(answer(request)));
// Load while the person is still typing (the page warms the worker when it opens).
loadOnce();
