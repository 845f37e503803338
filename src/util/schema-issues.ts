/**
 * What a YAML file (the gateway config, a workload, a catalog file) got wrong against its zod
 * schema, said for a person: the field path and line, what was given, what is allowed, and the
 * allowed value or key it is a letter or two from. One formatter for every file the CLI reads.
 *
 * zod's own wording ("Invalid input: expected number, received string") names neither the value
 * nor, for an enum, a close match; `expectedText` replaces it where a schema gives no message of
 * its own, and `schemaIssues` adds the value given (or says the field is missing, and what it is for).
 */
import type { Document, LineCounter } from "yaml";
import type { z } from "zod";
import { didYouMean } from "./suggest.js";

export interface FileIssue {
  file: string;
  /** Field path, e.g. "deployments.2.provider" */
  path: string;
  line?: number;
  message: string;
}

export type FieldPath = (string | number)[];

/** Issues in the order of the file's lines (those with no line last, each group as it came), as people read a file. */
export function inLineOrder<T extends { line?: number | undefined }>(issues: readonly T[]): T[] {
  return [...issues].sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}

/** What schemaIssues needs of a parsed YAML file. */
export interface YamlSource {
  file: string;
  document: Document;
  lineCounter: LineCounter;
  schema: unknown;
  lineOf: (path: FieldPath) => number | undefined;
}

const TYPE_WORDS: Record<string, string> = {
  number: "a number",
  int: "a whole number",
  string: "text",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
};

const show = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/**
 * "expected …" for an issue whose schema gave no message of its own (pass as safeParse's `error`).
 * A union is said by its forms ("expected aws-chain, or a mapping"), or, when the value is a mapping
 * one form nearly fits, by what that form is missing or has wrong.
 */
