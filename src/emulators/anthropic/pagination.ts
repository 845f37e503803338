/**
 * The list page format shared by /v1/models and /v1/messages/batches: newest first,
 * `limit` (1-1000, default 20), `after_id` (older than) or `before_id` (newer than);
 * {data, has_more, first_id, last_id}.
 */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

export type PageResult<T> = { ok: true; page: Page<T> } | { ok: false; message: string };

export function paginate<T extends { id: string }>(items: T[], query: Record<string, unknown>): PageResult<T> {
  const limitText = query["limit"];
  const limit = limitText === undefined ? 20 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return { ok: false, message: "limit: Input should be between 1 and 1000" };
  const afterId = typeof query["after_id"] === "string" ? query["after_id"] : undefined;
  const beforeId = typeof query["before_id"] === "string" ? query["before_id"] : undefined;
  if (afterId && beforeId) return { ok: false, message: "Only one of before_id and after_id may be given" };
  let slice: T[];
  let hasMore: boolean;
  if (beforeId) {
    const end = items.findIndex((item) => item.id === beforeId);
    const upTo = end < 0 ? 0 : end;
    slice = items.slice(Math.max(0, upTo - limit), upTo);
    hasMore = upTo - limit > 0;
  } else {
    const start = afterId ? items.findIndex((item) => item.id === afterId) + 1 : 0;
    const from = afterId && start === 0 ? items.length : start;
    slice = items.slice(from, from + limit);
    hasMore = from + limit < items.length;
  }
  return { ok: true, page: { data: slice, has_more: hasMore, first_id: slice[0]?.id ?? null, last_id: slice[slice.length - 1]?.id ?? null } };
}
