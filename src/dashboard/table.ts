/**
 * Sortable tables: server-rendered rows whose cells carry the exact value to sort on in
 * `data-sort` (money as decimal text, counts as integers). The inline script in layout.ts sorts
 * numbers exactly (decimal text compared as scaled BigInts), so "$0.1" sorts above "$0.09".
 */
import { count, escapeHtml, percent, usd } from "./format.js";

export interface Column {
  /** Stable name, used as data-col on every cell (tests and scripts find cells by it). */
  id: string;
  label: string;
  numeric?: boolean;
  /** Shown as the header's title: what the column means. */
  help?: string;
}

export interface Cell {
  /** Inner HTML (already escaped). */
  html: string;
  /** Value to sort on; defaults to the cell's text. */
  sort?: string;
  title?: string;
}

export interface Row {
  /** data-row: the group's identity (provider, model, key id, ...). */
  id: string;
  cells: Record<string, Cell>;
  className?: string;
}

export const text = (value: string | null | undefined, fallback = "(none)"): Cell => ({ html: escapeHtml(value ?? fallback), sort: value ?? "" });
export const money = (value: string | null | undefined): Cell => ({ html: usd(value), sort: value ?? "" });
export const integer = (value: number | null | undefined): Cell => ({ html: value === null || value === undefined ? "–" : count(value), sort: value === null || value === undefined ? "" : String(value) });
export const ratio = (part: number, whole: number, title?: string): Cell => ({
  html: percent(part, whole),
  sort: whole === 0 ? "" : String(part / whole),
  ...(title ? { title } : {}),
});

function cellHtml(column: Column, cell: Cell | undefined, tag: "td" | "th"): string {
  const classes = column.numeric ? ' class="num"' : "";
  if (!cell) return `<${tag}${classes} data-col="${escapeHtml(column.id)}"></${tag}>`;
  const sort = cell.sort !== undefined ? ` data-sort="${escapeHtml(cell.sort)}"` : "";
  const title = cell.title ? ` title="${escapeHtml(cell.title)}"` : "";
  return `<${tag}${classes} data-col="${escapeHtml(column.id)}"${sort}${title}>${cell.html}</${tag}>`;
}

/** A table named `name` (data-table), sortable by clicking a header; `footer` (totals) never moves. */
export function sortableTable(name: string, columns: Column[], rows: Row[], footer?: Row): string {
  const head = columns
    .map(
      (column) =>
        `<th scope="col" data-col="${escapeHtml(column.id)}" data-type="${column.numeric ? "number" : "text"}"${column.numeric ? ' class="num"' : ""}` +
        `${column.help ? ` title="${escapeHtml(column.help)}"` : ""}><button type="button" class="sort">${escapeHtml(column.label)}</button></th>`,
    )
    .join("");
  const line = (row: Row, tag: "td" | "th") =>
    `<tr data-row="${escapeHtml(row.id)}"${row.className ? ` class="${escapeHtml(row.className)}"` : ""}>${columns.map((column, index) => cellHtml(column, row.cells[column.id], index === 0 ? tag : "td")).join("")}</tr>`;
  const body = rows.length > 0 ? rows.map((row) => line(row, "td")).join("") : `<tr class="empty"><td colspan="${columns.length}">No requests in this period.</td></tr>`;
  const foot = footer ? `<tfoot>${line(footer, "th")}</tfoot>` : "";
  return `<div class="table-wrap"><table class="sortable" data-table="${escapeHtml(name)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody>${foot}</table></div>`;
}
