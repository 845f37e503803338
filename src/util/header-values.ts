/** A comma-separated header's values (anthropic-beta), repeated headers included, each once, in order. */
export function headerValues(header: string | string[] | undefined): string[] {
  if (header === undefined || header === "") return [];
  const values = (Array.isArray(header) ? header : [header])
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
  return [...new Set(values)];
}
