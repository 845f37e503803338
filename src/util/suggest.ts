/** "Did you mean": the known names closest to a mistyped one (Levenshtein distance). */
export function closestNames(query: string, names: string[], count: number): string[] {
  const target = query.toLowerCase();
  return names
    .map((name) => ({ name, distance: editDistance(target, name.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, count)
    .map((entry) => entry.name);
}

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** ` (did you mean "x"?)` for a name a letter or two from a known one (a transposition is two); else nothing. */
export function didYouMean(given: string, known: readonly string[]): string {
  const [best] = closestNames(given, [...known], 1);
  if (best === undefined) return "";
  const allowed = best.length <= 3 ? 1 : Math.max(2, Math.floor(best.length / 3));
  return editDistance(given.toLowerCase(), best.toLowerCase()) <= allowed ? ` (did you mean "${best}"?)` : "";
}
