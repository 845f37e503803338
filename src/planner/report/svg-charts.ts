/**
 * Three small SVG charts drawn by hand (no chart library, no CDN): horizontal bars, stacked
 * horizontal bars and lines against a numeric x axis. Money becomes a JavaScript number here
 * for geometry only; every figure printed beside a bar is the exact amount rounded for display.
 */
export interface Bar {
  id: string;
  label: string;
  value: number;
  text: string;
  colour: string;
  muted: boolean;
}

export interface StackedBar {
  id: string;
  label: string;
  parts: { key: string; value: number; text: string }[];
  note: string;
}

/** Stroke-dasharrays ("" = solid): deployments with the same prices draw the same line, and a dash keeps each visible. */
export const LINE_DASHES: readonly string[] = ["", "8 4", "3 3", "12 4 3 4", "1 4"];

export interface Line {
  id: string;
  label: string;
  colour: string;
  /** Its stroke-dasharray ("" = solid); by default, one by its place in the list. */
  dash?: string;
  points: { x: number; y: number | undefined }[];
}

export interface Marker {
  x: number;
  label: string;
  kind: string;
}

export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

const WIDTH = 900;
/** The label column of bar charts: this wide at least, wider (up to the most) for longer labels. */
const LABEL_WIDTH = 320;
const MOST_LABEL_WIDTH = 440;
const ROW = 26;

/**
 * How wide `text` is at 12 px, in px, erring wide: per-character widths of DejaVu Sans (Debian's
 * default sans-serif, wider than most), so that a label measured here fits in any browser's font.
 * Layout only: the server cannot measure the font the browser will use.
 */
export function textWidth(text: string): number {
  let width = 0;
  for (const character of text) {
    if ("ijl.,:;'|!I ".includes(character)) width += 3.9;
    else if ("frt()[]{}/-".includes(character)) width += 4.9;
    else if ("mwMW".includes(character)) width += 11.9;
    else if (character >= "A" && character <= "Z") width += 9;
    else width += 7.7;
  }
  return width;
}

/**
 * `text` shortened in the middle to fit `width` px ("payments-recon…nightly-retry": names that
 * differ at the end stay apart), or whole when it fits.
 */
export function fitText(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  const characters = [...text];
  // No character is narrower than 3.9 px: more than width / 3.9 of them cannot fit.
  let keep = Math.min(characters.length - 1, Math.floor(width / 3.9));
  while (keep > 1) {
    const head = characters.slice(0, Math.ceil(keep / 2)).join("");
    const tail = characters.slice(characters.length - Math.floor(keep / 2)).join("");
    const candidate = `${head}…${tail}`;
    if (textWidth(candidate) <= width) return candidate;
    keep -= 1;
  }
  return "…";
}

/** A <text> showing `shown`; when that is `whole` shortened, the whole is its tooltip (a <title>). */
function textWithTooltip(shown: string, whole: string, attributes: string): string {
  return `<text ${attributes}>${escapeHtml(shown)}${shown === whole ? "" : `<title>${escapeHtml(whole)}</title>`}</text>`;
}

/** A <text> shortened to `width` px; when it was, the whole text is its tooltip. */
function fittedText(text: string, width: number, attributes: string): string {
  return textWithTooltip(fitText(text, width), text, attributes);
}

/** The label column's width for these labels: LABEL_WIDTH, or more for long ones, up to MOST_LABEL_WIDTH. */
function labelColumn(labels: string[]): number {
  const widest = Math.max(0, ...labels.map(textWidth));
  return Math.min(MOST_LABEL_WIDTH, Math.max(LABEL_WIDTH, Math.ceil(widest) + 16));
}

/** Where a legend entry goes (its swatch at x, on that row) and what it reads. */
interface LegendPlace {
  x: number;
  row: number;
  /** The label, shortened in the middle when wider than a whole row. */
  shown: string;
  /** The whole label (the tooltip when `shown` is shortened). */
  label: string;
}

/**
 * Legend entries flowed left to right from `left`, onto a new row when the next one would run past
 * `right` (on the first row, `firstRowRight`: room for what shares that row): none overlaps another
 * or leaves the chart. `swatch` is the marker's width before the text. An entry wider than a whole
 * row is shortened in the middle (it starts a row), with its full name as a tooltip.
 */