export const expectedText: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${TYPE_WORDS[issue.expected] ?? `a ${issue.expected}`}`;
    case "invalid_value":
      return `expected ${issue.values.length === 1 ? show(issue.values[0]) : `one of ${issue.values.map(show).join(" | ")}`}`;
    case "invalid_union":
      if (issue.discriminator !== undefined && "options" in issue && Array.isArray(issue.options)) return `expected one of ${issue.options.map(show).join(" | ")}`;
      return unionText(issue.errors, issue.input);
    case "too_small":
      return `expected ${limitText("at least", "more than", issue.origin, Number(issue.minimum), issue.inclusive !== false)}`;
    case "too_big":
      return `expected ${limitText("at most", "less than", issue.origin, Number(issue.maximum), issue.inclusive !== false)}`;
    case "invalid_format":
      return issue.format === "url" ? "expected a URL such as https://example.com" : issue.format === "regex" ? `expected text matching ${issue.pattern ?? "the pattern"}` : `expected a valid ${issue.format}`;
    case "not_multiple_of":
      return `expected a multiple of ${issue.divisor}`;
    case "invalid_key":
      return `not a valid name here: ${issue.issues.map((inner) => inner.message).join("; ")}`;
    default:
      return undefined;
  }
};

function limitText(inclusiveWord: string, exclusiveWord: string, origin: string, limit: number, inclusive: boolean): string {
  const bound = `${inclusive ? inclusiveWord : exclusiveWord} ${limit}`;
  if (origin === "array" || origin === "set") return `${bound} item${limit === 1 ? "" : "s"}`;
  if (origin === "string") return limit === 1 && inclusive && inclusiveWord === "at least" ? "non-empty text" : `${bound} characters`;
  return bound;
}

function unionText(branches: readonly (readonly z.core.$ZodIssue[])[], input: unknown): string {
  // A value of no accepted type: the forms. A mapping one form nearly fits: that form's problems.
  if (branches.every((branch) => branch.every((issue) => issue.path.length === 0))) {
    return `expected ${[...new Set(branches.flat().map((issue) => issue.message.replace(/^expected /, "")))].join(", or ")}`;
  }
  const nearest = branches.filter((branch) => branch.every((issue) => issue.path.length > 0)).sort((a, b) => a.length - b.length)[0] ?? branches.flat();
  return nearest
    .map((issue) => {
      const path = issue.path.filter((part): part is string | number => typeof part !== "symbol");
      const missing = isMapping(valueAt(input, path.slice(0, -1))) && valueAt(input, path) === undefined;
      return `${path.join(".")}: ${missing ? "required but missing" : issue.message}`;
    })
    .join("; ");
}

/** The issues of a failed safeParse, said for a person, in the order of the file's lines; `value` is what was parsed. */
export function schemaIssues(source: YamlSource, value: unknown, issues: readonly z.core.$ZodIssue[]): FileIssue[] {
  const placed = issues.flatMap((issue) => nearestFormIssues(issue, value) ?? [issue]);
  // zod runs a list's length check on a string given in its place ("list at least one", got "x"): the wrong type says it all.
  const wrongType = new Set(placed.filter((issue) => issue.code === "invalid_type").map((issue) => issue.path.join(".")));
  const found = placed.filter((issue) => issue.code === "invalid_type" || !wrongType.has(issue.path.join("."))).flatMap((issue) => {
    const path = issue.path.filter((part): part is string | number => typeof part !== "symbol");
    if (issue.code === "unrecognized_keys") return unknownKeyIssues(source, path, issue.keys);
    const line = source.lineOf(path);
    return [{ file: source.file, path: path.join("."), message: issueMessage(issue, path, value, source.schema), ...(line ? { line } : {}) }];
  });
  return inLineOrder(found);
}

/**
 * A union that gave its own message ("expected a whole number of input tokens, or {mean, p90, max}")
 * said about a mapping that fits one of its forms but for missing or wrong fields: that form's
 * issues instead, each at its own path, so a missing field is said to be missing, with what it is
 * for. (A union with no message of its own already says them: unionText.) Undefined otherwise.
 */
function nearestFormIssues(issue: z.core.$ZodIssue, root: unknown): z.core.$ZodIssue[] | undefined {
  const given = valueAt(root, issue.path.filter((part): part is string | number => typeof part !== "symbol"));
  if (issue.code !== "invalid_union" || !isMapping(given) || issue.message === unionText(issue.errors, given)) return undefined;
  const fitting = issue.errors.filter((branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0 || inner.code === "unrecognized_keys"));
  const nearest = [...fitting].sort((a, b) => a.length - b.length)[0];
  return nearest?.flatMap((inner) => {
    const placed = { ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue;
    return nearestFormIssues(placed, root) ?? [placed];
  });
}

function issueMessage(issue: z.core.$ZodIssue, path: FieldPath, root: unknown, schema: unknown): string {
  const given = valueAt(root, path);
  if (path.length > 0 && given === undefined && isMapping(valueAt(root, path.slice(0, -1)))) {
    // A required field left out: said so, with what it is for (the schema's description), not as a wrong type.
    return `required but missing: ${describedAt(schema, path) ?? issue.message}`;
  }
  // A message about a field inside the value (a union's nearest form), or about a key, says no more.
  if (issue.code === "invalid_key" || (issue.code === "invalid_union" && issue.errors.some((branch) => branch.some((inner) => inner.path.length > 0)))) return issue.message;
  // A refinement's own message that names the value already is not followed by it again.
  if (issue.code === "custom" && issue.message.includes(typeof given === "string" ? given : JSON.stringify(given))) return issue.message;
  return `${issue.message}, got ${describe(given)}${hintFor(issue, given)}`;
}

/** A did-you-mean for a value close to an allowed one, or to write a number or boolean without quotes. */
function hintFor(issue: z.core.$ZodIssue, given: unknown): string {
  if (typeof given !== "string") return "";
  if (issue.code === "invalid_type" && (issue.expected === "number" || issue.expected === "int") && /^-?\d+(\.\d+)?$/.test(given.trim())) return ` (write the number without quotes: ${given.trim()})`;
  if (issue.code === "invalid_type" && issue.expected === "boolean" && /^(true|false)$/i.test(given.trim())) return ` (write ${given.trim().toLowerCase()} without quotes)`;
  const allowed = allowedValues(issue).filter((candidate): candidate is string => typeof candidate === "string");
  return didYouMean(given, allowed);
}

/** The values an enum, literal or discriminator accepts, also inside a union's forms. */
function allowedValues(issue: z.core.$ZodIssue): unknown[] {
  if (issue.code === "invalid_value") return [...issue.values];
  if (issue.code !== "invalid_union") return [];
  if ("options" in issue && Array.isArray(issue.options)) return [...issue.options];
  return issue.errors.flat().filter((inner) => inner.path.length === 0).flatMap(allowedValues);
}

/** How much of a long text value a problem quotes: enough to find it in the file, not the whole of it. */
const EXCERPT_CHARACTERS = 60;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") {
    if (value.length <= EXCERPT_CHARACTERS + 20) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, EXCERPT_CHARACTERS))}… (${value.length} characters)`;
  }
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : `a list of ${value.length}`;
  if (typeof value === "object") return Object.keys(value).length === 0 ? "an empty mapping" : "a mapping";
  return String(value);
}

