/**
 * The planner's report (`switchyard plan --html`, planner/report/html.ts) fitted to a dashboard
 * page: its tables scroll inside their card on a phone, as the dashboard's own do.
 */
export function reportForPage(html: string): string {
  return html.replaceAll("<table>", '<div class="table-wrap"><table>').replaceAll("</table>", "</table></div>");
}
