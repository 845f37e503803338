/**
 * Command-line flags of the benchmarks: the flag's value, its default, or a clear error (the
 * message and exit status 2, not a stack trace).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A bad flag: says what is wrong on standard error and exits with status 2. */
export function flagError(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** node:util's parseArgs, with an unknown flag or a missing value reported as flagError does. */
export function benchFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    return flagError(error instanceof Error ? error.message : String(error));
  }
}

export function numberFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) flagError(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
  return parsed;
}

/** A positive whole number (a count of rounds, rows, calls). */
export function wholeFlag(name: string, value: string | undefined, fallback: number): number {
  const parsed = numberFlag(name, value, fallback);
  if (!Number.isSafeInteger(parsed)) flagError(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  return parsed;
}

/** A number that may be 0. */
export function countFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) flagError(`--${name} must be 0 or more, got ${JSON.stringify(value)}`);
  return parsed;
}

/** "--a --b=1" as an argument list (extra node flags). */
export function flagList(text: string | undefined): string[] {
  return text?.split(/\s+/).filter(Boolean) ?? [];
}

/** YAML lines for a gateway's config (--gateway-config, --base-config, --head-config): "\n" written as two characters on a command line. */
export function configFlag(text: string | undefined): string {
  return (text ?? "").replaceAll("\\n", "\n");
}
