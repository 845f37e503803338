/**
 * The planner on a workload typed into a form: the same report as `switchyard plan --html`
 * (its charts and tables), or the workload's problems with their field and line.
 */
import type { FileIssue } from "../../util/yaml-file.js";
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

export type PlannerField = keyof PlannerForm;

/** What is wrong with one field of the form, shown next to it. */
export interface FieldProblem {
  field: PlannerField;
  message: string;
}

/** Each field's problems: the form's own checks, and for the workload the planner's issues with it. */
interface Problems {
  workload: { messages: string[]; issues: FileIssue[] };
  at: string[];
}

const FIELD_NAMES: Record<PlannerField, { name: string; title: string }> = { workload: { name: "the workload", title: "The workload" }, at: { name: "the date", title: "The date" } };
const problemCount = (count: number) => (count === 1 ? "a problem" : `${count} problems`);

/** ` aria-invalid… aria-describedby…` for a field with problems, listed in the element of id `${field}-problems`. */
function invalid(field: PlannerField, count: number): string {
  return count > 0 ? ` aria-invalid="true" aria-describedby="${field}-problems"` : "";
}

/** The workload's problems: the form's own, and the planner's issues with it. */
function workloadCount(problems: Problems): number {
  return problems.workload.messages.length + problems.workload.issues.length;
}

function workloadProblems(problems: Problems, lines: string[]): string {
  const { messages, issues } = problems.workload;
  const count = workloadCount(problems);
  if (count === 0) return "";
  return (
    `<div class="error-box field-problems" id="workload-problems" data-field-problems="workload"><strong>The workload has ${problemCount(count)}:</strong>` +
    // The planner's issues come in the order of the text (WorkloadError sorts them).
    `<ul>${messages.map((message) => `<li>${escapeHtml(message)}</li>`).join("")}${issues.map((issue) => issueLine(issue, lines)).join("")}</ul></div>`
  );
}

function form(context: DashboardContext, values: PlannerForm, problems: Problems): string {
  return (
    `<form method="post" action="/dashboard/planner#result" class="panel" data-form="planner">` +
    `<label for="workload"><strong>Workload (YAML)</strong></label> <span class="note">the example is ${escapeHtml(context.exampleWorkload.name)}; every field is described in docs/PLANNER.md</span>` +
    `<textarea id="workload" name="workload" class="yaml" spellcheck="false" autocomplete="off"${invalid("workload", workloadCount(problems))}>${escapeHtml(values.workload)}</textarea>` +
    workloadProblems(problems, values.workload.split("\n")) +
    `<div class="controls"><label>prices in force on <input type="text" name="at" value="${escapeHtml(values.at)}" placeholder="YYYY-MM-DD" size="11"${invalid("at", problems.at.length)}></label>` +
    (problems.at.length > 0 ? `<span class="field-problem" id="at-problems" data-field-problems="at" role="alert">${problems.at.map(escapeHtml).join(" ")}</span>` : "") +
    `<span class="note">empty: the file's <code>at:</code>, else today</span><button type="submit" class="primary" data-action="plan">Plan</button></div></form>`
  );
}

/** Above the form: "The form has 3 problems, each shown with its field: 2 in the workload, 1 in the date." */
function summary(problems: Problems): string {
  const counts = (Object.keys(FIELD_NAMES) as PlannerField[])
    .map((field) => [field, field === "workload" ? workloadCount(problems) : problems.at.length] as const)
    .filter(([, count]) => count > 0);
  const total = counts.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return "";
  const [only] = counts;
  const text =
    counts.length === 1 && only
      ? `${FIELD_NAMES[only[0]].title} has ${problemCount(total)}, shown with it.`
      : `The form has ${total} problems, each shown with its field: ${counts.map(([field, count]) => `${count} in ${FIELD_NAMES[field].name}`).join(", ")}.`;
  return `<div class="error-box" role="alert" data-plan-error>${text}</div>`;
}

function issueLine(issue: FileIssue, lines: string[]): string {
  const where = issue.line ? `line ${issue.line}` : "the file";
  const field = issue.path ? ` · <code>${escapeHtml(issue.path)}</code>` : "";
  const text = issue.line ? lines[issue.line - 1] : undefined;
  const source = issue.line && text !== undefined && text.trim() !== "" ? `<div><code>${issue.line} | ${escapeHtml(text)}</code></div>` : "";
  return `<li data-issue-line="${issue.line ?? ""}" data-issue-path="${escapeHtml(issue.path)}"><strong>${where}</strong>${field}: ${escapeHtml(issue.message)}${source}</li>`;
}