function legendLayout(labels: string[], left: number, right: number, swatch: number, firstRowRight = right): { rows: number; place: LegendPlace[] } {
  const gap = 24;
  const place: LegendPlace[] = [];
  let x = left;
  let row = 0;
  for (const label of labels) {
    const shown = fitText(label, right - left - swatch);
    const width = swatch + textWidth(shown);
    if (x > left && x + width > (row === 0 ? firstRowRight : right)) {
      row += 1;
      x = left;
    }
    place.push({ x, row, shown, label });
    x += width + gap;
  }
  return { rows: place.length === 0 ? 0 : row + 1, place };
}

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw || 1));
  const steps = [1, 2, 2.5, 5, 10];
  return (steps.find((step) => step * magnitude >= raw) ?? 10) * magnitude;
}

export function compactNumber(value: number, prefix = ""): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e9) return `${prefix}${(value / 1e9).toFixed(magnitude >= 1e10 ? 0 : 1)}B`;
  if (magnitude >= 1e6) return `${prefix}${(value / 1e6).toFixed(magnitude >= 1e7 ? 0 : 1)}M`;
  if (magnitude >= 1e3) return `${prefix}${(value / 1e3).toFixed(magnitude >= 1e4 ? 0 : 1)}k`;
  if (magnitude >= 1 || magnitude === 0) return `${prefix}${Number.isInteger(value) || magnitude >= 100 ? value.toFixed(0) : value.toFixed(1)}`;
  return `${prefix}${value.toPrecision(2)}`;
}

/** The text of the tick at 10^power: "$0.01", "$1", "$100", "$10k", "$1M". */
export function powerOfTenText(power: number, prefix = ""): string {
  if (power < 0) return `${prefix}${(10 ** power).toFixed(-power)}`;
  const suffixes = ["", "k", "M", "B", "T"];
  const group = Math.min(Math.floor(power / 3), suffixes.length - 1);
  return `${prefix}${10 ** (power - group * 3)}${suffixes[group]}`;
}

/** Options of a bar chart. */
export interface BarChartOptions {
  /** Never a logarithmic axis (a bar's length is its amount). */
  linear?: boolean;
  /** What the values are, under a logarithmic axis ("monthly cost"), and the ticks' prefix ("$"). */
  unit?: string;
  tickPrefix?: string;
}

/**
 * Horizontal bars; a logarithmic axis when the largest bar is over 50x the smallest, unless `linear`.
 * A linear chart draws no axis: each bar's amount is written beside it and its length is that
 * amount. A logarithmic one has an axis below the bars with a gridline and a tick at each power of
 * ten (its lowest at or under the smallest bar, its highest at or over the largest), so a bar's
 * length can be read off it: without one a reader cannot tell what length means.
 */
