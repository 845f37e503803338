/**
 * YAML text validated against a zod schema, with every problem reported as file:line: field: message.
 * Shared by the catalog loader, the gateway config and the planner's workload file.
 */
import { LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { closestNames, editDistance } from "./suggest.js";

export interface FileIssue {
  file: string;
  /** Field path, e.g. "deployments.2.provider" */
  path: string;
  line?: number;
  message: string;
}

export type FieldPath = (string | number)[];

export interface ParsedYaml<T> {
  data?: T;
  issues: FileIssue[];
  /** Line of a field path (or of its nearest existing parent). */
  lineOf: (path: FieldPath) => number | undefined;
}

export function formatFileIssue(issue: FileIssue): string {
  return `${issue.line ? `${issue.file}:${issue.line}` : issue.file}: ${issue.path ? `${issue.path}: ` : ""}${issue.message}`;
}

export function parseYamlWithSchema<S extends z.ZodType>(text: string, schema: S, file: string): ParsedYaml<z.infer<S>> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { merge: true, lineCounter, prettyErrors: false });
  const lineOf = (path: FieldPath): number | undefined => {
    for (let length = path.length; length >= 0; length -= 1) {
      const node = document.getIn(path.slice(0, length), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === "object" && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  if (document.errors.length > 0) {
    return {
      issues: document.errors.map((error) => {
        // Without prettyErrors the error has no linePos: its offset, through the line counter, does.
        const line = error.pos?.[0] === undefined ? undefined : lineCounter.linePos(error.pos[0]).line;
        // The parser's wording does not name the key ("Map keys must be unique"); its position does.
        const duplicate = error.code === "DUPLICATE_KEY" && error.pos ? /^("[^"]*"|'[^']*'|[^\s:,{}[\]]+)/.exec(text.slice(error.pos[0]))?.[1] : undefined;
        const message = duplicate ? `${duplicate.startsWith('"') || duplicate.startsWith("'") ? duplicate : JSON.stringify(duplicate)} is given twice in the same map: keep one` : (error.message.split("\n")[0] ?? "");
        return { file, path: "", message: `not valid YAML: ${message}`, ...(line ? { line } : {}) };
      }),
      lineOf,
    };
  }
  if (document.contents === null) return { issues: [{ file, path: "", message: "the file is empty (or only comments): nothing to read" }], lineOf };
  const parsed = schema.safeParse(document.toJS({ maxAliasCount: -1 }));
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.flatMap((issue) => {
        const path = issue.path.filter((part): part is string | number => typeof part !== "symbol");
        if (issue.code !== "unrecognized_keys") {
          const line = lineOf(path);
          return [{ file, path: path.join("."), message: issue.message, ...(line ? { line } : {}) }];
        }
        return unknownKeyIssues({ file, document, lineCounter, schema, lineOf }, path, issue.keys);
      }),
      lineOf,
    };
  }
  return { data: parsed.data as z.infer<S>, issues: [], lineOf };
}

/** What unknownKeyIssues needs of a parsed YAML file. */
export interface YamlSource {
  file: string;
  document: Document;
  lineCounter: LineCounter;
  schema: unknown;
  lineOf: (path: FieldPath) => number | undefined;
}

/**
 * One issue per unknown key of the map at `path`, at the key's own line (zod reports them against
 * their parent), with the known key it is closest to or the keys known there.
 */
export function unknownKeyIssues(source: YamlSource, path: FieldPath, keys: readonly string[]): FileIssue[] {
  const known = keysAt(source.schema, path);
  const map = source.document.getIn(path, true) as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined;
  const pairs = path.length === 0 ? (source.document.contents as typeof map) : map;
  return keys.map((key) => {
    const range = pairs?.items?.find((pair) => pair.key?.value === key)?.key?.range;
    const line = (range ? source.lineCounter.linePos(range[0]).line : undefined) ?? source.lineOf(path);
    return { file: source.file, path: path.join("."), message: `Unrecognized key: ${JSON.stringify(key)}${suggestKey(key, known)}`, ...(line ? { line } : {}) };
  });
}

/** The zod definition fields keysAt walks (zod 4's `_zod.def`). */
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
}

/** The keys an object schema accepts at `path` (through defaults, optionals, arrays, records and unions); none if unknown. */
function keysAt(schema: unknown, path: FieldPath): string[] {
  const node = schema as SchemaNode | undefined;
  const def = node?._zod?.def;
  if (!def) return [];
  if (def.innerType) return keysAt(def.innerType, path);
  if (def.type === "pipe" && def.in) return keysAt(def.in, path);
  if (def.type === "union" && def.options) return [...new Set(def.options.flatMap((option) => keysAt(option, path)))];
  const [head, ...rest] = path;
  if (head === undefined) return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
  if (def.type === "object" && def.shape && typeof head === "string") return keysAt(def.shape[head], rest);
  if (def.type === "array" && def.element) return keysAt(def.element, rest);
  if (def.type === "record" && def.valueType) return keysAt(def.valueType, rest);
  return [];
}

/** " (did you mean "x"?)" for a key a letter or two from a known one; else the known keys; else nothing. */
function suggestKey(unknown: string, known: string[]): string {
  const [best] = closestNames(unknown, known, 1);
  if (best === undefined) return "";
  if (editDistance(unknown.toLowerCase(), best.toLowerCase()) <= Math.max(1, Math.floor(best.length / 4))) return ` (did you mean "${best}"?)`;
  return `; known here: ${known.join(", ")}`;
}