function isMapping(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function valueAt(root: unknown, path: FieldPath): unknown {
  let current: unknown = root;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

/**
 * One issue per unknown key of the map at `path`, at the key's own line (zod reports them against
 * their parent), with the known key it is closest to or the keys known there.
 */
function unknownKeyIssues(source: YamlSource, path: FieldPath, keys: readonly string[]): FileIssue[] {
  const known = keysAt(source.schema, path);
  const map = source.document.getIn(path, true) as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined;
  const pairs = path.length === 0 ? (source.document.contents as typeof map) : map;
  return keys.map((key) => {
    const range = pairs?.items?.find((pair) => pair.key?.value === key)?.key?.range;
    const line = (range ? source.lineCounter.linePos(range[0]).line : undefined) ?? source.lineOf(path);
    const suggestion = didYouMean(key, known) || (known.length > 0 ? `; known here: ${known.join(", ")}` : "");
    return { file: source.file, path: path.join("."), message: `Unrecognized key: ${JSON.stringify(key)}${suggestion}`, ...(line ? { line } : {}) };
  });
}

/** The zod definition fields the walk below reads (zod 4's `_zod.def`). */
interface SchemaDef {
  type: string;
  shape?: Record<string, SchemaNode>;
  innerType?: SchemaNode;
  element?: SchemaNode;
  valueType?: SchemaNode;
  options?: SchemaNode[];
  in?: SchemaNode;
}
interface SchemaNode {
  _zod: { def: SchemaDef };
  /** zod's `.describe()`: what the field is for. */
  description?: string;
}

/** The schemas that may stand at `path`, each with the descriptions met on the way in (outermost first). */
function schemasAt(schema: unknown, path: FieldPath, described: string[] = []): { node: SchemaNode; described: string[] }[] {
  const node = schema as SchemaNode | undefined;
  const def = node?._zod?.def;
  if (!node || !def) return [];
  const here = node.description === undefined ? described : [...described, node.description];
  if (def.innerType) return schemasAt(def.innerType, path, here);
  if (def.type === "pipe" && def.in) return schemasAt(def.in, path, here);
  if (def.type === "union" && def.options) return def.options.flatMap((option) => schemasAt(option, path, here));
  const [head, ...rest] = path;
  if (head === undefined) return [{ node, described: here }];
  if (def.type === "object" && def.shape && typeof head === "string") return schemasAt(def.shape[head], rest);
  if (def.type === "array" && def.element) return schemasAt(def.element, rest);
  if (def.type === "record" && def.valueType) return schemasAt(def.valueType, rest);
  return [];
}

/** The keys an object schema accepts at `path` (through defaults, optionals, arrays, records and unions); none if unknown. */
function keysAt(schema: unknown, path: FieldPath): string[] {
  return [...new Set(schemasAt(schema, path).flatMap(({ node }) => (node._zod.def.type === "object" && node._zod.def.shape ? Object.keys(node._zod.def.shape) : [])))];
}

/** What the field at `path` is for: the first description met on the way to it. */
function describedAt(schema: unknown, path: FieldPath): string | undefined {
  return schemasAt(schema, path).find((found) => found.described.length > 0)?.described[0];
}
