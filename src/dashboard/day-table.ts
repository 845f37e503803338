/**
 * A chart's per-day amounts as a table: a stacked bar's segments carry their amounts only as hover
 * text, which a keyboard, a touch screen or a screen reader cannot reach. Collapsed under the chart.
 */
import { UsdSum } from "../ledger/exact-sum.js";
import { escapeHtml } from "./format.js";
import { money, sortableTable, text, type Column, type Row } from "./table.js";

export interface DayAmounts {
  day: string;
  /** Exact USD text per series (absent: nothing that day). */
  amounts: Map<string, string>;
  total: string;
}

/** Rows of days, a column per series (in the legend's order) and the day's total, with a totals row. */
export function dayTable(name: string, summary: string, series: string[], days: DayAmounts[]): string {
  const columns: Column[] = [
    { id: "day", label: "day (UTC)" },
    ...series.map((label, index) => ({ id: `series-${index}`, label, numeric: true })),
    { id: "total", label: "total", numeric: true },
  ];
  const sums = series.map(() => new UsdSum());
  const total = new UsdSum();
  const rows: Row[] = days.map(({ day, amounts, total: dayTotal }) => {
    total.add(dayTotal);
    const cells: Row["cells"] = { day: text(day), total: money(dayTotal) };
    series.forEach((label, index) => {
      const amount = amounts.get(label) ?? "0";
      sums[index]?.add(amount);
      cells[`series-${index}`] = money(amount);
    });
    return { id: day, cells };
  });
  const footer: Row = { id: "total", cells: { day: text("total"), total: money(total.toString()) } };
  series.forEach((_, index) => (footer.cells[`series-${index}`] = money(sums[index]?.toString())));
  return `<details class="panel" data-day-table="${escapeHtml(name)}"><summary>${escapeHtml(summary)}</summary>${sortableTable(name, columns, rows, footer)}</details>`;
}
