/**
 * The planner on a workload typed into a form: the same report as `switchyard plan --html`
 * (its charts and tables), or the workload's problems with their field and line.
 */
import type { WorkloadIssue } from "../../planner/workload-file.js";
import type { DashboardContext } from "../context.js";
import { escapeHtml } from "../format.js";
import { heading, type PageOptions } from "../layout.js";
import type { PlanOutcome } from "../plan-runner.js";
import { DAY_PATTERN, isCalendarDay, NOT_A_CALENDAR_DAY } from "../../util/calendar-date.js";

export const WORKLOAD_FILE = "workload.yaml";
/** Larger than any real workload file; keeps a stray paste from tying up the planner. */
export const MAX_WORKLOAD_BYTES = 256 * 1024;

export interface PlannerForm {
  workload: string;
  at: string;
}

function form(context: DashboardContext, values: PlannerForm): string {
  return (
    `<form method="post" action="/dashboard/planner#result" class="panel" data-form="planner">` +
    `<label for="workload"><strong>Workload (YAML)</strong></label> <span class="note">the example is ${escapeHtml(context.exampleWorkload.name)}; every field is described in docs/PLANNER.md</span>` +
    `<textarea id="workload" name="workload" class="yaml" spellcheck="false" autocomplete="off">${escapeHtml(values.workload)}</textarea>` +
    `<div class="controls"><label>prices in force on <input type="text" name="at" value="${escapeHtml(values.at)}" placeholder="YYYY-MM-DD" size="11" pattern="\\d{4}-\\d{2}-\\d{2}"></label>` +
    `<span class="note">empty: the file's <code>at:</code>, else today</span><button type="submit" class="primary" data-action="plan">Plan</button></div></form>`
  );
}

function issueLine(issue: WorkloadIssue, lines: string[]): string {
  const where = issue.line ? `line ${issue.line}` : "the file";
  const field = issue.path ? ` · <code>${escapeHtml(issue.path)}</code>` : "";
  const text = issue.line ? lines[issue.line - 1] : undefined;
  const source = issue.line && text !== undefined && text.trim() !== "" ? `<div><code>${issue.line} | ${escapeHtml(text)}</code></div>` : "";
  return `<li data-issue-line="${issue.line ?? ""}" data-issue-path="${escapeHtml(issue.path)}"><strong>${where}</strong>${field}: ${escapeHtml(issue.message)}${source}</li>`;
}

export function plannerPage(context: DashboardContext, values: PlannerForm | undefined, outcome: PlanOutcome | undefined, problem?: string): PageOptions {
  const shown = values ?? { workload: context.exampleWorkload.text, at: "" };
  let result = "";
  if (problem) {
    result = `<div class="error-box" role="alert" data-plan-error>${escapeHtml(problem)}</div>`;
  } else if (outcome?.kind === "invalid") {
    const lines = shown.workload.split("\n");
    result =
      `<div class="error-box" role="alert" data-plan-error><strong>The workload has ${outcome.issues.length} problem${outcome.issues.length === 1 ? "" : "s"}:</strong>` +
      `<ul>${outcome.issues.map((issue) => issueLine(issue, lines)).join("")}</ul></div>`;
  } else if (outcome?.kind === "failed") {
    result = `<div class="error-box" role="alert" data-plan-error>The planner could not run: ${escapeHtml(outcome.message)}</div>`;
  } else if (outcome?.kind === "plan") {
    result = `<section class="panel plan-report" data-plan="${escapeHtml(outcome.name)}">${outcome.html}</section>`;
  }
  // Problems above the form (next to the text to fix); a plan below it.
  const isPlan = outcome?.kind === "plan";
  const anchored = result ? `<div id="result">${result}</div>` : "";
  const body =
    heading("Planner", "What a workload would cost on every deployment, which levers save what, and where they break even: the same report as <code>switchyard plan --html</code>. The plan runs beside the gateway, not in its request path.") +
    (isPlan ? "" : anchored) +
    form(context, shown) +
    (isPlan ? anchored : "");
  return { title: "Planner", active: "planner", body };
}

/** Checks the posted form; returns the values or what is wrong with them. */
export function readPlannerForm(body: unknown): { values: PlannerForm; problem?: string; tooLarge?: true } {
  const fields = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
  const workload = typeof fields.workload === "string" ? fields.workload.replaceAll("\r\n", "\n") : "";
  const at = typeof fields.at === "string" ? fields.at.trim() : "";
  const values = { workload, at };
  if (workload.trim() === "") return { values, problem: "Enter a workload: the YAML described in docs/PLANNER.md (name: and segments:)." };
  if (Buffer.byteLength(workload) > MAX_WORKLOAD_BYTES) return { values: { workload: "", at }, problem: `The workload is larger than ${MAX_WORKLOAD_BYTES / 1024} KB.`, tooLarge: true };
  if (at !== "" && !DAY_PATTERN.test(at)) return { values, problem: `prices in force on: expected a date as YYYY-MM-DD, got "${at}".` };
  if (at !== "" && !isCalendarDay(at)) return { values, problem: `prices in force on: ${at} is ${NOT_A_CALENDAR_DAY}.` };
  return { values };
}
