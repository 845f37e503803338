/** Numeric command-line flags of the gateway benchmarks: the flag's value, its default, or a clear error. */

export function numberFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
  return parsed;
}

/** A positive whole number (a count of rounds, rows, calls). */
export function wholeFlag(name: string, value: string | undefined, fallback: number): number {
  const parsed = numberFlag(name, value, fallback);
  if (!Number.isSafeInteger(parsed)) throw new Error(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  return parsed;
}

/** A number that may be 0. */
export function countFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be 0 or more, got ${JSON.stringify(value)}`);
  return parsed;
}

/** "--a --b=1" as an argument list (extra node flags). */
export function flagList(text: string | undefined): string[] {
  return text?.split(/\s+/).filter(Boolean) ?? [];
}
