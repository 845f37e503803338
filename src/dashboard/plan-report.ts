/**
 * The planner's report (`switchyard plan --html`, planner/report/html.ts) fitted to a dashboard
 * page: its tables scroll inside their card on a phone, as the dashboard's own do; a figure with no
 * chart in it (nothing feasible to draw) is left out rather than shown as an empty frame; advice
 * written for the command line names the form's field; and the levers table's unnamed column (a
 * lever is "applied" when the recommendation already pulls it) is named.
 */

/** What the planner tells a command-line user to do about a date with no price. */
const CLI_DATE_ADVICE = "plan for another date with --at";
/** The same advice for the form. */
export const FORM_DATE_ADVICE = "plan for another date in “prices in force on”";

/** Whether a figure holds a chart with something drawn in it: a bar, a stack or a line. */
function drawsSomething(figure: string): boolean {
  return /data-(?:bar|stack|series)="/.test(figure);
}

export function reportForPage(html: string): string {
  return html
    .replaceAll("<table>", '<div class="table-wrap"><table>')
    .replaceAll("</table>", "</table></div>")
    .replace(/<figure>[^]*?<\/figure>/g, (figure) => (drawsSomething(figure) ? figure : ""))
    .replaceAll(CLI_DATE_ADVICE, FORM_DATE_ADVICE)
    .replaceAll("<th>saving/month</th><th></th>", "<th>saving/month</th><th>in the recommendation</th>");
}
