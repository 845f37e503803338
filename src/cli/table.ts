/** Plain-text tables for terminal output: numbers right-aligned, everything else left. */
export function renderTable(headers: string[], rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [format(headers), format(widths.map((width) => "-".repeat(width))), ...rows.map(format)].join("\n") + "\n";
}

export function groupDigits(value: number): string {
  return value.toLocaleString("en-US");
}
