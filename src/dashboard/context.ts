/** What every page reads: the gateway's state, the key store, the clock, and the query string. */
import type { GatewayState } from "../gateway/state.js";
import type { ApiKeyRecord, KeyStore } from "../ledger/ledger.js";
import { escapeHtml, isoDay } from "./format.js";
import type { PlanRunner } from "./plan-runner.js";
import { text, type Cell } from "./table.js";

export interface DashboardContext {
  state: GatewayState;
  keys: KeyStore;
  planner: PlanRunner;
  /** The planner form's starting text. */
  exampleWorkload: { name: string; text: string };
}

export type Query = Record<string, string | undefined>;

const DAY_MS = 86_400_000;
export const RANGES = [1, 7, 30, 90] as const;

export interface TimeRange {
  days: number;
  /** `?days=` as asked when it is not one of RANGES (the range is then the default). */
  refused?: string;
  /** First millisecond of the first day (UTC), inclusive. */
  from: number;
  /** Every UTC day in the range, oldest first (YYYY-MM-DD). */
  dayList: string[];
}

/** The range when `?days=` is absent or not one of RANGES. */
export const DEFAULT_DAYS = 30;

/** `?days=N` (1, 7, 30 or 90; default 30): whole UTC days ending today. */
export function timeRange(query: Query, now: number): TimeRange {
  const asked = Number(query.days);
  const allowed = (RANGES as readonly number[]).includes(asked);
  const days = allowed ? asked : DEFAULT_DAYS;
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const from = today - (days - 1) * DAY_MS;
  return { days, from, dayList: Array.from({ length: days }, (_, index) => isoDay(from + index * DAY_MS)), ...(!allowed && query.days !== undefined ? { refused: query.days } : {}) };
}

/** "today", "the last 7 days": the range in words, as its control names it. */
export function rangeText(range: TimeRange): string {
  return range.days === 1 ? "today" : `the last ${range.days} days`;
}

/** Links that keep the other query parameters and change one. */
export function linkWith(path: string, query: Query, change: Query): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...query, ...change })) if (value !== undefined && value !== "") parameters.set(name, value);
  const text = parameters.toString();
  return escapeHtml(text ? `${path}?${text}` : path);
}

export function rangeControl(path: string, query: Query, range: TimeRange): string {
  const links = RANGES.map(
    (days) => `<a href="${linkWith(path, query, { days: String(days) })}" data-range="${days}"${days === range.days ? ' aria-current="true"' : ""}>${days === 1 ? "today" : `${days} days`}</a>`,
  ).join("");
  // A range the page does not offer is not shown silently as the default.
  const refused =
    range.refused !== undefined
      ? `<span class="note" role="status" data-range-refused>days=${escapeHtml(range.refused)} is not a period offered here: showing ${range.days} days (choose 1, 7, 30 or 90).</span>`
      : "";
  return `<span class="group" role="group" aria-label="period">${links}</span>${refused}`;
}

/** Characters of a key id that tell two keys of one name apart: "key_" and six of its random ones. */
const SHORT_ID = 10;

export interface KeyNames {
  /** The key's name, "ci_bot", or "ci_bot (key_3f9aXy…)" when another key shown has that name too. */
  name(id: string | null | undefined): string;
  /** A table cell: that name, and the whole id beneath it (and the day it was revoked, if it was). */
  cell(id: string | null | undefined): Cell;
}

/**
 * What a page calls the keys `ids`: by name, short enough for a chart's labels. The key store keeps
 * names unique among active keys only (a revoked key's name can be given again), so two keys of one
 * name among `ids` get the start of their ids as well, as many characters as tell them apart. An id
 * the key store does not know is shown as it is.
 */
export function keyNames(keys: Map<string, ApiKeyRecord>, ids: Iterable<string | null | undefined>): KeyNames {
  const byName = new Map<string, string[]>();
  for (const id of new Set(ids)) {
    const record = id === null || id === undefined ? undefined : keys.get(id);
    if (record) byName.set(record.name, [...(byName.get(record.name) ?? []), record.id]);
  }
  const shown = new Map<string, string>();
  for (const [name, same] of byName) {
    // The ids differ, so some length (at most the longest id's) tells them apart.
    let length = SHORT_ID;
    while (same.length > 1 && new Set(same.map((id) => id.slice(0, length))).size < same.length) length += 1;
    for (const id of same) shown.set(id, same.length === 1 ? name : `${name} (${id.length > length ? `${id.slice(0, length)}…` : id})`);
  }
  const name = (id: string | null | undefined) => (id === null || id === undefined ? "(no key)" : shown.get(id) ?? id);
  const revoked = (id: string) => {
    const at = keys.get(id)?.revoked_at;
    return at === null || at === undefined ? "" : ` · <span data-revoked>revoked ${escapeHtml(isoDay(at))}</span>`;
  };
  return {
    name,
    cell: (id) => (id !== null && id !== undefined && shown.has(id) ? { html: `${escapeHtml(name(id))}<div class="note">${escapeHtml(id)}${revoked(id)}</div>`, sort: name(id) } : text(name(id))),
  };
}

export async function keysById(context: DashboardContext): Promise<Map<string, ApiKeyRecord>> {
  return new Map((await context.keys.list()).map((record) => [record.id, record]));
}