export function barChart(name: string, title: string, bars: Bar[], options: BarChartOptions = {}): string {
  const positive = bars.filter((bar) => bar.value > 0);
  const max = Math.max(...positive.map((bar) => bar.value), 1e-9);
  const min = Math.min(...positive.map((bar) => bar.value), max);
  const log = !options.linear && max / min > 50;
  const labelWidth = labelColumn(bars.map((bar) => bar.label));
  const plotWidth = WIDTH - labelWidth - 150;
  // Whole decades: the axis starts at the power of ten at or under the smallest bar and ends at the one at or over the largest.
  const lowPower = Math.floor(Math.log10(min) + 1e-9);
  const highPower = Math.max(lowPower + 1, Math.ceil(Math.log10(max) - 1e-9));
  const logX = (value: number) => ((Math.log10(value) - lowPower) / (highPower - lowPower)) * plotWidth;
  const scale = (value: number) => {
    if (value <= 0) return 0;
    if (!log) return (value / max) * plotWidth;
    return Math.max(0, logX(value));
  };
  const rowsBottom = 34 + bars.length * ROW;
  const height = rowsBottom + 22 + (log ? 34 : 0);
  let axis = "";
  if (log) {
    // A label at every power of ten while they are 48 px apart or more, else at every second (third...).
    const decades = highPower - lowPower;
    const every = Math.max(1, Math.ceil((decades * 48) / plotWidth));
    for (let power = lowPower; power <= highPower; power += 1) {
      const x = (labelWidth + logX(10 ** power)).toFixed(1);
      const labelled = (power - lowPower) % every === 0;
      axis +=
        `<g data-tick="${power}"><line x1="${x}" y1="30" x2="${x}" y2="${rowsBottom + (labelled ? 4 : 0)}" class="grid"/>` +
        (labelled ? `<text x="${x}" y="${rowsBottom + 16}" text-anchor="middle" class="tick">${powerOfTenText(power, options.tickPrefix ?? "")}</text>` : "") +
        "</g>";
    }
    axis +=
      `<line x1="${labelWidth}" y1="${rowsBottom}" x2="${labelWidth + plotWidth}" y2="${rowsBottom}" class="axis" stroke="#9ca3af"/>` +
      `<text x="${labelWidth + plotWidth}" y="${rowsBottom + 32}" text-anchor="end" class="tick" data-axis-label>${escapeHtml(`${options.unit ?? "value"}, logarithmic scale: each gridline is 10x the one before`)}</text>`;
  }
  const rows = bars
    .map((bar, index) => {
      const y = 34 + index * ROW;
      const width = Math.max(2, scale(bar.value));
      return (
        `<g data-bar="${escapeHtml(bar.id)}" data-usd="${escapeHtml(bar.text)}">` +
        fittedText(bar.label, labelWidth - 12, `x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" class="label${bar.muted ? " muted" : ""}"`) +
        `<rect x="${labelWidth}" y="${y + 3}" width="${width.toFixed(1)}" height="${ROW - 8}" fill="${bar.muted ? "url(#hatch)" : bar.colour}" rx="2"/>` +
        `<text x="${(labelWidth + width + 6).toFixed(1)}" y="${y + 15}" class="value${bar.muted ? " muted" : ""}">${escapeHtml(bar.text)}</text></g>`
      );
    })
    .join("");
  return (
    `<svg data-chart="${escapeHtml(name)}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}">` +
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e5e7eb"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9ca3af" stroke-width="3"/></pattern></defs>` +
    `<text x="0" y="18" class="chart-title">${escapeHtml(title)}${log ? " (logarithmic scale)" : ""}</text>${axis}${rows}</svg>`
  );
}

/** The column after the bars for their notes: 230 px, or wider for long notes while the bars keep 200 px. */
function noteColumn(notes: string[], labelWidth: number): number {
  const widest = Math.max(0, ...notes.map(textWidth));
  return Math.min(WIDTH - labelWidth - 200, Math.max(230, Math.ceil(widest) + 16));
}

/** Options of a stacked bar chart. */
export interface StackedBarOptions {
  /** The axis reaches at least this value (a share of a budget: at least the whole budget). */
  scaleMax?: number;
  /** Vertical lines behind the bars at these values (`x`), labelled above them: the budget's 100 %. */
  markers?: Marker[];
}

/**
 * @param legendText what the legend says for a part's key: the key as it is unless told otherwise
 *   (a group's name must read exactly as it is: "team_a", not "team a")
 */
export function stackedBarChart(
  name: string,
  title: string,
  bars: StackedBar[],
  colours: Record<string, string>,
  legendText: (key: string) => string = (key) => key,
  options: StackedBarOptions = {},
): string {
  const totals = bars.map((bar) => bar.parts.reduce((sum, part) => sum + Math.max(0, part.value), 0));
  const max = Math.max(...totals, options.scaleMax ?? 0, 1e-9);
  const labelWidth = labelColumn(bars.map((bar) => bar.label));
  const plotWidth = WIDTH - labelWidth - noteColumn(bars.map((bar) => bar.note), labelWidth);
  const keys = [...new Set(bars.flatMap((bar) => bar.parts.map((part) => part.key)))];
  const swatch = 18;
  const legendPlaces = legendLayout(keys.map(legendText), 0, WIDTH, swatch);
  const markers = options.markers ?? [];
  // A marker's label has a row of its own between the legend and the bars.
  const top = 30 + legendPlaces.rows * 20 + (markers.length > 0 ? 16 : 0);
  const height = top + bars.length * ROW + 16;
  const legend = keys
    .map((key, index) => {
      const { x, row, shown, label } = legendPlaces.place[index] as LegendPlace;
      const y = 30 + row * 20;
      return `<g data-legend="${escapeHtml(key)}"><rect x="${x}" y="${y}" width="12" height="12" fill="${colours[key] ?? "#6b7280"}"/>${textWithTooltip(shown, label, `x="${x + swatch}" y="${y + 11}" class="legend"`)}</g>`;
    })
    .join("");
  const rows = bars
    .map((bar, index) => {
      const y = top + index * ROW;
      let x = labelWidth;
      const segments = bar.parts
        .filter((part) => part.value > 0)
        .map((part) => {
          const width = (part.value / max) * plotWidth;
          const rect = `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${Math.max(0.5, width).toFixed(1)}" height="${ROW - 8}" fill="${colours[part.key] ?? "#6b7280"}" data-class="${escapeHtml(part.key)}"><title>${escapeHtml(`${part.key}: ${part.text}`)}</title></rect>`;
          x += width;
          return rect;
        })
        .join("");
      return (
        `<g data-stack="${escapeHtml(bar.id)}">${fittedText(bar.label, labelWidth - 12, `x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" class="label"`)}${segments}` +
        `<text x="${(x + 6).toFixed(1)}" y="${y + 15}" class="value">${escapeHtml(bar.note)}</text></g>`
      );
    })
    .join("");
  const markerMarks = markers
    .map((marker) => {
      const x = (labelWidth + (marker.x / max) * plotWidth).toFixed(1);
      return (
        `<g data-marker="${escapeHtml(marker.kind)}" data-value="${marker.x}"><line x1="${x}" y1="${top - 2}" x2="${x}" y2="${top + bars.length * ROW}" class="marker ${escapeHtml(marker.kind)}"/>` +
        `<text x="${x}" y="${top - 5}" text-anchor="middle" class="marker-label">${escapeHtml(marker.label)}</text></g>`
      );
    })
    .join("");
  return `<svg data-chart="${escapeHtml(name)}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}"><text x="0" y="18" class="chart-title">${escapeHtml(title)}</text>${legend}${markerMarks}${rows}</svg>`;
}