/**
 * @param outcome the plan, or the workload's issues (a plan, or a check when other fields have problems)
 * @param fieldProblems what the form's own checks found, every field at once
 */
export function plannerPage(context: DashboardContext, values: PlannerForm | undefined, outcome: PlanOutcome | undefined, formProblems: FieldProblem[] = []): PageOptions {
  const shown = values ?? { workload: context.exampleWorkload.text, at: "" };
  // A date with no prices is the form's problem, shown with the field that set it.
  const fieldProblems = outcome?.kind === "unpriced" ? [...formProblems, unpricedProblem(outcome)] : formProblems;
  const messagesOf = (field: PlannerField) => fieldProblems.filter((problem) => problem.field === field).map((problem) => problem.message);
  const problems: Problems = { workload: { messages: messagesOf("workload"), issues: outcome?.kind === "invalid" ? outcome.issues : [] }, at: messagesOf("at") };
  let result = summary(problems);
  if (outcome?.kind === "failed") {
    result += `<div class="error-box" role="alert" data-plan-failed>The planner could not run: ${escapeHtml(outcome.message)}</div>`;
  } else if (outcome?.kind === "plan") {
    result = `<section class="panel plan-report" data-plan="${escapeHtml(outcome.name)}">${outcome.html}</section>`;
  }
  // Problems each with its field, and counted above the form; a plan below it.
  const isPlan = outcome?.kind === "plan";
  const anchored = result ? `<div id="result">${result}</div>` : "";
  const body =
    heading("Planner", "What a workload would cost on every deployment, which levers save what, and where they break even: the same report as <code>switchyard plan --html</code>. The plan runs beside the gateway, not in its request path.") +
    (isPlan ? "" : anchored) +
    form(context, shown, problems) +
    (isPlan ? anchored : "");
  return { title: "Planner", active: "planner", body };
}

/** What to do about a date on which no option of the workload has a price, said of the field that gave it. */
function unpricedProblem({ at, source, earliest }: Extract<PlanOutcome, { kind: "unpriced" }>): FieldProblem {
  const why =
    earliest !== undefined && at < earliest
      ? `the catalog's prices for them start on ${earliest}`
      : "none of the catalog's price periods for them covers that day";
  const none = (no: string) => `${no} deployment has a price for the workload's models ${source === "today" ? `today (${at})` : `on ${at}`}: ${why}`;
  if (source === "file") return { field: "workload", message: `Its at: ${at} is a day with no prices: ${none("no")}. Change at: in the workload, or give a date in “prices in force on” (that comes first).` };
  const fix = source === "form" ? "Choose another date in “prices in force on”, or leave it empty for the workload's at:, else today." : "Give a date in “prices in force on”.";
  return { field: "at", message: `${none("No")}. ${fix}` };
}

export const TOO_LARGE = `The workload is larger than ${MAX_WORKLOAD_BYTES / 1024} KB.`;

/**
 * Checks the posted form: the values, and every field's problems at once (none: the form is good).
 * A workload without a problem here may still have issues of its own: the planner finds those.
 */
export function readPlannerForm(body: unknown): { values: PlannerForm; problems: FieldProblem[]; tooLarge?: true } {
  const fields = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
  const workload = typeof fields.workload === "string" ? fields.workload.replaceAll("\r\n", "\n") : "";
  const at = typeof fields.at === "string" ? fields.at.trim() : "";
  const problems: FieldProblem[] = [];
  const tooLarge = Buffer.byteLength(workload) > MAX_WORKLOAD_BYTES;
  if (workload.trim() === "") problems.push({ field: "workload", message: "Enter a workload: the YAML described in docs/PLANNER.md (name: and segments:)." });
  if (tooLarge) problems.push({ field: "workload", message: TOO_LARGE });
  // Checked here only: a pattern on the input would have the browser refuse the form with its own
  // generic tooltip, which neither names the field nor says what to write.
  if (at !== "" && !DAY_PATTERN.test(at)) problems.push({ field: "at", message: `The date is written YYYY-MM-DD (such as 2026-01-31), or left empty; got "${at}".` });
  else if (at !== "" && !isCalendarDay(at)) problems.push({ field: "at", message: `The date ${at} is ${NOT_A_CALENDAR_DAY}.` });
  // Too large, the workload is not sent back into the form.
  return { values: { workload: tooLarge ? "" : workload, at }, problems, ...(tooLarge ? { tooLarge: true as const } : {}) };
}
