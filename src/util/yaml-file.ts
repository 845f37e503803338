/**
 * YAML text validated against a zod schema, with every problem reported as file:line: field: message.
 * Shared by the catalog loader, the gateway config and the planner's workload file.
 */
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";

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
  /** The line of `key` itself in the map at `path` (an unknown key is reported against its parent's path). */
  const keyLine = (path: FieldPath, key: string): number | undefined => {
    const map = document.getIn(path, true) as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined;
    const pairs = path.length === 0 ? (document.contents as typeof map) : map;
    const found = pairs?.items?.find((pair) => pair.key?.value === key)?.key?.range;
    return found ? lineCounter.linePos(found[0]).line : undefined;
  };
  if (document.errors.length > 0) {
    return {
      issues: document.errors.map((error) => {
        // Without prettyErrors the error has no linePos: its offset, through the line counter, does.
        const line = error.pos?.[0] === undefined ? undefined : lineCounter.linePos(error.pos[0]).line;
        return { file, path: "", message: `not valid YAML: ${error.message.split("\n")[0]}`, ...(line ? { line } : {}) };
      }),
      lineOf,
    };
  }
  const parsed = schema.safeParse(document.toJS({ maxAliasCount: -1 }));
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.map((issue) => {
        const path = issue.path.filter((part): part is string | number => typeof part !== "symbol");
        const unknownKey = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
        const line = (unknownKey === undefined ? undefined : keyLine(path, unknownKey)) ?? lineOf(path);
        return { file, path: path.join("."), message: issue.message, ...(line ? { line } : {}) };
      }),
      lineOf,
    };
  }
  return { data: parsed.data as z.infer<S>, issues: [], lineOf };
}
