/**
 * The planner report's series styles: a deployment's line has the same colour and dash in every
 * segment's chart, because its style follows its name, not its place in a chart's list. The
 * markers drawn over the lines have colours no line uses.
 */
import { LINE_DASHES } from "./svg-charts.js";

/** The volume chart's markers (the page's CSS draws them with these). */
export const MARKER_COLOURS = { break_even: "#dc2626", current: "#111827", horizon: "#6b7280" } as const;

/**
 * The charts' sixteen series colours, any two at least 33 apart in CIELAB (ΔE76; the first eight,
 * the original palette, are 34 apart): the last eight were picked greedily from Tailwind's shades,
 * each the farthest from those before it, from the dashboard's grey "other" and from the white
 * page. The dashboard colours its series by name from these (dashboard/series-colours.ts).
 */
export const SERIES_COLOURS = [
  "#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777", "#0891b2", "#dc2626", "#65a30d",
  "#0f172a", "#701a75", "#78350f", "#facc15", "#e879f9", "#365314", "#60a5fa", "#134e4a",
] as const;

/**
 * The volume chart's line colours: the sixteen without those a marker or a thin line on white
 * would be confused with: red (the break-even marker's), the near-black and the dark olive (today's
 * near-black marker) and yellow (barely shown). Each of the twelve is at least 25 apart (CIELAB
 * ΔE76) from every other and from every marker colour.
 */
const NOT_FOR_LINES: ReadonlySet<string> = new Set(["#dc2626", "#0f172a", "#365314", "#facc15"]);
export const SERIES_PALETTE: readonly string[] = SERIES_COLOURS.filter((colour) => !NOT_FOR_LINES.has(colour));


export interface SeriesStyle {
  colour: string;
  /** An SVG stroke-dasharray, "" for a solid line. */
  dash: string;
}

/**
 * A style for each name, in the order the names first appear in the report: slot n has colour
 * n mod 12 and dash n mod 5, so the first 60 names each have their own pair.
 */
export function seriesStyles(names: readonly string[]): Map<string, SeriesStyle> {
  const styles = new Map<string, SeriesStyle>();
  for (const name of names) {
    if (styles.has(name)) continue;
    const slot = styles.size;
    styles.set(name, { colour: SERIES_PALETTE[slot % SERIES_PALETTE.length] as string, dash: LINE_DASHES[slot % LINE_DASHES.length] as string });
  }
  return styles;
}
