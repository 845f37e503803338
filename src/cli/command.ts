import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./usage-error.js";
import { DAY_PATTERN, isCalendarDay, NOT_A_CALENDAR_DAY } from "../util/calendar-date.js";
import { didYouMean } from "../util/suggest.js";

/** What every command gets: its own arguments and the streams to write to. */
export interface CommandContext {
  argv: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** standard input, for `--usage-json -` and the like */
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  summary: string;
  /** Full --help text. */
  help: string;
  /** Returns the exit code; throws UsageError for bad input. */
  run(context: CommandContext): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * node:util parseArgs in strict mode, with errors rewritten to name the flag and point at --help.
 */
export function parseFlags<T extends Options>(argv: string[], options: T, commandName: string, allowPositionals = false) {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    throw new UsageError(flagProblem(error, options), `see: switchyard ${commandName} --help`);
  }
  // A flag given twice would silently keep its last value: `--input 10 --input 20` is a mistake.
  const seen = new Map<string, string | undefined>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    // An empty value (a script's `--catalog "$FILE"` with FILE unset) is never what was meant: read
    // as "none given" it would pick a default silently, and as a value it names a file "", an
    // empty credential, or (--host) every interface.
    if (token.value !== undefined && token.value.trim() === "") {
      throw new UsageError(`--${token.name} is empty: give a value, or leave the flag out`, `see: switchyard ${commandName} --help`);
    }
    if (options[token.name]?.multiple) continue;
    if (seen.has(token.name)) {
      const values = [seen.get(token.name), token.value].filter((value) => value !== undefined).map((value) => JSON.stringify(value));
      throw new UsageError(`--${token.name} is given twice${values.length === 2 ? ` (${values.join(" and ")})` : ""}: give it once`, `see: switchyard ${commandName} --help`);
    }
    seen.set(token.name, token.value);
  }
  if (!allowPositionals && parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`, `see: switchyard ${commandName} --help`);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/**
 * parseArgs's error in the words of the other flag errors: the flag first, what is wrong, and for a
 * flag the command does not have, the nearest one it does ("Unknown option '--budget'" said nothing
 * of --monthly-budget).
 */
function flagProblem(error: unknown, options: Options): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']*)'/.exec(message);
  if (unknown) {
    const given = unknown[1] as string;
    const names = Object.keys(options).map((name) => `--${name}`);
    return `unknown flag ${given}${didYouMean(given.split("=")[0] as string, names)}`;
  }
  const missing = /^Option '(-[^ ']*)(?:, (--[^ ']*))? <value>' argument missing/.exec(message);
  if (missing) return `${missing[2] ?? missing[1]} needs a value`;
  const ambiguous = /^Option '(--[^']*)' argument is ambiguous/.exec(message);
  if (ambiguous) return `${ambiguous[1]} needs a value (the next word starts with "-"; a value that does: ${ambiguous[1]}=-VALUE)`;
  const noValue = /^Option '(-[^ ']*)(?:, (--[^ ']*))?' does not take an argument/.exec(message);
  if (noValue) return `${noValue[2] ?? noValue[1]} takes no value`;
  return message.replace(/\. To specify a positional argument.*$/s, "");
}

/**
 * `--flag -5` as `--flag=-5` for a flag that takes a value: parseArgs reads a value that starts with
 * "-" as another flag ("argument is ambiguous"), so the flag's own check never saw the number and
 * could not say what is wrong with it.
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    const next = argv[index + 1];
    if (arg === "--") return [...joined, ...argv.slice(index)];
    if (arg.startsWith("--") && !arg.includes("=") && options[arg.slice(2)]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      index += 1;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/** Digits, or digits grouped in threes by commas or by underscores (1,000,000 or 1_000_000), one separator throughout. */
const WHOLE_NUMBER = /^(?:\d+|\d{1,3}(?:,\d{3})+|\d{1,3}(?:_\d{3})+)$/;

/** A non-negative whole number from a flag, or a UsageError naming the flag. */
export function integerFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!WHOLE_NUMBER.test(value)) {
    throw new UsageError(`--${flag} must be a whole number (0 or more), got ${JSON.stringify(value)}`, "digits may be grouped in threes: 1,000,000 or 1_000_000");
  }
  const parsed = Number(value.replace(/[,_]/g, ""));
  if (!Number.isSafeInteger(parsed)) throw new UsageError(`--${flag} is too large: ${value}`);
  return parsed;
}

/** A day as YYYY-MM-DD (years 0001 to 9999) from a flag, or a UsageError naming the flag. */
export function dateFlag(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  // A year of five or more digits (or signed, as ISO 8601's expanded years) is the shape's commonest miss: say so.
  if (/^[+-]?\d{5,}-\d{2}-\d{2}$|^[+-]\d{4}-\d{2}-\d{2}$/.test(value)) throw new UsageError(`--${flag}: the year must be 0001 to 9999 (four digits), got ${JSON.stringify(value)}`, "e.g. 2026-03-01");
  if (!DAY_PATTERN.test(value)) throw new UsageError(`--${flag} must be a date as YYYY-MM-DD, got ${JSON.stringify(value)}`, "e.g. 2026-03-01");
  if (!isCalendarDay(value)) throw new UsageError(`--${flag}: ${value} is ${NOT_A_CALENDAR_DAY}`);
  return value;
}

export function choiceFlag<C extends string>(value: string | undefined, flag: string, choices: readonly C[]): C | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${choices.join(", ")}; got ${JSON.stringify(value)}`);
  }
  return value as C;
}

export function writeJson(stream: NodeJS.WritableStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Today's date (UTC) as YYYY-MM-DD. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