/** A y tick: as many decimal places as the step between ticks has, the same for every tick ("$0.0005", "$0.0010"). */
function tickText(value: number, step: number, prefix: string): string {
  if (step >= 1 || value === 0) return compactNumber(value, prefix);
  let places = 0;
  while (places < 12 && Math.abs(step * 10 ** places - Math.round(step * 10 ** places)) > 1e-9) places += 1;
  return `${prefix}${value.toFixed(places)}`;
}

/** A line chart's axes, where they differ from the defaults. */
export interface LineAxes {
  /** Where the x axis starts and ends (default: 0 and the largest x). */
  xFrom?: number;
  xTo?: number;
  /** The x axis's ticks (default: round steps from xFrom). */
  xTicks?: number[];
  /** The y axis reaches at least this: room above a line near the top for the markers' labels. */
  yAtLeast?: number;
}

/**
 * Lines against a numeric x axis. `yCap` bounds the y axis so that one very expensive series
 * (a provisioned-throughput commitment far above on-demand) does not flatten the others; lines
 * above it are clipped and their legend says so. `uid` keeps the clip path unique on the page.
 */
export function lineChart(name: string, title: string, lines: Line[], markers: Marker[], xLabel: string, uid: string, yCap?: number, axes: LineAxes = {}): string {
  const left = 70;
  const right = 20;
  const top = 34;
  const plotHeight = 280;
  const plotWidth = WIDTH - left - right;
  const xs = lines.flatMap((line) => line.points.map((point) => point.x));
  const ys = lines.flatMap((line) => line.points.flatMap((point) => (point.y === undefined ? [] : [point.y])));
  const xMin = axes.xFrom ?? 0;
  const xMax = axes.xTo ?? Math.max(...xs, ...markers.map((marker) => marker.x), xMin + 1);
  // A cap of 0 (a $0 budget's chart) would leave no axis at all: it is no cap.
  const yMax = Math.max(Math.min(Math.max(...ys, 1e-9), yCap !== undefined && yCap > 0 ? yCap : Number.POSITIVE_INFINITY) * 1.08, axes.yAtLeast ?? 0);
  const legendTexts = lines.map((line) => {
    const lowest = Math.min(...line.points.flatMap((point) => (point.y === undefined ? [] : [point.y])));
    return lowest > yMax ? `${line.label} (above the chart: from ${compactNumber(lowest, "$")})` : line.label;
  });
  const swatch = 28;
  // The first row shares its line with the x axis's label, at the right.
  const legendPlaces = legendLayout(legendTexts, left, WIDTH - right, swatch, WIDTH - right - textWidth(xLabel) - 16);
  const height = top + plotHeight + 46 + legendPlaces.rows * 20;
  const xAt = (x: number) => left + ((x - xMin) / (xMax - xMin)) * plotWidth;
  const yAt = (y: number) => top + plotHeight - (y / yMax) * plotHeight;
  const xStep = niceStep(xMax - xMin, 6);
  const yStep = niceStep(yMax, 5);
  const xTicks = axes.xTicks ?? Array.from({ length: Math.floor((xMax - xMin) / xStep + 1e-9) + 1 }, (_, index) => xMin + index * xStep);
  let grid = "";
  for (const x of xTicks) {
    grid += `<line x1="${xAt(x).toFixed(1)}" y1="${top}" x2="${xAt(x).toFixed(1)}" y2="${top + plotHeight}" class="grid"/><text x="${xAt(x).toFixed(1)}" y="${top + plotHeight + 16}" text-anchor="middle" class="tick">${compactNumber(x)}</text>`;
  }
  for (let y = 0; y <= yMax + 1e-9; y += yStep) {
    grid += `<line x1="${left}" y1="${yAt(y).toFixed(1)}" x2="${left + plotWidth}" y2="${yAt(y).toFixed(1)}" class="grid"/><text x="${left - 6}" y="${(yAt(y) + 4).toFixed(1)}" text-anchor="end" class="tick">${tickText(y, yStep, "$")}</text>`;
  }
  const dashOf = (index: number) => {
    const pattern = lines[index]?.dash ?? LINE_DASHES[index % LINE_DASHES.length] ?? "";
    return pattern ? ` stroke-dasharray="${pattern}"` : "";
  };
  const paths = lines
    .map((line, index) => {
      const drawn = line.points.filter((point) => point.y !== undefined);
      const d = drawn.map((point, index) => `${index === 0 ? "M" : "L"}${xAt(point.x).toFixed(1)},${yAt(point.y as number).toFixed(1)}`).join(" ");
      return `<path data-series="${escapeHtml(line.id)}" d="${d}" fill="none" stroke="${line.colour}" stroke-width="2.2"${dashOf(index)} clip-path="url(#clip-${uid})"/>`;
    })
    .join("");
  const markerMarks = markers
    .map((marker, index) => {
      const x = xAt(marker.x).toFixed(1);
      const labelY = top + 12 + (index % 4) * 13;
      return (
        `<g data-marker="${escapeHtml(marker.kind)}" data-requests="${marker.x}"><line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotHeight}" class="marker ${escapeHtml(marker.kind)}"/>` +
        // Labels near the right edge go on the left of their line so that they stay inside the chart.
        (xAt(marker.x) > left + plotWidth * 0.7
          ? `<text x="${(Number(x) - 4).toFixed(1)}" y="${labelY}" text-anchor="end" class="marker-label">${escapeHtml(marker.label)}</text></g>`
          : `<text x="${(Number(x) + 4).toFixed(1)}" y="${labelY}" class="marker-label">${escapeHtml(marker.label)}</text></g>`)
      );
    })
    .join("");
  const legend = lines
    .map((line, index) => {
      const { x, row, shown, label } = legendPlaces.place[index] as LegendPlace;
      const y = top + plotHeight + 34 + row * 20;
      return `<g data-legend="${escapeHtml(line.id)}"><line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${line.colour}" stroke-width="3"${dashOf(index)}/>${textWithTooltip(shown, label, `x="${x + swatch}" y="${y}" class="legend"`)}</g>`;
    })
    .join("");
  return (
    `<svg data-chart="${escapeHtml(name)}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}">` +
    `<defs><clipPath id="clip-${uid}"><rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}"/></clipPath></defs>` +
    `<text x="0" y="18" class="chart-title">${escapeHtml(title)}</text>${grid}` +
    `<text x="${left + plotWidth}" y="${top + plotHeight + 30}" text-anchor="end" class="tick">${escapeHtml(xLabel)}</text>${paths}${markerMarks}${legend}</svg>`
  );
}
